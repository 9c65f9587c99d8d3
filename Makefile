# metarl — thin wrapper over CMake/ctest.
#   make        build (Release, into build/)
#   make test   install missing packages, build, run the whole ctest suite
#   make demo   install missing packages, build, run the main job on its bundled config
#   make asan   the suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   make bench  the benchmarks; results go to results/bench/
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
DEMO_CONFIG ?= configs/bandit_k5_n10.yaml

.PHONY: all build deps test demo asan bench clean

all: build

deps:
	sh scripts/deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

test: deps
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS)"
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

demo: deps
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS)"
	sh scripts/demo.sh $(BUILD)

asan: deps
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="-DMRL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 MRL_SANITIZED=1 \
	    ctest --test-dir build-asan --output-on-failure -j$(JOBS)

bench: deps
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS)"
	sh scripts/bench.sh $(BUILD)

clean:
	rm -rf build build-asan
