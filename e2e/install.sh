#!/usr/bin/env bash
# Installs what the browser tests (package e2e) need, without Playwright's own
# downloads (its CDN and nodejs.org are not assumed reachable):
#
#   1. Debian's chromium at /usr/bin/chromium (apt-get), and
#   2. otpauth (npm) in <repo>/.pwdriver/otpauth, for the two-factor test,
#      and axe-core (npm) in <repo>/.pwdriver/axe-core, for the accessibility
#      checks, and
#   3. the playwright-go driver in <repo>/.pwdriver/:
#        .pwdriver/package/cli.js  playwright-core at the exact version that
#                                  playwright-go's run.go pins (npm registry)
#        .pwdriver/node            symlink to the machine's node (>= 20)
#
# Idempotent: when both are already in place it only runs two quick checks.
# Needs only the Go module proxy, Debian apt and the npm registry.
# See /work/shared/notes/playwright.md for the background.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
driver_dir="$repo/.pwdriver"
chromium_bin=/usr/bin/chromium

log() { printf 'e2e/install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH"
command -v node >/dev/null || die "node (>= 20) is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "node $(node --version) is too old; playwright-core needs >= 20"

# --- 1. Chromium -------------------------------------------------------------
if [ -x "$chromium_bin" ]; then
	log "chromium present: $chromium_bin"
else
	[ "$(id -u)" -eq 0 ] || die "$chromium_bin missing and not root: run 'apt-get install chromium' as root"
	node_before="$(node --version)"
	export DEBIAN_FRONTEND=noninteractive
	log "installing Debian chromium (apt-get)"
	apt-get update -qq
	# Debian's own nodejs is older than the machine's: refuse any plan that
	# would install, replace or remove node.
	plan="$(apt-get -s install -y --no-install-recommends chromium)"
	if grep -Eq '^(Inst|Remv|Purg) (nodejs|libnode[0-9]*)( |$)' <<<"$plan"; then
		grep -E '^(Inst|Remv|Purg) (nodejs|libnode)' <<<"$plan" >&2 || true
		die "installing chromium would change the machine's node; refusing"
	fi
	apt-get install -y -qq --no-install-recommends chromium >/dev/null
	[ -x "$chromium_bin" ] || die "apt-get finished but $chromium_bin is missing"
	[ "$(node --version)" = "$node_before" ] || die "node changed from $node_before to $(node --version)"
	log "chromium installed: $("$chromium_bin" --version 2>/dev/null | tail -n1)"
fi

# --- 2. otpauth (a TOTP library nobody here wrote) ---------------------------
# The two-factor browser test generates codes with it, to check the console
# against an authenticator it did not write: <repo>/.pwdriver/otpauth.
otpauth_version=9.5.2
otpauth_dir="$repo/.pwdriver/otpauth"
otpauth_ok() {
	[ "$(node -p "require('$otpauth_dir/node_modules/otpauth/package.json').version" 2>/dev/null)" = "$otpauth_version" ]
}
if otpauth_ok; then
	log "otpauth present: $otpauth_dir (otpauth $otpauth_version)"
else
	log "installing otpauth $otpauth_version into $otpauth_dir"
	mkdir -p "$otpauth_dir"
	npm install --silent --prefix "$otpauth_dir" --no-save --no-audit --no-fund --ignore-scripts "otpauth@$otpauth_version" >/dev/null
	otpauth_ok || die "otpauth check failed in $otpauth_dir"
fi

# --- 2b. axe-core (the accessibility rules the browser tests run) ----------
axe_version=4.14.1
axe_dir="$repo/.pwdriver/axe-core"
axe_ok() {
	[ "$(node -p "require('$axe_dir/node_modules/axe-core/package.json').version" 2>/dev/null)" = "$axe_version" ]
}
if axe_ok; then
	log "axe-core present: $axe_dir (axe-core $axe_version)"
else
	log "installing axe-core $axe_version into $axe_dir"
	mkdir -p "$axe_dir"
	npm install --silent --prefix "$axe_dir" --no-save --no-audit --no-fund --ignore-scripts "axe-core@$axe_version" >/dev/null
	axe_ok || die "axe-core check failed in $axe_dir"
fi

# --- 3. Playwright driver ----------------------------------------------------
cd "$repo"
mod=github.com/mxschmitt/playwright-go
mod_dir="$(go list -m -f '{{.Dir}}' "$mod" 2>/dev/null || true)"
if [ -z "$mod_dir" ] || [ ! -f "$mod_dir/run.go" ]; then
	log "downloading Go module $mod"
	go mod download "$mod"
	mod_dir="$(go list -m -f '{{.Dir}}' "$mod")"
fi
[ -f "$mod_dir/run.go" ] || die "cannot find $mod/run.go (module dir: '$mod_dir')"

version="$(sed -n 's/^[[:space:]]*playwrightCliVersion[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$mod_dir/run.go")"
[ -n "$version" ] || die "cannot read playwrightCliVersion from $mod_dir/run.go"

driver_ok() {
	[ -f "$driver_dir/package/cli.js" ] && [ -x "$driver_dir/node" ] || return 1
	local got
	got="$("$driver_dir/node" "$driver_dir/package/cli.js" --version 2>/dev/null)" || return 1
	[ "$got" = "Version $version" ]
}

if driver_ok; then
	log "playwright driver present: $driver_dir (playwright-core $version)"
	exit 0
fi

log "installing playwright-core $version into $driver_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "playwright-core@$version" >/dev/null)
tarball="$tmp/playwright-core-$version.tgz"
[ -f "$tarball" ] || die "npm pack did not produce $tarball"

# Replace any stale or partial driver; the tarball's root is package/.
rm -rf "$driver_dir/package"
mkdir -p "$driver_dir"
tar -xzf "$tarball" -C "$driver_dir"
ln -sfn "$(command -v node)" "$driver_dir/node"

driver_ok || die "driver check failed: '$driver_dir/node $driver_dir/package/cli.js --version' does not print 'Version $version'"
log "playwright driver ready: $("$driver_dir/node" "$driver_dir/package/cli.js" --version)"
