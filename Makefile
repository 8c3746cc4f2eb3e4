# Protocol-7 cube. `make run` and `make test` are all a fresh machine needs.
SWIFT ?= swift
## Installation (scripts/install.sh): PREFIX and DESTDIR as usual; the others follow PREFIX.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
## Which build `make install` installs: release (default) or debug.
CONFIGURATION ?= release
BUILT ?= $(CURDIR)/.build/$(CONFIGURATION)

.PHONY: deps build release run test test-core fuzz check-imports clean install install-built uninstall

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Start a cube with the embedded default configuration (socket /run/protocol-7/cube.sock,
## mount /run/protocol-7/net); without root, under ./run instead.
run: build
	@if [ "$$(id -u)" -eq 0 ]; then exec .build/debug/cube run; else \
	    mkdir -p run/net; echo "not root: socket run/cube.sock, mount run/net (export PROTOCOL_7_UNIX_PATH=$(CURDIR)/run/cube.sock)"; \
	    exec .build/debug/cube run --socket $(CURDIR)/run/cube.sock --mount $(CURDIR)/run/net; fi

## The whole suite: unit, transcript, live-socket and mount tests, then the short soak.
test: deps check-imports
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel
	@$(MAKE) --no-print-directory soak-short

## Only the pure core (fast).
test-core: deps
	$(SWIFT) test --filter CubeCoreTests

## A long fuzz pass over the decoder, parser, router, handshake and frame decoder (property
## tests with a seeded generator; FUZZ_ITERATIONS and FUZZ_SEED override, the seed is printed).
FUZZ_ITERATIONS ?= 200000
fuzz: deps
	@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; echo "fuzz seed $$seed, $(FUZZ_ITERATIONS) iterations per property"; \
	CUBE_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) CUBE_FUZZ_SEED=$$seed $(SWIFT) test --filter 'FuzzTests'

## Module boundaries of docs/architecture.md.
check-imports:
	@! grep -rlE '^import (NIO|NIOCore|NIOPosix|Foundation|Glibc|Logging|CSodium|CFuse3|CSQLite3)' Sources/CubeCore Sources/CubeFS --include=*.swift
	@! grep -rl 'import NIOPosix' Sources --include=*.swift | grep -v -e '^Sources/CubeNet/' -e '^Sources/CubeMetrics/'
	@! grep -rl 'import CSodium' Sources --include=*.swift | grep -v '^Sources/CubeAuth/'
	@! grep -rl 'import CFuse3' Sources --include=*.swift | grep -v '^Sources/CubeFUSE/'
	@! grep -rl 'import CSQLite3' Sources --include=*.swift | grep -v '^Sources/CubeStore/'
	@# The socket module is the daemon's alone: the runtime, the mount, the manager and the
	@# metrics reach the router through CubeRuntime.
	@! grep -rlE '^(@testable )?import CubeNet$$' Sources --include=*.swift | grep -v '^Sources/cube/'
	@! grep -rlE '^import (NIO|NIOPosix|NIOHTTP1|ServiceLifecycle)$$' Sources/CubeRuntime --include=*.swift
	@echo "module boundaries ok"

INSTALL_ENV = BUILT='$(BUILT)' DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' MANDIR='$(MANDIR)' \
    DATADIR='$(DATADIR)' SYSCONFDIR='$(SYSCONFDIR)' UNITDIR='$(UNITDIR)'

## cube, p7, zenka, man pages, shell completions, configuration/ as $(SYSCONFDIR)/protocol-7/
## and the systemd unit protocol-7.service. Builds first (a no-op when the build is up to
## date); `make install CONFIGURATION=debug` installs the debug build instead.
install: $(if $(filter debug,$(CONFIGURATION)),build,release)
	@$(INSTALL_ENV) scripts/install.sh install

## The same without building (what `make install` does after its build step).
install-built:
	@$(INSTALL_ENV) scripts/install.sh install

## Removes what `make install` put in place (same PREFIX/DESTDIR); keeps edited configuration.
uninstall:
	@$(INSTALL_ENV) scripts/install.sh uninstall

