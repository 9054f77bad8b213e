# asession — build, demo, test. `make help` lists the targets.
GO      ?= go
BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Static binaries (no cgo, so no libc to match) with no build paths in them:
# the same file runs on any Linux distribution and in a scratch image.
# -buildvcs=auto records the commit even where GOFLAGS turns it off.
STATIC  := CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -ldflags "$(LDFLAGS)"

# make dist: one archive per platform plus SHA256SUMS, in DIST.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
DIST      ?= $(CURDIR)/dist

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

.PHONY: help build demo test test-windows vet lint fuzz fuzz-ci print-staticcheck-version generate clean install install-ascpsim bench dist cross soak

# The Python and Node packages (python/, npm/). Their tests drive
# bin/asession and bin/ascpsim; wheels and npm package make dist's binaries
# (running make dist first when DIST lacks this VERSION's archives) into
# DIST/wheels and DIST/npm; test-packages installs those offline and runs
# the tests against them. PYTHON needs the wheel and fsspec packages
# (Debian's python3-wheel, python3-fsspec): Debian's /usr/bin/python3 sees
# them, a pyenv python3 found first on PATH does not.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
.PHONY: test-python test-node wheels npm test-packages

# make image: the Dockerfile's image, asession alone, as IMAGE. make
# image-ascp: that image with IBM's ascp added from SDK, the Transfer SDK
# folder for Linux that holds ascp, its license and keys
# (examples/container/Dockerfile.ascp), as ASCP_IMAGE: the image that
# integrations/ runs. Push it to a registry of your own only (IBM's license
# does not let ascp be passed on) and name it there in the examples.
DOCKER     ?= docker
IMAGE      ?= asession:$(VERSION)
ASCP_IMAGE ?= asession-ascp:local
SDK        ?= examples/container/sdk

.PHONY: image image-ascp

help:
	@echo "make demo      build asession and the ascpsim stand-in, upload and download a tree, show events"
	@echo "make test      vet, gofmt check and the whole test suite with the race detector"
	@echo "make test-windows  the test suite built for windows/amd64 and run under Wine (.ci/wine/test-windows)"
	@echo "make lint      go vet, gofmt check and staticcheck ($(STATICCHECK_VERSION))"
	@echo "make fuzz-ci   every fuzz target for FUZZTIME (10s) each; make fuzz: FUZZTIME_LONG (3m) each"
	@echo "make soak      the fault schedule (lost, crash, stall x keepalive, removal, sessions) over SOAK (300) random seeds"
	@echo "make bench     relay vs bare splitter floor, codec/encoder/tracker, whole-process relay, 1M-path set-up, 1M/10M pairs piped vs streaming floor, startup, idle cost; table in bin/bench/report.txt"
	@echo "make build     build bin/asession and bin/ascpsim (static, versioned)"
	@echo "make cross     go vet and build every package for each of PLATFORMS"
	@echo "make dist      archives of asession for each of PLATFORMS and SHA256SUMS, in dist/"
	@echo "make generate  go generate ./...: the JSON Schemas, README field tables and Go spec from schema.Fields and mgmt.KnownFields, and every golden file"
	@echo "make install   install asession into GOBIN; make install-ascpsim: the stand-in too"
	@echo "make wheels    Python wheels carrying make dist's binaries, in dist/wheels; make npm: npm packages in dist/npm"
	@echo "make test-packages  install the wheel and the npm packages offline and test them against ascpsim"
	@echo "make image     the container image, asession alone, as IMAGE ($(IMAGE))"
	@echo "make image-ascp SDK=DIR  that image plus ascp from the Transfer SDK folder DIR, as ASCP_IMAGE ($(ASCP_IMAGE))"

build:
	$(STATIC) -o $(BIN)/asession ./cmd/asession
	$(STATIC) -o $(BIN)/ascpsim ./cmd/ascpsim

# Every package, tests included, must vet and build for every platform.
cross:
	@set -e; for p in $(PLATFORMS); do \
	  echo "== $$p"; \
	  CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./...; \
	  CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -o /dev/null ./...; \
	done

