# adaround-mlir: the two commands of the README, and a few more.
#   make demo   install what is missing, build, run the example pipeline
#   make check  install what is missing, build, run every test (the suite,
#               the suite under sanitizers, a bounded fuzzing run)
BUILD ?= build
JOBS ?= 2
LLVM ?= /usr/lib/llvm-22
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build check check-fast check-sanitize fuzz demo bench docs clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD) -DMLIR_DIR=$(LLVM)/lib/cmake/mlir \
	  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	ninja -C $(BUILD) -j $(JOBS)

# Every test: the suite, the suite again under ASan + UBSan, a fuzzing run.
check: check-fast check-sanitize fuzz

# The suite alone (gcc build): what to run while developing.
check-fast: build
	ninja -C $(BUILD) -j $(JOBS) check-adaround

# The same suite built with clang-22, ASan + UBSan, and the fuzz target.
SAN_BUILD ?= build-sanitize
$(SAN_BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(SAN_BUILD) -DMLIR_DIR=$(LLVM)/lib/cmake/mlir \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DCMAKE_BUILD_TYPE=Release -DADAROUND_SANITIZE=ON -DADAROUND_FUZZER=ON

check-sanitize: deps $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD) -j $(JOBS) check-adaround

# FUZZ_RUNS inputs (about a minute here) from seed FUZZ_SEED, seeded from test/.
FUZZ_RUNS ?= 10000
FUZZ_SEED ?= 1
fuzz: deps $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD) -j $(JOBS) adaround-fuzz
	scripts/fuzz.sh $(SAN_BUILD) $(FUZZ_RUNS) $(FUZZ_SEED)

demo: build
	@scripts/demo.sh $(BUILD)

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh $(BUILD)

docs: build
	ninja -C $(BUILD) adaround-docs

clean:
	rm -rf $(BUILD)