clean:
	rm -rf .build

## Benchmarks (docs/performance.md): the cube against nats-server and a raw socket pair, the
## mount, memory per session, start-up, uneven workers and a burst onto three nodes, in one
## table. Needs root for the mount; < 6 min.
## BENCH_SCRATCH selects the release build directory (default: the usual .build).
BENCH_SCRATCH ?= .build
BENCH_RUN = python3 Benchmarks/run.py --cube $(BENCH_SCRATCH)/release/cube --p7load $(BENCH_SCRATCH)/bench/p7load

.PHONY: bench bench-check bench-build bench-deps bench-router

bench: bench-build
	$(BENCH_RUN)

## Short routed benchmark; fails only below 20 % of the figure recorded in docs/performance.md.
bench-check: bench-build
	$(BENCH_RUN) --check docs/performance.md

## The routing core alone (no sockets): CPU ns per pipelined request, to compare two builds.
bench-router: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product cube-router-bench
	$(BENCH_SCRATCH)/release/cube-router-bench 64 2

## A network of N nodes simulated in one process (docs/network.md "Scaling"): the pure
## topology core of every node, adverts flooding round by round, no sockets. Convergence after
## a link and a node loss, advert traffic steady and under churn, memory per node.
## NETWORK_SIM_SIZES (default 100,1000), NETWORK_SIM_SHAPES (mesh,regions), latency ms per hop.
NETWORK_SIM_SIZES ?= 100,1000
NETWORK_SIM_SHAPES ?= mesh,regions
NETWORK_SIM_LATENCY_MS ?= 1

.PHONY: network-sim
network-sim: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product cube-network-sim
	$(BENCH_SCRATCH)/release/cube-network-sim $(NETWORK_SIM_SIZES) $(NETWORK_SIM_SHAPES) $(NETWORK_SIM_LATENCY_MS)

bench-build: deps bench-deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product cube
	@mkdir -p $(BENCH_SCRATCH)/bench
	gcc -O2 -Wall -Wextra -o $(BENCH_SCRATCH)/bench/p7load Benchmarks/p7load.c

bench-deps:
	@command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || \
	    { s=$$([ "$$(id -u)" -eq 0 ] || echo sudo); echo "installing: nats-server"; \
	      $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq nats-server; }

## Soak (docs/soak.md): a real cube under honest load and every abuse of issue 12 at once, for
## SOAK_SECONDS (default 180, at most 600); prints sent/answered/lost, latency and RSS, exits 1
## when a bound is exceeded. Needs root (the abusers run as nobody, daemon and bin).
## SOAK_ARGS adds options (e.g. --short, --no-churn, --measure-churn 1000,50000; see --help).
SOAK_SCRATCH ?= .build
SOAK_ARGS ?=

.PHONY: soak soak-build soak-short

soak: soak-build
	python3 Benchmarks/soak.py --cube $(SOAK_SCRATCH)/release/cube --p7load $(SOAK_SCRATCH)/bench/p7load $(SOAK_ARGS)

soak-build: deps
	$(SWIFT) build -c release --scratch-path $(SOAK_SCRATCH) --product cube
	@mkdir -p $(SOAK_SCRATCH)/bench
	gcc -O2 -Wall -Wextra -o $(SOAK_SCRATCH)/bench/p7load Benchmarks/p7load.c

## The short soak, the last step of `make test` (docs/soak.md "In make test"): the debug cube
## (built by `swift build --build-tests`) under every abuse at once for about 35 s. Fails when an
## honest request is lost or refused, an honest pwd login fails, or RSS passes limits.memory;
## latencies are printed, not bounded. Needs root; skipped (with a line saying so) without.
soak-short: deps
	@mkdir -p .build/bench
	gcc -O2 -Wall -Wextra -o .build/bench/p7load Benchmarks/p7load.c
	@if [ "$$(id -u)" -ne 0 ]; then echo "soak-short: skipped (needs root: the abusers run as nobody, daemon and bin)"; \
	else python3 Benchmarks/soak.py --cube .build/debug/cube --p7load .build/bench/p7load --short; fi
