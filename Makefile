# cardops: `make run` starts the console on its embedded default;
# `make test` installs what the tests need and runs all of them.
GO ?= go
ADDR ?= 127.0.0.1:8080
DB ?= ./cardops.db

.PHONY: run build generate check-generated test test-deps bench vet clean

run: build
	./bin/cardops serve --demo --addr $(ADDR) --db $(DB)

build: generate
	CGO_ENABLED=0 $(GO) build -o bin/cardops ./cmd/cardops

generate:
	$(GO) tool templ generate -log-level warn

# check-generated fails when a committed *_templ.go is stale: it regenerates
# a copy of views/ and compares.
check-generated:
	@templ=$$($(GO) tool -n templ) && tmp=$$(mktemp -d) && cp -r views go.mod "$$tmp/" && \
	(cd "$$tmp" && "$$templ" generate -log-level warn) && \
	if ! diff -r views "$$tmp/views" >/dev/null; then \
		echo "generated templ files are stale: run 'make generate' and commit them"; \
		diff -r views "$$tmp/views" | head -40; rm -rf "$$tmp"; exit 1; \
	fi; rm -rf "$$tmp"

# test-deps installs Chromium (apt) and the Playwright driver (npm) for the
# browser tests, and the OpenAPI linter (npm); each step is skipped when
# already done.
test-deps:
	$(GO) mod download
	bash e2e/install.sh
	bash web/testdata/redocly/install.sh

vet:
	$(GO) vet ./...

# The race detector needs cgo; the binary itself is built without it.
test: test-deps check-generated vet
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=1 CARDOPS_E2E_REQUIRED=1 $(GO) test -race -count=1 -timeout 30m ./...

# BENCH_CARDS sets the size of the card search benchmark (cmd/benchsearch):
# it seeds that many cards into a temporary database, then measures.
# BENCH_CARDS=10000000 for 10M cards (about 20 GB of disk under $TMPDIR).
BENCH_CARDS ?= 1000000
# BENCH_NAIVE is how many naive LIKE scans per kind benchsearch times beside
# the search; at 10M cards one scan takes 4-60 s, so BENCH_NAIVE=3 there.
BENCH_NAIVE ?= 10
# BENCH_EVENTS sets the size of the event log benchmark (cmd/benchevents).
BENCH_EVENTS ?= 1000000

bench: generate
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/benchsearch -cards $(BENCH_CARDS) -naive $(BENCH_NAIVE)
	$(GO) run ./cmd/benchapi -cards $(BENCH_CARDS)
	$(GO) run ./cmd/benchevents -events $(BENCH_EVENTS)
	$(GO) run ./cmd/loadgen
	$(GO) run ./cmd/loadgen -client nethttp -phases raw,steady,saturation

clean:
	rm -rf bin
