# asession — build, demo, test. `make help` lists the targets.
GO      ?= go
BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# Fuzzing: every Fuzz target of every package (func Fuzz... in its tests), each for
# FUZZTIME; `make fuzz` runs them longer. Crashers land in the package's
# testdata/fuzz/<FuzzName>/, which go test replays from then on.
FUZZTIME      ?= 10s
FUZZTIME_LONG ?= 3m
# staticcheck as .ci/run installs it (go install ...@$(STATICCHECK_VERSION)).
STATICCHECK_VERSION := v0.8.2
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo "$$($(GO) env GOPATH)/bin/staticcheck")

# make bench: the hot-path Go benchmarks on one core (BENCHCOUNT runs each),
# then the whole-process runs and the table (internal/benchreport), saved in
# BENCHDIR. See BENCHMARKS.md.
BENCHCOUNT ?= 5
BENCHRUNS  ?= 5
BENCHDIR   ?= $(BIN)/bench

# make soak: TestFaultSchedule over SOAK random seeds besides its fixed set.
SOAK ?= 300

.PHONY: help build demo test vet lint fuzz fuzz-ci print-staticcheck-version generate clean install bench soak

help:
	@echo "make demo      build asession and the ascpsim stand-in, upload and download a tree, show events"
	@echo "make test      vet, gofmt check and the whole test suite with the race detector"
	@echo "make lint      go vet, gofmt check and staticcheck ($(STATICCHECK_VERSION))"
	@echo "make fuzz-ci   every fuzz target for FUZZTIME (10s) each; make fuzz: FUZZTIME_LONG (3m) each"
	@echo "make soak      the fault schedule (lost, crash, stall x keepalive, removal, sessions) over SOAK (300) random seeds"
	@echo "make bench     hot-path benchmarks, whole-process runs (RSS, startup), table in bin/bench/report.txt"
	@echo "make build     build bin/asession and bin/ascpsim"
	@echo "make generate  regenerate the JSON Schema and the README field table from schema.Fields"
	@echo "make install   install asession and ascpsim into GOBIN"

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/asession ./cmd/asession
	$(GO) build -o $(BIN)/ascpsim ./cmd/ascpsim

demo: build
	./examples/demo.sh

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

test: vet
	$(GO) test -race -count=1 ./...

lint: vet
	@test -x "$(STATICCHECK)" || { echo "staticcheck not found: go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)"; exit 1; }
	$(STATICCHECK) ./...

fuzz-ci:
	@set -e; for dir in $$($(GO) list -f '{{.Dir}}' ./...); do \
	  for name in $$(cat $$dir/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
	    echo "== $$name ($$dir) for $(FUZZTIME)"; \
	    $(GO) test $$dir -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

fuzz:
	$(MAKE) fuzz-ci FUZZTIME=$(FUZZTIME_LONG)

print-staticcheck-version:
	@echo $(STATICCHECK_VERSION)

bench: build
	@mkdir -p $(BENCHDIR)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/benchreport ./internal/benchreport
	$(GO) test -run '^$$' -bench 'RelayFrames|NaiveFrames' -benchmem -cpu 1 -count $(BENCHCOUNT) ./session 2>&1 | tee $(BENCHDIR)/go.txt
	$(GO) test -run '^$$' -bench 'ReaderNext|ListFile1M' -benchmem -cpu 1 -count $(BENCHCOUNT) ./ascp 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(GO) test -run '^$$' -bench 'FrameEncoder|Tracker' -benchmem -cpu 1 -count $(BENCHCOUNT) ./events 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(BIN)/benchreport -asession $(BIN)/asession -ascpsim $(BIN)/ascpsim -gobench $(BENCHDIR)/go.txt -runs $(BENCHRUNS) -out $(BENCHDIR)/report.txt

soak:
	$(GO) test ./cmd/asession -run '^TestFaultSchedule$$' -count=1 -timeout 90m -args -soak=$(SOAK)

generate:
	$(GO) test ./schema -run TestGeneratedFilesAreCurrent -update
	$(GO) test ./session -run TestSpecs -update
	$(GO) test ./events -run TestTranscripts -update

install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/asession ./cmd/ascpsim

clean:
	rm -rf $(BIN) demo
