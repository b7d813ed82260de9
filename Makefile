# ShareThings: the single entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NPM_FLAGS := --no-audit --no-fund --loglevel=error
UNIT_TESTS := $(wildcard protocol/*.test.ts protocol/*/*.test.ts server/*.test.ts server/*/*.test.ts server/*/*/*.test.ts client/*/*.test.ts bench/*.test.ts)
E2E_TESTS := $(filter %.e2e.test.ts,$(UNIT_TESTS))
# Attacks whose test asserts the server still answers within 100 ms: run one at a time, after the rest,
# so the latency measured is the attack's, not that of another test file sharing the two cores.
ALONE_TESTS := $(filter %.alone.test.ts,$(UNIT_TESTS))
TESTS := $(filter-out %.e2e.test.ts %.alone.test.ts,$(UNIT_TESTS))
TEST_FLAGS ?= --test-concurrency=2 --test-timeout=120000

.PHONY: help install build pack run typecheck test clean admin-password cluster cluster-stop cert

help: ## Show this help
	@grep -hE '^[A-Za-z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
		'{ name[NR] = $$1; text[NR] = $$2; if (length($$1) > width) width = length($$1) } \
		END { for (i = 1; i <= NR; i++) printf "  make %-" width "s  %s\n", name[i], text[i] }'

node_modules/.package-lock.json: package.json package-lock.json
	npm ci $(NPM_FLAGS)
	@touch $@

install: node_modules/.package-lock.json ## Install dependencies (npm ci) when missing or outdated

build: install ## Build the web client into dist/client and the npm package into dist/package (about 2 s)
	npx tsx client/build.ts
	npx tsx client/package/build.ts

pack: install ## Build the npm package and pack it: dist/sharethings-<version>.tgz (see client/sdk/README.md)
	npx tsx client/package/build.ts --pack

# --initial-old-space-size: see server/node-flags.ts (package.json's start has it too).
run: build ## Install, build and start on http://localhost:3000 (PORT, HOST, ... from the environment)
	npx tsx --initial-old-space-size=128 server/main.ts

.PHONY: cli
cli: install ## Run the command-line client: make cli ARGS="send file.txt" (see client/cli/README.md)
	@npx tsx client/cli/main.ts $(ARGS)

typecheck: install ## Type-check everything, tests included
	npx tsc -p .

test: build typecheck ## Install, type-check and run every test
	npx tsx --test $(TEST_FLAGS) $(TESTS) $(E2E_TESTS)
	npx tsx --test --test-concurrency=1 --test-timeout=120000 $(ALONE_TESTS)

bench: install ## Run every benchmark (a few minutes); prints a table, writes bench/results/latest.json
	npx tsx bench/run-all.ts $(BENCH_ARGS)

.PHONY: bench-smoke
bench-smoke: install ## Run every benchmark in smoke mode (tiny sizes, seconds)
	npx tsx bench/run-all.ts --smoke

cluster: build ## Start Redis, Swift (S3), 3 nodes and HAProxy on loopback; prints the URL (see README)
	npx tsx server/ops/cluster-up.ts

cluster-stop: install ## Stop exactly what make cluster started (its data stays in run/cluster)
	npx tsx server/ops/cluster-down.ts

cert: install ## Write a self-signed certificate for HAProxy's TLS front end to certs/haproxy.pem
	npx tsx server/ops/make-cert.ts

admin-password: install ## Print a bcrypt hash for ADMIN_PASSWORD_HASH (asks twice, or reads one line from a pipe)
	@npx tsx server/ops/admin-password.ts

clean: ## Remove build output and test artifacts (keeps ./data, run/cluster and certs)
	rm -rf dist test-artifacts bench/results
