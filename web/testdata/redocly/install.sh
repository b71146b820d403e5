#!/usr/bin/env bash
# Installs the OpenAPI linter the tests run on web/openapi.json
# (TestOpenAPILint): @redocly/cli, at the version pinned below, from the npm
# registry into <repo>/.redocly/ (ignored by git).
#
# Idempotent: when the pinned version is in place it only runs one check.
set -euo pipefail

version=2.77.0

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
dir="$repo/.redocly"
bin="$dir/node_modules/.bin/redocly"

log() { printf 'web/testdata/redocly/install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v node >/dev/null || die "node is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "$version" ]; then
	log "redocly present: $bin ($version)"
	exit 0
fi
log "installing @redocly/cli $version into $dir"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || printf '{"private": true}\n' >"$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --silent "@redocly/cli@$version" >/dev/null
[ -x "$bin" ] || die "npm finished but $bin is missing"
got="$("$bin" --version 2>/dev/null)"
[ "$got" = "$version" ] || die "$bin --version says '$got', want $version"
log "redocly ready: $bin ($got)"
