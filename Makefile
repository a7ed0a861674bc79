# Tether: `make run` starts the demo, `make test` runs every test of every
# binding. Everything builds into build/.

GO        ?= go
BUILD     := $(CURDIR)/build
DRIVERS   := $(BUILD)/drivers
SCENARIOS ?= testsuite/scenarios

.PHONY: all build deps summary-start test-tidy test test-parts test-postgres test-go test-race test-repeat test-convergence test-wasm-build test-c conformance \
        bench bench-store bench-crdt bench-ffi bench-sync bench-reset bench-scaleout bench-jvm tetherd \
        test-android test-ios android ios driver-jvm test-web test-web-node22 driver-node driver-chromium bench-wasm run drivers driver-go driver-c fuzz fuzz-ci coverage clean

all: build

build:
	$(GO) build ./...

# Every test: Go unit tests (race detector on core), the WebAssembly build
# of core, the C ABI tests, and the conformance scenarios through every
# binding driver. make deps installs what they need first; under make test
# (TETHER_STRICT=1) a part that skips for a missing tool fails the run, and
# the closing summary names every part that ran and every part that did
# not, and why (only what no Linux machine can do: Xcode, the Android NDK).
SUMMARY := $(BUILD)/test-summary.txt
test: export TETHER_STRICT = 1
test: export TETHER_SUMMARY = $(SUMMARY)
test: summary-start deps
	@# A second make, so that what deps installed is seen by the checks
	@# this Makefile makes when it is read (the drivers' toolchains).
	$(MAKE) --no-print-directory test-parts
	@echo; echo "make test: every part passed"; sort -s -k1,1 $(SUMMARY) | sed 's/^/  /'

test-parts: test-tidy test-go test-race test-repeat test-convergence fuzz-ci test-wasm-build test-c test-android \
	android test-ios ios test-web test-web-node22 conformance test-postgres

summary-start:
	@mkdir -p $(BUILD) && : > $(SUMMARY)

# Installs (as root) or names (otherwise) the Debian packages the tests
# and the demo need.
deps:
	@scripts/deps.sh

# go.mod and go.sum say exactly what the code imports.
test-tidy:
	$(GO) mod tidy -diff
	@scripts/ran.sh "go mod tidy check"

test-go:
	$(GO) vet ./...
	$(GO) test ./...
	@scripts/ran.sh "go vet and go test ./... (core, server, e2e, bindings' Go code, runner)"

# The server and end-to-end tests five times over: a race that fails one
# run in a hundred shows here, not in a user's app.
test-repeat:
	$(GO) test -count=5 ./server/ ./e2e/
	@scripts/ran.sh "server and e2e tests, 5 runs each"

# The randomized convergence tests (five clients, random edits, pauses,
# reconnects and server restarts, checked against internal/mergemodel)
# over 200 seeds; go test ./... runs a few of each.
test-convergence:
	TETHER_SEEDS=200 $(GO) test ./e2e/ -run 'Convergence$$' -count=1 -timeout 30m
	@scripts/ran.sh "randomized convergence tests, 200 seeds each"

# The race detector on core, the engine, the server, sessions and the
# end-to-end tests.
test-race:
	$(GO) test -race ./core/... ./internal/... ./server/... ./e2e/...
	@scripts/ran.sh "go test -race on core, internal (engine, crdt, protocol, boundary, ...), server, e2e"

test-wasm-build:
	GOOS=js GOARCH=wasm $(GO) build ./core/... ./internal/...
	@scripts/ran.sh "core and internal build for js/wasm"

test-c:
	$(MAKE) -C platforms/c test asan
	@scripts/ran.sh "C ABI tests (plain, under the Go race detector, under ASan/LSan) and the C driver smoke runs"

# The gomobile binding tested for real on the desktop JVM (JNI glue built
# for linux), its Kotlin layer, and the iOS header checks.
test-android:
	$(MAKE) -C platforms/android test

test-ios:
	$(MAKE) -C platforms/ios test

# The WebAssembly binding's npm package, tested in Node and in headless
# Chromium (IndexedDB persistence; the web demo end to end).
test-web:
	$(MAKE) -C platforms/web test test-types test-browser test-demo
	@scripts/ran.sh "npm package tests in Node, its types, in headless Chromium, the web demo"

# The npm package again under Node 22, whose WebSocket is built in (make
# deps installs Debian's Node 20): fetched from npm at a pinned version;
# a fetch that fails is a skip, so it fails make test.
test-web-node22:
	@if $(MAKE) --no-print-directory -C platforms/web node22; then \
		$(MAKE) --no-print-directory -C platforms/web test-node22 && \
		scripts/ran.sh "npm package under Node 22: its Node tests and every conformance scenario, on Node's built-in WebSocket"; \
	else scripts/skip.sh "npm package under Node 22" "npm could not fetch Node 22 (make -C platforms/web node22)"; fi

