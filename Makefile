# Makefile: the README's commands. The real build is Meson (meson.build); this file installs what
# is missing (scripts/install-deps.sh), configures the build directories and runs the jobs.
#   make          build everything into build/ (the command is build/bulwark)
#   make demo     install what is missing, build, and run the demo (scripts/demo.sh)
#   make check    install what is missing and run every test (tests/run-tests.sh)
#   make bench    run the benchmarks (bench/run-benchmarks.sh); figures go into README.md by hand
#   make format   clang-format every C file in place
.PHONY: all deps build build-san demo check bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
	@ninja -C build

# clang with ASan+UBSan (no recovery) and the libFuzzer targets.
build-san: deps
	@[ -f build-san/build.ninja ] || CC=clang meson setup build-san -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug \
	  -Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer' >/dev/null
	@ninja -C build-san

demo: build
	@scripts/demo.sh

check: deps
	@tests/run-tests.sh

bench: build
	@bench/run-benchmarks.sh

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-san
