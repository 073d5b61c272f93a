# Convenience entry points; CMake does the building.
#   make demo    install what is missing, build, run a job on the embedded default
#   make check   install what is missing, build twice, run every test (CI runs this)
#   make build   just build (./build)
#   make bench   build and run the benchmarks
.PHONY: demo check build bench clean
BUILD ?= build

build:
	scripts/install-deps.sh
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$$(nproc)

demo: build
	scripts/demo.sh $(BUILD)

check:
	scripts/check.sh

bench: build
	scripts/bench.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-*.log
