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

.PHONY: help build run test bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

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

bench: ## Run the benchmarks (not part of make test)
	$(MVN) $(MVN_FLAGS) -q -DskipTests install
	$(JAVA_HOME)/bin/java -Dneogend.root=$(CURDIR) -jar platform/benchmarks/target/benchmarks-*-exec.jar $(BENCH_ARGS)

clean: ## Remove build output (keeps .run/ data)
	$(MVN) $(MVN_FLAGS) -q clean
