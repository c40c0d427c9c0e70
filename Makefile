# The two commands (README): `make report` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
REPORT_ARGS ?=
# On a shared machine: BENCH_ARGS="--benchmark_repetitions=5 --benchmark_enable_random_interleaving=true"
BENCH_ARGS ?=

.PHONY: report test deps build bench bench-oracle bench-memory asan clean gallery baselines

report: build
	./$(BUILD_DIR)/bin/softcheck report --out $(BUILD_DIR)/report $(REPORT_ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE slow

deps:
	./scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

# The gallery (tests/mutants, docs/gallery.md): wrong kernels the catalogue must catch and correct
# ones it must pass, as a table: property that caught each, cases before the first failure.
GALLERY_ARGS ?=
gallery: build
	./$(BUILD_DIR)/bin/softcheck_gallery $(GALLERY_ARGS)

# The gallery through the allclose / assert_close baseline checkers and softcheck (docs/findings.md).
baselines: build
	./$(BUILD_DIR)/bin/softcheck_baselines

bench: build
	./$(BUILD_DIR)/bin/softcheck_bench --benchmark_counters_tabular=true $(BENCH_ARGS)

bench-oracle: build
	./$(BUILD_DIR)/bin/softcheck_oracle_bench $(BENCH_ARGS)

# Peak memory per element of a report cell of one long row (README, "Memory").
bench-memory: build
	./$(BUILD_DIR)/bin/softcheck_cell_memory_bench $(BENCH_ARGS)

# Sanitizer build of the unit tests (a second build dir), as CI runs it.
asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS) --target unit_tests
	ctest --test-dir build-asan --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD_DIR) build-asan
