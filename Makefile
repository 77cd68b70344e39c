# ompconform: conformance and fuzz harness for OMP (draft-sthoria-omp-00).
GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 15s
GOFUZZSEC ?= 30
PKGS      := ./...

.PHONY: all build test vet fuzz gofuzz bench conformance ginkgo clean prove holdtimes dissector

all: build test

build:
	$(GO) build -o $(BIN)/ompconform ./cmd/ompconform

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

# The test command the README gives and CI runs. Under -race the RIB's
# tables live on the Go heap (mem_heap.go); the shipped build keeps them
# off-heap (mem_mmap.go), so the RIB's tests run once more without -race.
test: vet
	$(GO) test -race -timeout 15m $(PKGS)
	$(GO) test -count=1 ./peers/reference/rib/

# Each native fuzz target for a bounded time (FUZZTIME each).
fuzz:
	@for pkg in $$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# go-fuzz entry points (build tag gofuzz) for GOFUZZSEC seconds.
gofuzz:
	bash scripts/gofuzz.sh $(GOFUZZSEC)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./omp/

# The whole catalogue against the in-process reference, in each role,
# through `ompconform run`, with every report; then the checks CI gates on.
OUT   ?= out
ROLES ?= controller edge hub
conformance: build
	@mkdir -p $(OUT)
	$(BIN)/ompconform list --json > $(OUT)/cases.json
	@for r in $(ROLES); do \
	  echo "== ompconform run --role $$r"; \
	  $(BIN)/ompconform run --role $$r --quiet --junit $(OUT)/$$r.junit.xml --html $(OUT)/$$r.html \
	    --json $(OUT)/$$r.json --markdown $(OUT)/$$r.md --pcap-dir $(OUT)/pcap-$$r || exit 1; \
	  $(GO) run ./scripts/checkreports -list $(OUT)/cases.json -junit $(OUT)/$$r.junit.xml -html $(OUT)/$$r.html || exit 1; \
	done

# The same catalogue as ginkgo specs, each case in its own spec, in
# GINKGO_PROCS ginkgo processes (each with its own in-process reference):
# a process runs one spec at a time, and the timer cases wait for seconds,
# so more processes than cores; ginkgo's own JUnit report is checked to
# hold every case.
GINKGO_PROCS ?= 16
ginkgo: build
	@mkdir -p $(OUT)
	$(BIN)/ompconform list --json > $(OUT)/cases.json
	$(GO) tool ginkgo --procs=$(GINKGO_PROCS) --no-color --junit-report=$(OUT)/ginkgo.junit.xml ./suites
	$(GO) run ./scripts/checkreports -list $(OUT)/cases.json -junit $(OUT)/ginkgo.junit.xml

# The Wireshark dissector (tools/wireshark/omp.lua) against the codec,
# message by message, over the captures of a run and a synthetic capture
# of every kind of message (scripts/dissector-check.sh installs tshark if
# it is missing, and skips loudly only if apt-get cannot).
dissector: build
	BIN=$(BIN) OUT=$(OUT) GO=$(GO) bash scripts/dissector-check.sh

# The proof that the catalogue has teeth: the catalogue against the
# reference with each of its named faults (docs/faults.md), in every role
# the fault shows in, a process each; fails unless the correct reference
# passes, every fault fails the gate and every case that is not
# INFORMATIONAL is failed by a fault. Writes $(OUT)/prove/kills.{json,html}.
# A run waits on the catalogue's timers far more than it computes: at 16
# runs at once the 340 runs took 6 min 23 s and 4.7 min of CPU on two
# cores (at 8, 12 min 33 s), with the same kills.
PROVE_JOBS ?= 16
prove: build
	$(BIN)/ompconform prove --jobs $(PROVE_JOBS) --out $(OUT)/prove

# The catalogue against the reference daemon as an external DUT with hold
# times 3, 9 and 60 and overlays 0 and 5: timers come from the negotiation,
# identities from the DUT's HANDSHAKE.
holdtimes: build
	OMPCONFORM=$(BIN)/ompconform OUT=$(OUT) bash scripts/holdtimes.sh

# The catalogue against the reference as a local program (--dut-cmd) and
# as a container (testcontainers-go); in-process is `make conformance`.
.PHONY: launch-modes
launch-modes: build
	OMPCONFORM=$(BIN)/ompconform bash scripts/launch-modes.sh

# The reference DUT image and the harness image (FROM scratch); image-check
# also runs the harness image against the reference on loopback.
.PHONY: image image-check
image:
	bash scripts/images.sh
image-check:
	bash scripts/images.sh check

clean:
	rm -rf $(BIN) $(OUT)

# Controller scale benchmark (bench/scale): N vRoutes from one edge through
# the reference controller (its own process) to M edges. See
# `ompconform help bench-scale`.
SCALE_N ?= 100000,1000000
SCALE_M ?= 1,4
.PHONY: bench-scale
bench-scale: build
	$(BIN)/ompconform bench-scale --n $(SCALE_N) --m $(SCALE_M)

# The reference daemon under a bounded soak (peers/reference TestSoak):
# SOAK_SESSIONS sessions on loopback for SOAK_DURATION, with route churn,
# state API polling and random resets; RSS and goroutines must come back
# to their baseline (tolerances in peers/reference/soak_test.go).
SOAK_DURATION ?= 60s
SOAK_SESSIONS ?= 500
.PHONY: soak
soak:
	$(GO) test -run '^TestSoak$$' -count=1 -v -timeout 5m ./peers/reference/ -soak -soak.duration $(SOAK_DURATION) -soak.sessions $(SOAK_SESSIONS)

# ClusterFuzzLite / OSS-Fuzz: .clusterfuzzlite/build.sh must build every
# native fuzz target (go test -list '^Fuzz' ./...). The OSS-Fuzz base image
# cannot be pulled here, so its compile_native_go_fuzzer lines are run with
# the native toolchain (go test -c per package, each target's seed corpus
# run once), and the check says so.
.PHONY: cflite-check
cflite-check:
	GO=$(GO) bash scripts/cflite-check.sh
