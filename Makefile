# wirescan — build, run, test, benchmark.
#   make run    replay the bundled example captures with the built-in signatures and print the alerts
#   make test   vet, unit/fuzz-seed/end-to-end tests, real-traffic tests where the machine allows
GO        ?= go
BIN       := bin/wirescan
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo dev)
SHARED    ?= ../shared
CONFORMANCE_JOBS ?= 2
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run test unit realtraffic lint bench bench-peers bench-live bench-hostile fuzz soak conformance conformance-baseline testdata clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/wirescan

run: build
	@echo "== HTTP: keep-alive downloads, chunked+gzip, multipart upload (testdata/http-eicar.pcap)"
	@./$(BIN) replay -r testdata/http-eicar.pcap --set 'event-types=[alert]'
	@echo "== SMB2: reads and a write on a share (testdata/smb2-eicar.pcap)"
	@./$(BIN) replay -r testdata/smb2-eicar.pcap --set 'event-types=[alert]'

test: lint unit realtraffic

unit:
	$(GO) test -count=1 ./...

# Real clients and servers (curl/nginx, smbclient/samba) in network namespaces;
# each test skips with a message where the machine can't run it (not root, tools missing).
realtraffic: build
	WIRESCAN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -tags realtraffic -v -run RealTraffic ./tests/realtraffic/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: build
	$(GO) run ./bench -out bench/results/latest.md

# wirescan next to clamscan and yara on the same bytes and the same 10k
# literals, same run: bench/results/peers.md. Installs clamav, yara and time
# (Debian packages) when they are missing and this runs as root.
bench-peers: build
	@missing=""; for p in clamscan:clamav yara:yara /usr/bin/time:time; do command -v $${p%%:*} >/dev/null 2>&1 || missing="$$missing $${p#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "bench-peers: installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "bench-peers: needs$$missing (apt-get install$$missing)"; exit 1; fi; fi
	$(GO) run ./bench/cmd/peers -bin $(BIN) -out bench/results/peers.md

# Live capture drop onset on a veth (root; installs tcpreplay): bench/results/live-drops.md
bench-live: build
	WIRESCAN_BIN=$(CURDIR)/$(BIN) bash bench/live_drops.sh

# Full-size attacks on the sensor (10 GiB bombs, 100k file ids, 64k fragment
# datagrams...) replayed with peak RSS: bench/results/hostile.md
bench-hostile: build
	WIRESCAN_BIN=$(CURDIR)/$(BIN) bash bench/hostile.sh

# Every fuzz target of every package, one after the other (FUZZTIME each, one
# worker); a failing target does not stop the others, the list comes at the end.
fuzz:
	@fail=""; for t in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$t/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/' | sort); do \
	    echo "== $$t $$f"; $(GO) test -run XXX -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-30s} -parallel 1 $$t || fail="$$fail $$t:$$f"; done; done; \
	if [ -n "$$fail" ]; then echo "fuzz: failing targets:$$fail"; exit 1; fi

# Replay the conformance and testdata captures through one wirescan process
# (2 workers) for SOAKTIME and fail if its RSS grows (bench/cmd/soak).
soak: build
	$(GO) run ./bench/cmd/soak -bin $(BIN) -duration $${SOAKTIME:-10m} -captures '$(SHARED)/conformance/cases/*/input.pcap,testdata/*.pcap'

# The Suricata-derived conformance suite in ../shared (not part of the repository).
# Fails when a case listed in conformance/baseline.txt no longer passes.
conformance: build
	@if [ ! -d $(SHARED)/conformance ]; then echo "conformance: $(SHARED)/conformance not found, skipping"; exit 0; fi
	$(SHARED)/conformance/run --bin $(CURDIR)/$(BIN) --tier all -j $(CONFORMANCE_JOBS) -q --json conformance/latest.json > conformance/latest.txt || true
	python3 conformance/gate.py conformance/baseline.txt conformance/latest.json
	conformance/configured.sh $(SHARED)/conformance/run $(CURDIR)/$(BIN)
	conformance/cache-identical.sh $(SHARED)/conformance/run $(CURDIR)/$(BIN)

conformance-baseline: build
	$(SHARED)/conformance/run --bin $(CURDIR)/$(BIN) --tier all -j $(CONFORMANCE_JOBS) -q --json conformance/latest.json > conformance/latest.txt || true
	python3 conformance/gate.py --write conformance/baseline.txt conformance/latest.json

testdata:
	$(GO) run ./internal/pcapgen/cmd/gen -o testdata

clean:
	rm -rf bin conformance/latest.json conformance/latest.txt
