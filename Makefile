# Tether: `make run` starts the demo, `make test` runs every test of every
# binding. Everything builds into build/.

GO        ?= go
BUILD     := $(CURDIR)/build
DRIVERS   := $(BUILD)/drivers
SCENARIOS ?= testsuite/scenarios

.PHONY: all build test test-go test-race test-wasm-build test-c conformance \
        bench bench-store bench-ffi run drivers driver-go driver-c fuzz clean

all: build

build:
	$(GO) build ./...

# Every test: Go unit tests (race detector on core), the WebAssembly build
# of core, the C ABI tests, and the conformance scenarios through every
# binding driver.
test: test-go test-race test-wasm-build test-c conformance

test-go:
	$(GO) vet ./...
	$(GO) test ./...

test-race:
	$(GO) test -race ./core/...

test-wasm-build:
	GOOS=js GOARCH=wasm $(GO) build ./core/...

test-c:
	$(MAKE) -C platforms/c test asan

drivers: driver-go driver-c

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

conformance: driver-go $(if $(findstring skip:,$(C_DRIVER)),,driver-c)
	$(GO) run ./testsuite/cmd/conformance -scenarios $(SCENARIOS) \
		-driver go=$(DRIVERS)/tether-driver-go \
		-driver "c=$(C_DRIVER)"

bench: bench-store bench-ffi

bench-store:
	$(GO) run ./bench/store

bench-ffi:
	$(MAKE) -C platforms/c bench

# Fuzz the query parser and the stored-object decoder for a minute each.
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzCompile -fuzztime=60s ./core/query/
	$(GO) test -run='^$$' -fuzz=FuzzDecodeRecord -fuzztime=60s ./core/store/

run:
	@echo "tetherd, the sync server, and its demo arrive with the sync issue."
	@echo "Until then, this is the local database at work:"
	$(GO) run ./cmd/tether-demo

clean:
	rm -rf $(BUILD)
