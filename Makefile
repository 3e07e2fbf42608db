# Cadenza: one binary, two roles (Margo WFM or device agent), chosen by config.
GO      ?= go
PKGS    := ./... ./coa/...
BIN     := bin/cadenza
CONFIG  ?= samples/wfm.json
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: all build build-wfm run demo demo-check check test fmt fmt-check tree-check vet unit bench loadtest fuzz clean

all: build

## build: compile bin/cadenza
build:
	$(GO) build -ldflags "-X main.Version=$(VERSION)" -o $(BIN) ./host

## build-wfm: a slim binary without the device-side workload providers (Helm, Compose)
build-wfm:
	$(GO) build -tags nohelm,nocompose -ldflags "-X main.Version=$(VERSION)" -o bin/cadenza-wfm ./host

## run: build and run the host of CONFIG (default samples/wfm.json, the WFM; CONFIG=samples/hello.json for the smallest sample)
run: build
	$(BIN) run --config $(CONFIG)

## check: validate CONFIG without starting anything
check: build
	$(BIN) check --config $(CONFIG)

## test: gofmt check, no committed binaries, go vet and the race-enabled tests of the whole workspace
test: fmt-check tree-check vet unit

## tree-check: no executable binary is committed (build outputs belong in bin/, ignored)
tree-check:
	@bad=$$(git ls-files -z 2>/dev/null | xargs -0 -r file --mime-type 2>/dev/null | grep -E 'application/(x-executable|x-pie-executable|x-sharedlib|x-mach-binary)' || true); \
	if [ -n "$$bad" ]; then echo "executable binaries are committed (remove them; build outputs go to bin/):"; echo "$$bad"; exit 1; fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags nohelm,nocompose ./all ./host

unit:
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

## bench: benchmarks (HTTP binding overhead, state stores, signatures, documents)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

## demo: WFM + agent on loopback, deploy the sample application through Compose, show each step
## (PROFILE=rc.3: the agent speaks Margo rc.3, MIAF, on an SVID the demo issues; default p1)
demo:
	tools/demo.sh $(if $(PROFILE),--profile '$(PROFILE)')

## demo-check: interrupt make demo at several steps (SIGINT, SIGTERM, SIGKILL then a rerun) and check
## that it leaves no container, network, volume or process behind; needs Docker, takes minutes (not in make test)
demo-check:
	tools/demo-interrupt-check.sh $(SCENARIOS)

## loadtest: build bin/cadenza and bin/loadgen, start a WFM of its own (scratch dir, port 18443), measure signed manifest polls (304 and 200) and its memory, stop it
loadtest:
	tools/loadtest.sh $(CLIENTS) $(SECONDS) $(CONCURRENCY)

## fuzz: run every fuzz target for FUZZTIME each (default 20s)
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin var
