# recoup — the two commands are `make run` and `make test`; everything they
# need is installed or built by these targets.
SHELL := /bin/bash
GO ?= go
export CGO_ENABLED ?= 0
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/recoup/recoup/cli.Version=$(VERSION)
BIN := bin/recoup

# Demo settings for `make run`.
DEMO_DIR := var/demo
DEMO_DB ?= sqlite:var/recoup.db
DEMO_ADDR ?= 127.0.0.1:8080
DEMO_FLAGS := --db $(DEMO_DB) --company "Demo Trading Co." --timezone Asia/Shanghai --currency CNY

.PHONY: run test build bench bench-ui fuzz vet fmt-check clean ui ui-test e2e go-test

UI := designer-ui
UI_SRC := $(shell find $(UI)/src $(UI)/index.html $(UI)/vite.config.ts $(UI)/tsconfig.json -type f 2>/dev/null)

## build: the web app (npm ci, vite build) and a binary that embeds it.
## A plain `CGO_ENABLED=0 go build ./cmd/recoup` works without Node: its /
## then says how to build the app.
build: ui
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/recoup

## ui: install the front end's exact dependencies when package-lock.json
## changed, and build designer-ui/dist when a source changed.
ui: $(UI)/dist/index.html

$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json $(UI)/package.json
	cd $(UI) && npm ci --no-audit --no-fund
	@touch $@

$(UI)/dist/index.html: $(UI)/node_modules/.package-lock.json $(UI_SRC)
	cd $(UI) && npm run build

## run: build, set up the demo in a SQLite file (`recoup demo`: generate and
## import the data, publish rules-examples/, play the twelve weeks before
## today), start the server.
run: build
	@mkdir -p var
	./$(BIN) demo $(DEMO_FLAGS) --out $(DEMO_DIR) --rules rules-examples/
	./$(BIN) serve $(DEMO_FLAGS) --addr $(DEMO_ADDR) --demo

## test: every test — vet, formatting, unit/store/CLI tests (SQLite always,
## PostgreSQL when RECOUP_TEST_POSTGRES is set), the engine and the store's
## tick and inbox under the race detector, and a short fuzz of the
## definition loader.
test: vet fmt-check ui-test go-test e2e

## ui-test: the front end's type check, its unit tests (vitest) and a check
## that the committed API client still matches api/openapi.yaml.
ui-test: $(UI)/node_modules/.package-lock.json
	cd $(UI) && npx tsc -b && npx vitest run

## e2e: browser tests (playwright-core driving Debian's chromium) against a
## real `recoup serve` on fresh SQLite databases with the demo data; they
## save screenshots of every page in both languages into designer-ui/e2e/out/.
e2e: build
	cd $(UI) && npm run e2e

go-test:
	$(GO) test -count=1 -timeout 20m ./...
	CGO_ENABLED=1 $(GO) test -count=1 -timeout 20m -race ./engine/...
	CGO_ENABLED=1 $(GO) test -count=1 -timeout 20m -race -run 'Tick|CustomerStats|Inbox|DryRun|ReadAhead|OwedOnly|DueTasks' ./store/
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=20s -fuzzminimizetime=2s ./engine/

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench-ui: the web app's speed in a real browser (Debian's chromium) on
## the 1M-invoice database of BenchmarkAPILoad: the inbox, completing a
## task, the dashboard. RECOUP_BENCH_DB names the database; when it does not
## exist it is generated first (about 20 minutes on two cores).
bench-ui: build
	@test -n "$(RECOUP_BENCH_DB)" || { echo "usage: RECOUP_BENCH_DB=/tmp/recoup-bench-1m.db make bench-ui"; exit 2; }
	@test -f "$(RECOUP_BENCH_DB)" || RECOUP_BENCH_SECONDS=1 $(GO) test -run '^$$' -bench APILoad -benchtime 1x -timeout 90m ./api/
	cd $(UI) && node e2e/perf.mjs
	cd $(UI) && RECOUP_E2E_TEMPLATE=$${RECOUP_E2E_TEMPLATE:-e2e/out/db/template.db} node e2e/designer-perf.mjs

## bench: the performance targets of the issues, as Go benchmarks.
## BenchmarkTick generates and imports 1M invoices first (several minutes).
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x ./ingest/
	$(GO) test -run='^$$' -bench='Condition|EvaluateBatch|Compile|LoadExamples' -benchmem -benchtime=2s ./engine/
	$(GO) test -run='^$$' -bench=Tick -benchtime=1x -timeout=60m ./store/
	$(GO) test -run='^$$' -bench=Preview -benchtime=3x -timeout=30m ./api/
	$(GO) test -run='^$$' -bench='^BenchmarkValidateDefinition$$' -benchmem -benchtime=50x ./api/
	cd $(UI) && npx vitest bench --run src/designer/workflow
	$(GO) test -run='^$$' -bench='^BenchmarkDashboard$$' -benchtime=2x -timeout=90m ./store/
	$(GO) test -run='^$$' -bench='^BenchmarkAPILoad$$' -benchtime=1x -timeout=90m ./api/

clean:
	rm -rf bin var
