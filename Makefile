# asession — build, demo, test. `make help` lists the targets.
GO      ?= go
BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: help build demo test vet generate clean install

help:
	@echo "make demo      build asession and the ascpsim stand-in, upload and download a tree, show events"
	@echo "make test      vet, gofmt check and the whole test suite with the race detector"
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

generate:
	$(GO) test ./schema -run TestGeneratedFilesAreCurrent -update
	$(GO) test ./session -run TestSpecs -update
	$(GO) test ./events -run TestTranscripts -update

install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/asession ./cmd/ascpsim

clean:
	rm -rf $(BIN) demo
