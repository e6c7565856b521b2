# secc — see README.md. `make test` is what CI runs.
GO      ?= go
BIN     := bin/secc
# The libseccomp differential tests need libseccomp-dev; without it they
# are left out (CI installs it, see .ci/run).
TAGS    ?= $(shell pkg-config --exists libseccomp 2>/dev/null && echo libseccomp)
# Empty: each target runs a fixed number of inputs (about 10 s here). A
# count, not a duration: Go 1.26's fuzz coordinator can fail a clean run
# with "context deadline exceeded" when a duration expires mid-input
# (go.dev/issue/75804, fixed in Go 1.27).
FUZZTIME ?=

.PHONY: build test unit race fuzz-smoke fuzz bench lint demo graph-example clean

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/secc

# The whole suite: vet, unit/property/live-kernel/differential tests (the
# libseccomp tag needs libseccomp-dev), the race detector on the packages
# that compile concurrently, and a short run of every fuzz target.
test: lint unit race fuzz-smoke

unit:
	@test -n "$(TAGS)" || echo "note: libseccomp-dev not found: the libseccomp differential tests are skipped (apt-get install libseccomp-dev)"
	$(GO) test -tags '$(TAGS)' -count=1 ./...

# The compiler builds, and verifies, the arches at once.
race:
	$(GO) test -race -short -count=1 ./compiler ./compiler/codegen ./compiler/verify .

# Each fuzz target briefly (CI): package:target:inputs.
# `make fuzz FUZZTIME=10m` for a real run.
FUZZ_TARGETS := \
	./preprocessor:FuzzPreprocess:200000x \
	./lang:FuzzParse:120000x \
	./converter:FuzzDecode:150000x \
	./compiler:FuzzCompile:60000x

fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$${rest#*:}; \
		budget="$(FUZZTIME)"; budget=$${budget:-$$n}; \
		echo "fuzz $$pkg $$fn ($$budget)"; \
		$(GO) test -tags '$(TAGS)' -run '^$$' -fuzz "^$$fn$$" -fuzztime $$budget -fuzzminimizetime 100x $$pkg; \
	done

# Long runs: every fuzz target for 5 minutes, and thousands of random
# profiles against libseccomp.
fuzz:
	$(MAKE) fuzz-smoke FUZZTIME=$(or $(FUZZTIME),5m)
	SECC_RANDOM_PROFILES=5000 $(GO) test -tags '$(TAGS)' -count=1 -run Random ./internal/libseccomp

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet -tags '$(TAGS)' ./...

# Regenerates BENCHMARKS.md (instruction counts, paths, compile time, and
# libseccomp's numbers for the same profiles).
bench:
	$(GO) run -tags '$(TAGS)' ./internal/benchreport -o BENCHMARKS.md

# Compiles the built-in container policy (Docker's default profile as .sec)
# for this machine and shows what it does.
demo: build
	./$(BIN) compile --builtin container-default --caps docker -v -o bin/container-default.bpf
	./$(BIN) disasm bin/container-default.bpf | head -n 14
	./$(BIN) sim bin/container-default.bpf read
	./$(BIN) sim bin/container-default.bpf personality 0xffffffff
	./$(BIN) sim bin/container-default.bpf mount

# The README's picture of a decision structure (needs graphviz's dot).
graph-example: build
	./$(BIN) graph --arch x86_64 analysis/testdata/example.sec -o docs/graph-example.dot
	dot -Tpng docs/graph-example.dot -o docs/graph-example.png

clean:
	rm -rf bin
