# Reliability Patterns Workshop. `make` or `make help` lists the targets.

# Every module directory in go.work, and the lessons among them.
MODULES := $(shell go list -m -f '{{.Dir}}' 2>/dev/null | sed 's|^$(CURDIR)$$|.|; s|^$(CURDIR)/||')
LESSONS := $(sort $(wildcard [0-9][0-9]_*))
# make exercises LESSON=01 runs one lesson's exercises; empty means all.
LESSON ?=

# bash with pipefail, so that `go test ... | benchratio` fails when the
# benchmarks do, not only when the ratio printer does.
SHELL := bash
.SHELLFLAGS := -o pipefail -c

.DEFAULT_GOAL := help
.PHONY: help test progress watch exercises solutions stubs-sum bench charts lint fmt tidy run-01 sim-01 run-02 run-03 run-04 run-05 run-06

help: ## list the targets
	@echo "Reliability Patterns Workshop"
	@echo
	@awk -v width=80 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / { \
		line = sprintf("  make %-12s", $$1); n = split($$2, word, " "); \
		for (i = 1; i <= n; i++) { \
			if (length(line) + 1 + length(word[i]) > width) { print line; line = sprintf("%19s", "") } \
			line = line " " word[i] } \
		print line }' $(MAKEFILE_LIST)
	@echo
	@echo "  LESSON=N limits 'make exercises' and 'make solutions' to one lesson:"
	@echo "  make exercises LESSON=2   (or 02, or 02_timeout)"

test: ## THE test command: course shape, gofmt, vet, staticcheck, tests, exercises and wrong answers, tidy, demos, line widths
	go run ./tools/check

progress: ## where you are in the course and what to do next (go run ./workshop)
	go run ./workshop

watch: ## re-run the current exercise's tests on every save
	go run ./workshop watch

exercises: ## run YOUR exercises, one verdict each (red until you solve them); exits 0, the last line is the verdict
	go run ./tools/check -yours -lesson "$(LESSON)"

solutions: ## exercise tests: solutions pass, stubs fail, wrong answers caught
	go run ./tools/check -only exercises -lesson "$(LESSON)"

stubs-sum: ## after changing a stub or exercise test: refresh exercises.sum
	go run ./tools/check -write-sum

bench: ## every lesson's benchmarks (not your exercises) with hand-rolled/library ratios
	go test -run '^$$' -bench . -benchmem $$(go list $(addprefix ./,$(addsuffix /...,$(LESSONS))) | grep -v /exercises) | go run ./tools/benchratio

charts: ## redraw every figure in NN_topic/figures from its demo's run
	go run ./01_retry -sim -svg 01_retry/figures >/dev/null
	go run ./01_retry -svg 01_retry/figures >/dev/null
	go run ./02_timeout -svg 02_timeout/figures >/dev/null
	go run ./03_circuit_breaker -replicas 3 -svg 03_circuit_breaker/figures >/dev/null
	go run ./04_bulkhead -svg 04_bulkhead/figures >/dev/null
	go run ./05_rate_limit -svg 05_rate_limit/figures >/dev/null
	go run ./05_rate_limit -replicas 3 -svg 05_rate_limit/figures >/dev/null
	@# 06's default demo keeps real time: its figure is drawn in virtual time
	go test ./06_composed_mini -run TestFiguresAreUpToDate -count=1 -update

lint: ## gofmt check, go vet and staticcheck (pinned in tools/go.mod)
	go run ./tools/check -only gofmt,vet,staticcheck

fmt: ## format every Go file in place
	gofmt -w $(MODULES)

tidy: ## go mod tidy in every module; go.work.sum gets every checksum the workspace needs
	@for m in $(MODULES); do echo "tidy $$m"; (cd $$m && go mod tidy) || exit 1; done
	@echo "complete go.work.sum"; go mod download && go list -m all > /dev/null && go list -deps -test work > /dev/null

run-01: ## lesson 01 demo: retry with backoff and jitter
	go run ./01_retry

sim-01: ## lesson 01 jitter simulation (the AWS backoff experiment)
	go run ./01_retry -sim

run-02: ## lesson 02 demo: timeouts that really cancel
	go run ./02_timeout

run-03: ## lesson 03 demo: circuit breaker through an outage
	go run ./03_circuit_breaker

run-04: ## lesson 04 demo: bulkheads keep a slow dependency from sinking the rest
	go run ./04_bulkhead

run-05: ## lesson 05 demo: token-bucket rate limiting over HTTP
	go run ./05_rate_limit

run-06: ## lesson 06 demo: retry -> timeout -> circuit breaker, composed
	go run ./06_composed_mini