android:
	$(MAKE) -C platforms/android android

ios:
	$(MAKE) -C platforms/ios ios

drivers: driver-go driver-c driver-jvm driver-node driver-chromium

driver-node:
	$(MAKE) -C platforms/web driver

driver-chromium:
	$(MAKE) -C platforms/web driver-chromium

driver-jvm:
	$(MAKE) -C platforms/android driver

driver-go:
	@mkdir -p $(DRIVERS)
	$(GO) build -o $(DRIVERS)/tether-driver-go ./testsuite/drivers/godriver

driver-c:
	$(MAKE) -C platforms/c driver

# make conformance SCENARIOS=DIR runs every *.json under DIR through every
# binding driver.
# A binding whose toolchain is absent is reported as skipped, naming the
# missing tool (SPEC.md); everything present must pass.
C_DRIVER = $(shell if ! command -v gcc >/dev/null; then echo "skip:gcc not installed"; \
	elif [ ! -f /usr/include/cjson/cJSON.h ]; then echo "skip:libcjson-dev not installed"; \
	else echo "$(DRIVERS)/tether-driver-c"; fi)

# Scenarios that sync run against a fresh tetherd each (the runner starts it).
JVM_DRIVER = $(shell $(MAKE) --no-print-directory -s -C platforms/android driver-arg)

NODE_DRIVER = $(shell command -v node >/dev/null && echo $(DRIVERS)/tether-driver-node || echo "skip:node not installed")

# The same package in Debian's headless Chromium (IndexedDB, the browser's
# WebSocket), driven from Node by playwright-core.
CHROMIUM_DRIVER = $(shell if ! command -v node >/dev/null; then echo "skip:node not installed"; \
	elif [ ! -x /usr/bin/chromium ]; then echo "skip:chromium not installed"; \
	else echo "$(DRIVERS)/tether-driver-chromium"; fi)

# The conformance runner's arguments: tetherd and the five drivers.
CONFORMANCE_DRIVERS = -tetherd $(BUILD)/tetherd -driver go=$(DRIVERS)/tether-driver-go -driver "c=$(C_DRIVER)" \
	-driver "jvm=$(JVM_DRIVER)" -driver "node=$(NODE_DRIVER)" -driver "chromium=$(CHROMIUM_DRIVER)"

conformance: driver-go tetherd $(if $(findstring skip:,$(C_DRIVER)),,driver-c) driver-jvm $(if $(findstring skip:,$(NODE_DRIVER)),,driver-node) \
	$(if $(findstring skip:,$(CHROMIUM_DRIVER)),,driver-chromium)
	@for d in "c=$(C_DRIVER)" "jvm=$(JVM_DRIVER)" "node=$(NODE_DRIVER)" "chromium=$(CHROMIUM_DRIVER)"; do \
	  case "$${d#*=}" in skip:*) scripts/skip.sh "conformance through the $${d%%=*} driver" "$${d#*=skip:}" || exit 1;; esac; done
	$(GO) run ./testsuite/cmd/conformance -scenarios $(SCENARIOS) \
		$(CONFORMANCE_DRIVERS)
	@scripts/ran.sh "conformance: every scenario under $(SCENARIOS) through the go, c, jvm, node and chromium drivers"

# The storage contract, the server tests that go through the storage, the
# e2e suite and the sync and reset conformance scenarios (all 5 drivers) again
# against PostgreSQL-backed servers (TETHER_STORAGE=postgres): one
# throwaway cluster for the run (scripts/pg-start.sh: initdb in a temp
# directory, a loopback port, user nobody when run as root), stopped after
# however the run ends. PostgreSQL missing is a skip, so it fails make test.
# Every server test runs there but the two that damage the file backend's files.
PG_SERVER_FILE_ONLY = TestDamagedPartitionLogIsCorrupted|TestFreshBindsToADamagedPartitionDoNotHoldBootstrapSlots
# The scale-out fault tests (e2e/pgfault_test.go, build tag pgfault: too
# long for the e2e suite's repeated and race runs) run here with -v, and
# their counts (trials, writes checked, lost, duplicated) are printed.

