# NéoGEND fleet platform — thin wrapper over Maven. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Find a JDK >= 21: JAVA_HOME first, then the usual JVM folders (newest first).
JAVA_HOME := $(shell ./bin/find-jdk)
ifeq ($(JAVA_HOME),)
$(error No JDK >= 21 found. Install one or set JAVA_HOME)
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

MVN ?= mvn
MVN_FLAGS ?= -B -ntp
comma := ,
# every module with Java sources (the root POM's modules but the BOM), for `make format`
FORMAT_MODULES := $(shell sed -n 's:.*<module>\(.*\)</module>.*:\1:p' pom.xml | grep -v 'platform-bom/bom' | paste -sd,)

.PHONY: help build run test bench clean images chart-test chart-realm screenshots format

# Container images (docker/Dockerfile): <registry>/<repository>/<component>:<tag>, the tag being the
# chart's appVersion so helm/neogend finds them. CONTAINER_ENGINE=podman works too.
CONTAINER_ENGINE ?= docker
IMAGE_REGISTRY ?=
IMAGE_REPOSITORY ?= neogend
IMAGE_TAG ?= $(shell awk -F'"' '/^appVersion:/ {print $$2}' helm/neogend/Chart.yaml)
# module:HTTP port (the app's default, used by the image's HEALTHCHECK)
IMAGE_MODULES := services/inventory:8091 services/order:8092 services/accessories:8093 \
                 services/training:8094 services/telemetry:8095 gateway:8080

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

build: ## Compile and package every module (no tests)
	$(MVN) $(MVN_FLAGS) -DskipTests install

run: ## Start the whole suite locally (embedded PostgreSQL, Keycloak, services, gateway, demo data)
	@if ! ./bin/up-to-date; then \
	  echo "building the suite first (a few minutes on a fresh machine; quicker afterwards)…"; \
	  $(MVN) $(MVN_FLAGS) -q -DskipTests install; \
	fi
	$(JAVA_HOME)/bin/java -jar platform/devstack/target/devstack-*-exec.jar run

test: ## Run every test: unit, integration (real PostgreSQL), end to end (real Keycloak)
	$(MVN) $(MVN_FLAGS) install

format: ## Format every Java file as the build checks it (palantir-java-format, import order)
	$(MVN) $(MVN_FLAGS) -q -pl $(FORMAT_MODULES) spotless:apply

bench: ## Run the benchmarks (not part of make test)
	$(MVN) $(MVN_FLAGS) -q -DskipTests install
	$(JAVA_HOME)/bin/java -Dneogend.root=$(CURDIR) -jar platform/benchmarks/target/benchmarks-*-exec.jar $(BENCH_ARGS)

clean: ## Remove build output (keeps .run/ data)
	$(MVN) $(MVN_FLAGS) -q clean

images: ## Build the six container images (needs a running container engine)
	@if ! $(CONTAINER_ENGINE) info >/dev/null 2>&1; then \
	  echo "no container engine available: $(CONTAINER_ENGINE) info failed — images not built" >&2; \
	  exit 1; \
	fi
	$(MVN) $(MVN_FLAGS) -q -DskipTests package -am \
	  -pl $(subst $(eval) ,$(comma),$(foreach m,$(IMAGE_MODULES),$(firstword $(subst :, ,$(m)))))
	@set -e; for entry in $(IMAGE_MODULES); do \
	  module=$${entry%%:*}; port=$${entry##*:}; \
	  image="$(if $(IMAGE_REGISTRY),$(IMAGE_REGISTRY)/)$(IMAGE_REPOSITORY)/$${module##*/}:$(IMAGE_TAG)"; \
	  echo "== $$image ($$module)"; \
	  $(CONTAINER_ENGINE) build -f docker/Dockerfile --build-arg MODULE=$$module --build-arg HTTP_PORT=$$port -t "$$image" .; \
	done

screenshots: ## Refresh docs/screenshots from the console's browser test (needs Debian's chromium + chromium-driver)
	$(MVN) $(MVN_FLAGS) -q -DskipTests install
	NEOGEND_REQUIRE_BROWSER=1 $(MVN) $(MVN_FLAGS) -pl platform/system-tests verify -Dit.test=ConsoleIT \
	  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dneogend.screenshots=$(CURDIR)/docs/screenshots

chart-test: ## Lint the Helm chart, render it for every scenario and check the manifests
	$(MVN) $(MVN_FLAGS) -pl helm/chart-tests test

chart-realm: ## Refresh the chart's realm copy from platform/keycloak (dev secrets and demo accounts taken out)
	$(MVN) $(MVN_FLAGS) -q -pl helm/chart-tests test -Dneogend.realm.write=true \
	  -Dtest='ChartFilesTest#realmCopyIsTheRepoRealmWithoutDevSecretsOrDemoAccounts' -Dsurefire.failIfNoSpecifiedTests=false