# Archives hold asession, LICENSE, README.md and CHANGELOG.md in a folder
# named like the archive: .tar.gz, or .zip for Windows. Owners, dates and
# order are fixed so that one commit gives the same bytes again.
dist:
	@set -e; rm -rf $(DIST); mkdir -p $(DIST); \
	stamp=$$(git log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z); \
	for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; exe=; [ $$os = windows ] && exe=.exe; \
	  name=asession_$(VERSION)_$${os}_$${arch}; dir=$(DIST)/$$name; \
	  echo "== $$name"; \
	  GOOS=$$os GOARCH=$$arch $(STATIC) -o $$dir/asession$$exe ./cmd/asession; \
	  cp LICENSE README.md CHANGELOG.md $$dir/; \
	  touch -d "$$stamp" $$dir $$dir/*; \
	  if [ $$os = windows ]; then \
	    (cd $(DIST) && find $$name | LC_ALL=C sort | zip -q -X -@ $$name.zip); \
	  else \
	    tar -C $(DIST) --sort=name --owner=0 --group=0 --numeric-owner -cf - $$name | gzip -n > $$dir.tar.gz; \
	  fi; \
	  rm -rf $$dir; \
	done; \
	cd $(DIST) && sha256sum asession_* > SHA256SUMS && cat SHA256SUMS

demo: build
	./examples/demo.sh

# integrations/ (workflow engines: Temporal activity, Argo/Kubernetes/Airflow/
# Nextflow examples) is its own module, so that the main module does not
# carry the Temporal SDK: vet, test and lint go there too.
INTEGRATIONS := integrations

vet:
	$(GO) vet ./...
	cd $(INTEGRATIONS) && $(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

test: vet
	$(GO) test -race -count=1 -timeout 30m ./...
	cd $(INTEGRATIONS) && $(GO) test -race -count=1 -timeout 30m ./...
	$(MAKE) test-python test-node

test-python: build
	cd python/tests && ASESSION_BIN=$(BIN)/asession ASCPSIM_BIN=$(BIN)/ascpsim PYTHONPATH=$(CURDIR)/python/src $(PYTHON) -m unittest -v

test-node: build
	ASESSION_BIN=$(BIN)/asession ASCPSIM_BIN=$(BIN)/ascpsim node --test npm/asession/test/ npm/test/

wheels:
	@grep -qs "asession_$(VERSION)_" $(DIST)/SHA256SUMS || $(MAKE) dist
	rm -rf $(DIST)/wheels
	$(PYTHON) python/build_wheels.py --version $(VERSION) --dist $(DIST) --out $(DIST)/wheels $(addprefix --platform ,$(PLATFORMS))

npm:
	@grep -qs "asession_$(VERSION)_" $(DIST)/SHA256SUMS || $(MAKE) dist
	rm -rf $(DIST)/npm
	node npm/pack.js --version $(VERSION) --dist $(DIST) --out $(DIST)/npm $(addprefix --platform ,$(PLATFORMS))

test-packages: build wheels npm
	PYTHON=$(PYTHON) ASCPSIM_BIN=$(BIN)/ascpsim python/test-installed.sh $(DIST)/wheels $(VERSION)
	ASCPSIM_BIN=$(BIN)/ascpsim npm/test-installed.sh $(DIST)/npm $(VERSION)

# The Windows build's tests, run under Wine (Debian's wine64 and mingw-w64;
# .ci/run installs them). The script says what Wine 8 needs and why.
test-windows:
	GO=$(GO) .ci/wine/test-windows

lint: vet
	@test -x "$(STATICCHECK)" || { echo "staticcheck not found: go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)"; exit 1; }
	$(STATICCHECK) ./...
	cd $(INTEGRATIONS) && $(STATICCHECK) ./...

# Go 1.26's fuzz coordinator can fail a target at the -fuzztime deadline
# with a bare "context deadline exceeded" and no failing input, when a
# worker is slow to stop on a busy machine (golang/go#75804, fixed in Go
# 1.27). Such a run is accepted once the target's corpus replays clean;
# any failing input still fails CI.
fuzz-ci:
	@set -e; log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	for dir in $$($(GO) list -f '{{.Dir}}' ./...); do \
	  for name in $$(cat $$dir/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
	    echo "== $$name ($$dir) for $(FUZZTIME)"; \
	    if $(GO) test $$dir -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) >$$log 2>&1; then cat $$log; continue; fi; \
	    cat $$log; \
	    if grep -q 'Failing input written' $$log || ! grep -qx '    context deadline exceeded' $$log || [ "$$(grep -c -- '--- FAIL' $$log)" != 1 ]; then exit 1; fi; \
	    echo "== $$name: the fuzz coordinator's deadline race (golang/go#75804), no failing input; replaying the corpus"; \
	    $(GO) test $$dir -run "^$$name\$$" -count 1; \
	  done; \
	done

fuzz:
	$(MAKE) fuzz-ci FUZZTIME=$(FUZZTIME_LONG)

print-staticcheck-version:
	@echo $(STATICCHECK_VERSION)

bench: build
	@mkdir -p $(BENCHDIR)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/benchreport ./internal/benchreport
	$(GO) test -c -o $(BENCHDIR)/session.test ./session
	@# The relay and the floor side by side, round after round: on a shared
	@# machine their ratio is taken per round (see benchreport).
	@: > $(BENCHDIR)/go.txt
	for i in $$(seq $(BENCHCOUNT)); do \
	  $(BENCHDIR)/session.test -test.run '^$$' -test.bench 'RelayFrames/all$$|FloorFrames' -test.benchmem -test.cpu 1 2>&1 | tee -a $(BENCHDIR)/go.txt || exit 1; \
	done
	$(BENCHDIR)/session.test -test.run '^$$' -test.bench 'RelayFrames/(raw|distinct)$$|NaiveFrames' -test.benchmem -test.cpu 1 -test.count $(BENCHCOUNT) 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(GO) test -run '^$$' -bench 'ReaderNext|ListFile1M' -benchmem -cpu 1 -count $(BENCHCOUNT) ./ascp ./ascp/mgmt 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(GO) test -run '^$$' -bench 'FrameEncoder|Transcoder' -benchmem -cpu 1 -count $(BENCHCOUNT) ./internal/framejson 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(GO) test -run '^$$' -bench 'Account' -benchmem -cpu 1 -count $(BENCHCOUNT) ./internal/account 2>&1 | tee -a $(BENCHDIR)/go.txt
	$(BIN)/benchreport -asession $(BIN)/asession -ascpsim $(BIN)/ascpsim -gobench $(BENCHDIR)/go.txt -runs $(BENCHRUNS) -out $(BENCHDIR)/report.txt

soak:
	$(GO) test ./cmd/asession -run '^TestFaultSchedule$$' -count=1 -timeout 90m -args -soak=$(SOAK)

generate:
	$(GO) generate ./...

image:
	$(DOCKER) build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

# The SDK folder is copied into a build context of its own, as sdk/, where
# Dockerfile.ascp takes it from.
image-ascp: image
	@test -x "$(SDK)/ascp" || { echo "no ascp in SDK=$(SDK): name the Transfer SDK folder for Linux that holds ascp"; exit 1; }
	ctx=$$(mktemp -d) && trap 'rm -rf "$$ctx"' EXIT && mkdir "$$ctx/sdk" && cp -R "$(SDK)/." "$$ctx/sdk/" && \
	$(DOCKER) build -f examples/container/Dockerfile.ascp --build-arg ASESSION_IMAGE=$(IMAGE) -t $(ASCP_IMAGE) "$$ctx"

# ascpsim is a test stand-in, not part of the product: users get asession on
# their PATH, and the simulator only when they ask for it.
install:
	CGO_ENABLED=0 $(GO) install -trimpath -buildvcs=auto -ldflags "$(LDFLAGS)" ./cmd/asession

install-ascpsim:
	CGO_ENABLED=0 $(GO) install -trimpath ./cmd/ascpsim

clean:
	rm -rf $(BIN) $(DIST) demo
