# kubefed: build-time generated, typed Kubernetes multi-cluster federation.
# `make help` lists the targets.

GO        ?= go
# How long `make fuzz` runs each fuzz target, and `make test` after the other tests.
FUZZTIME      ?= 20s
TEST_FUZZTIME ?= 20s
BIN       := $(CURDIR)/bin
TEST_BIN  := $(BIN)/k8s
KUBECTL   := $(TEST_BIN)/kubectl
export KUBEFED_TEST_BIN := $(TEST_BIN)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Main jobs

.PHONY: quickstart
quickstart: ## Start local host + 2 member clusters (the end-to-end demo runs on them).
	hack/quickstart.sh

.PHONY: test
test: test-binaries ## Run every test, including the ones on real local clusters, then fuzz briefly.
	$(GO) test -count=1 -timeout 40m ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)

##@ Development

.PHONY: build
build: ## Build the commands into bin/.
	$(GO) build -o $(BIN)/ ./cmd/...

.PHONY: generate
generate: ## Regenerate all checked-in generated code and manifests.
	hack/update-codegen.sh

.PHONY: manifests
manifests: generate ## Regenerate CRDs and install manifests (part of generate).

.PHONY: lint
lint: ## gofmt and go vet.
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

.PHONY: verify
verify: lint ## lint, and fail if checked-in generated output is stale.
	hack/verify-codegen.sh

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (20s); a failing input is saved under the package's testdata/fuzz.
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./runtime/override
	$(GO) test -run '^$$' -fuzz '^FuzzConvert$$' -fuzztime $(FUZZTIME) ./generator/discover/crd

.PHONY: test-binaries
test-binaries: ## Build etcd, kube-apiserver and kubectl from the Go module proxy (once).
	hack/install-test-binaries.sh $(TEST_BIN)

##@ Local clusters

.PHONY: local-up
local-up: ## Start host + 2 member clusters in the background (kubeconfig in .local/).
	hack/local-up.sh

.PHONY: local-down
local-down: ## Stop the local clusters.
	hack/local-down.sh

##@ Benchmarks

.PHONY: bench
bench: test-binaries ## Propagation of 1000 FederatedConfigMaps to 2 members vs the direct-write floor; kubefed-gen over the default set.
	$(GO) test -run '^$$' -bench BenchmarkPropagation -benchtime 1x -timeout 30m ./test/bench/
	$(GO) test -run '^$$' -bench BenchmarkGenerateDefaultSet -benchtime 1x ./generator/
