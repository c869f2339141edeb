# adaround-mlir: the two commands of the README, and a few more.
#   make demo   install what is missing, build, run the example pipeline
#   make check  install what is missing, build, run every test
BUILD ?= build
JOBS ?= 2
LLVM ?= /usr/lib/llvm-22
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build check demo bench docs clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD) -DMLIR_DIR=$(LLVM)/lib/cmake/mlir \
	  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	ninja -C $(BUILD) -j $(JOBS)

check: build
	ninja -C $(BUILD) -j $(JOBS) check-adaround

demo: build
	@scripts/demo.sh $(BUILD)

bench: build
	@bench/run.sh $(BUILD)

docs: build
	ninja -C $(BUILD) adaround-docs

clean:
	rm -rf $(BUILD)
