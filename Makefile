# Waspada — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/waspada
export WASPADA_DATA ?= $(abspath ../shared/data)

.PHONY: all deps build web demo test test-go bench clean

all: build

deps:            ## install missing Debian packages (PostgreSQL 15, PostGIS 3, GEOS, GDAL, Chromium)
	.ci/install-deps

build:
	$(GO) build -o $(BIN) ./cmd/waspada

# CI=true for every run of `make test`, not only CI's: a missing prerequisite
# (reference data, ogrinfo, fonts, pdftoppm, the browser) then fails the run
# instead of skipping tests, so a green `make test` means every test ran.
test: deps build web ## every test (browser end-to-end included), against a throw-away PostGIS cluster
	CI=$${CI:-true} WASPADA_E2E=require .ci/with-test-cluster $(GO) test -count=1 -timeout 30m ./...

bench: deps build ## benchmarks that print figures (import, risk compute, tiles)
	.ci/with-test-cluster $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

demo:            ## fresh machine -> running map on http://127.0.0.1:8080/
	.ci/demo

clean:
	rm -rf bin web/dist

# Fuzz each parser that takes outside input for FUZZTIME (seed corpora in the
# packages' testdata/fuzz run in every `make test` too). Go allows one -fuzz
# target per run, hence one line each.
FUZZTIME ?= 30s
.PHONY: fuzz
fuzz:            ## fuzz tile coordinates, CSV/GeoJSON import parsers, drawn polygons, login redirect, stored hashes (FUZZTIME each)
	$(GO) test ./geo/tilemath -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/importer -run '^$$' -fuzz '^FuzzParseCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/importer -run '^$$' -fuzz '^FuzzParseGeoJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/auth -run '^$$' -fuzz '^FuzzSafeNext$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/auth -run '^$$' -fuzz '^FuzzVerifyPassword$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/workflow -run '^$$' -fuzz '^FuzzParsePolygon$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/workflow -run '^$$' -fuzz '^FuzzDecodeOperationRequest$$' -fuzztime $(FUZZTIME)

# ---- tile server benchmark (issue 5) ----
.PHONY: bench-tiles
bench-tiles: deps build ## tile server under load: cold and warm passes over z4-12 tiles (BENCH_SIZE=demo|national)
	$(GO) build -o bin/waspada-load ./cmd/waspada-load
	.ci/with-test-cluster cmd/waspada-load/bench-tiles.sh

# ---- load test (issue 9) ----
.PHONY: loadtest
loadtest: deps build ## a busy morning on the demo scenario: tiles + API mix, LOAD_CONNS (64) for LOAD_DURATION (60s); fails on any error
	$(GO) build -o bin/waspada-load ./cmd/waspada-load
	.ci/with-test-cluster cmd/waspada-load/loadtest.sh

# ---- map front end (issue 6) ----
.PHONY: test-web
web:             ## build the map front end into web/dist (npm ci only when the lock file changed)
	cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build

test-web: deps build web ## map API + browser end-to-end test (headless Debian chromium) on a throw-away cluster
	WASPADA_E2E=require .ci/with-test-cluster $(GO) test -count=1 -timeout 15m ./internal/api/... ./internal/glyphs ./internal/webui ./web/e2e

# ---- data lifecycle (issue 22) ----
.PHONY: restore-test
restore-test: deps build ## back up, make a mistake (bad import, dropped table), restore and point-in-time recover; every table compared
	.ci/with-test-cluster $(GO) test -count=1 -v -run 'TestBackupRestore|TestPointInTimeRecovery' ./internal/backup/