test-postgres: driver-go tetherd $(if $(findstring skip:,$(C_DRIVER)),,driver-c) driver-jvm $(if $(findstring skip:,$(NODE_DRIVER)),,driver-node) \
	$(if $(findstring skip:,$(CHROMIUM_DRIVER)),,driver-chromium)
	@dir=$$(mktemp -u /tmp/tether-pg-XXXXXX); \
	if ! url=$$(TETHER_PG_WATCH_PID=$$$$ scripts/pg-start.sh $$dir); then \
		scripts/skip.sh "tests against PostgreSQL" "PostgreSQL could not be started (scripts/pg-start.sh)"; exit $$?; fi; \
	trap 'scripts/pg-stop.sh '$$dir EXIT; \
	export TETHER_PG_URL=$$url TETHER_STORAGE=postgres; set -e; \
	$(GO) test -count=1 -skip '$(PG_SERVER_FILE_ONLY)' ./server/; \
	$(GO) test -count=1 ./e2e/; \
	$(GO) vet -tags pgfault ./e2e/; \
	log=$$(mktemp); if ! TETHER_TETHERD=$(BUILD)/tetherd $(GO) test -tags pgfault -count=1 -v -run '^TestFault' ./e2e/ >$$log 2>&1; then \
		grep -v ' INFO \| DEBUG ' $$log; rm -f $$log; exit 1; fi; grep -E '^(---|ok)|fault test:' $$log; rm -f $$log; \
	$(GO) run ./testsuite/cmd/conformance -scenarios $(SCENARIOS) -run 'scenarios/(sync|reset)/' \
		$(CONFORMANCE_DRIVERS)
	@scripts/ran.sh "against PostgreSQL: storage contract and server tests, e2e suite, the scale-out fault tests (kill -9 of instances, PostgreSQL restarts), sync and reset conformance scenarios (go, c, jvm, node and chromium drivers)"

bench: bench-store bench-ffi bench-sync bench-reset bench-scaleout bench-jvm bench-wasm bench-crdt

bench-store:
	$(GO) run ./bench/store

bench-ffi:
	$(MAKE) -C platforms/c bench

bench-sync: tetherd
	$(GO) run ./bench/sync -tetherd $(BUILD)/tetherd

bench-reset:
	$(GO) run ./bench/reset

# tetherd on PostgreSQL (1 and 3 instances, child processes, a throwaway
# cluster from scripts/pg-start.sh) beside the embedded file storage:
# throughput, sync latency across instances, an instance's memory with
# up to a million objects stored (the count reached in its load budget),
# and the CPU per op of each instance, PostgreSQL and the clients.
bench-scaleout: tetherd
	$(GO) run ./bench/scaleout -tetherd $(BUILD)/tetherd

# The list benchmarks beside Yjs's Y.Array in the same run (the same
# workloads, checked by checksum): node runs bench/peers/yjs-lists.mjs
# with the yjs that bench/peers/package-lock.json pins, installed once.
PEERS := bench/peers
$(PEERS)/node_modules/.package-lock.json: $(PEERS)/package.json $(PEERS)/package-lock.json
	cd $(PEERS) && npm ci --ignore-scripts --no-audit --no-fund

bench-crdt: $(PEERS)/node_modules/.package-lock.json
	$(GO) run ./bench/crdt -yjs $(PEERS)/yjs-lists.mjs

bench-jvm:
	$(MAKE) -C platforms/android bench-jvm

bench-wasm:
	$(MAKE) -C platforms/web bench-wasm

tetherd:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/tetherd ./cmd/tetherd

# Every decoder of hostile bytes (wire frames, changesets, stored files,
# queries, ops, scenarios) has a fuzz target: `make fuzz` runs each for
# FUZZTIME executions (default 500000x, about a minute), `make test` for a
# CI-sized 20000x. Counts, not durations: Go 1.26's fuzz coordinator can
# fail a duration-bounded run with "context deadline exceeded" at the end
# of -fuzztime under load (go.dev/issue/75804, fixed in Go 1.27).
FUZZ_TARGETS = internal/protocol:FuzzDecode internal/crdt:FuzzDecodeChangeset internal/crdt:FuzzDecodeDict internal/crdt:FuzzDecodeSet internal/crdt:FuzzDecodeList internal/crdt:FuzzDecodeListState3 internal/engine:FuzzDecodeRecord \
	server:FuzzDecodeLogRecord server:FuzzReadSnapshot server:FuzzFlexibleFiltersAndRules internal/logfile:FuzzLogTail \
	core/query:FuzzCompile internal/boundary:FuzzTranscode internal/jsonread:FuzzReader testsuite/runner:FuzzParseScenario
FUZZTIME ?= 500000x

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} in ./$${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$${t#*:}$$" -fuzztime=$(FUZZTIME) ./$${t%%:*}/; \
	done

fuzz-ci:
	$(MAKE) --no-print-directory fuzz FUZZTIME=20000x
	@scripts/ran.sh "fuzz targets, 20000 inputs each: $(FUZZ_TARGETS)"

# tetherd on loopback with embedded storage, its URL and a token, and two
# clients syncing; the server keeps serving until Ctrl-C, with the web demo
# (platforms/web/demo, which needs tether.wasm) on http://127.0.0.1:7802/.
run: deps
	$(MAKE) -C platforms/web build
	$(GO) run ./cmd/tether-demo

# Statement coverage per package: Go tests and conformance (Go driver) together.
coverage:
	scripts/coverage.sh $(BUILD)/coverage

clean:
	rm -rf $(BUILD)
