# Amity: the doors in. `make help` lists them.
GO ?= go
PKGS := ./...
BENCH_FLAGS ?=

.PHONY: help run test test-deps screenshots check bench bench-peers bench-migrate bench-replay fuzz mutate build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

# The shell execs the binary, so Ctrl-C reaches the service alone and
# make ends with the service's own exit status (0 after a clean shutdown).
run: ## start the service: embedded NATS, a development app, its credentials printed
	$(GO) build -o bin/amity ./cmd/amity && exec bin/amity serve

# -trimpath keeps the checkout's own path out of the build cache's keys, so
# a fresh clone builds from what an earlier one of the same code cached.
test: test-deps ## go vet and every test under the race detector, each test named as it ends, with each package's coverage
	$(GO) vet -trimpath $(PKGS)
	$(GO) tool gotestsum --format testname -- -trimpath -race -count=1 -cover -parallel 16 -timeout 15m $(PKGS)

test-deps: ## install what the tests need from package registries: Debian's chromium, and from npm axe-core for the console's browser test and nats for the Node.js example (CI fails without them)
	@sh internal/testenv/install-browser.sh || { \
		if [ -n "$$CI" ]; then echo "test-deps: chromium could not be installed, and CI needs it"; exit 1; fi; \
		echo "test-deps: chromium could not be installed; the browser test will say it skips"; }
	@sh internal/testenv/install-npm.sh || { \
		if [ -n "$$CI" ]; then echo "test-deps: axe-core and nats could not be installed from the npm registry, and CI needs them"; exit 1; fi; \
		echo "test-deps: axe-core and nats could not be installed from the npm registry; the browser and Node.js tests will say they skip"; }

screenshots: test-deps ## run the console's browser test and keep its screenshots of every page at 1400 and 420 px in docs/console (docs/operations.md shows them)
	AMITY_TEST_OUTPUT=$(CURDIR)/docs $(GO) test -count=1 -run '^TestConsoleInABrowser$$' ./cmd/amity/

check: ## gofmt, go vet, staticcheck and the tests
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet -trimpath $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	$(MAKE) test

bench: ## HTTP load benchmark against a fresh server with 1M users and 10M edges, Go benchmarks, then make bench-migrate (docs/benchmarks.md)
	$(GO) run ./cmd/amity-bench --dataset-users 1000000 --dataset-edges 10000000 $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./projections/ ./domain/ ./http/zim/ ./http/ ./http/console/ ./http/yunxin/
	$(GO) test -run '^$$' -bench CatchUp -benchtime 30x ./client/
	$(MAKE) bench-migrate

bench-peers: ## install PostgreSQL and Redis (apt-get), then make bench with them beside Amity
	command -v pgbench >/dev/null && command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql redis-server)
	$(MAKE) bench BENCH_FLAGS="--peers $(BENCH_FLAGS)"

bench-migrate: ## copy an app of 1M users and 10M edges from a source Amity's Tencent surface with amity migrate, unlimited and at --qps 2000, then verify it; then what Amity records from a source in memory (docs/benchmarks.md)
	$(GO) run ./cmd/amity-bench --migrate-users 1000000 --migrate-edges 10000000 $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench CopyRecording -benchtime 50000x ./cmd/amity-bench/

bench-replay: ## write events in big and in small commits, then time a full replay of each against the raw stream read (docs/benchmarks.md)
	$(GO) run ./cmd/amity-bench --replay-events 1000000 $(BENCH_FLAGS)
	$(GO) run ./cmd/amity-bench --replay-events 300000 --replay-per-call 1 --replay-callers 8 $(BENCH_FLAGS)

fuzz: ## fuzz the decoders for a while each
	$(GO) test -run '^$$' -fuzz FuzzUnmarshalCommit -fuzztime 30s ./domain/
	$(GO) test -run '^$$' -fuzz FuzzCommitDecodersAgree -fuzztime 30s ./domain/
	$(GO) test -run '^$$' -fuzz FuzzMarshalCommitAsEncodingJSON -fuzztime 30s ./domain/
	$(GO) test -run '^$$' -fuzz FuzzScannerAsEncodingJSON -fuzztime 30s ./domain/jsonscan/
	$(GO) test -run '^$$' -fuzz FuzzAppendStringAsEncodingJSON -fuzztime 30s ./domain/jsonscan/
	$(GO) test -run '^$$' -fuzz FuzzSkip -fuzztime 30s ./domain/jsonscan/
	$(GO) test -run '^$$' -fuzz FuzzTimeAsEncodingJSON -fuzztime 30s ./domain/jsonscan/
	$(GO) test -run '^$$' -fuzz FuzzCheckRequestScan -fuzztime 30s ./http/zim/
	$(GO) test -run '^$$' -fuzz FuzzFriendBatchScan -fuzztime 30s ./http/zim/
	$(GO) test -run '^$$' -fuzz FuzzZIMDecode -fuzztime 30s ./http/zim/
	$(GO) test -run '^$$' -fuzz FuzzTencentDecode -fuzztime 30s ./http/tencent/
	$(GO) test -run '^$$' -fuzz FuzzQueryAsParseQuery -fuzztime 30s ./http/
	$(GO) test -run '^$$' -fuzz FuzzNotificationJSON -fuzztime 30s ./delivery/
	$(GO) test -run '^$$' -fuzz FuzzEventLogReadsAnyBytes -fuzztime 30s ./projections/
	$(GO) test -run '^$$' -fuzz FuzzV1Routes -fuzztime 30s ./http/native/
	$(GO) test -run '^$$' -fuzz FuzzConsoleAPI -fuzztime 30s ./http/console/

mutate: ## mutation testing of domain (with domain/jsonscan), domain/jsonscan and projections by their own tests; fails under 85% efficacy
	$(GO) tool gremlins unleash ./domain/jsonscan --workers 2 --threshold-efficacy 85
	$(GO) tool gremlins unleash ./domain --workers 2 --threshold-efficacy 85
	$(GO) tool gremlins unleash ./projections --workers 2 --threshold-efficacy 85

build: ## build bin/amity
	$(GO) build -o bin/amity ./cmd/amity
