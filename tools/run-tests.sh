#!/bin/sh
# The test suite: install what is missing, build, run every CUnit suite, then run them
# again under AddressSanitizer and UndefinedBehaviorSanitizer, then run each fuzz target
# (fuzz/) for 30 s from its seed corpus when clang is there.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh

# "N passed, N failed" for one meson test run: the CUnit tests (from CUnit's run
# summaries) plus the lesson runs (one test each).
count() {
    awk '$1 == "tests" && NF >= 5 { run += $3; failed += $5 }
         /^==+ [0-9]+\/[0-9]+ =+$/ { getline; lesson = ($0 ~ /^test: +lesson-/) }
         lesson && /^result: / { run++; failed += ($0 !~ /exit status 0/); lesson = 0 }
         END { printf "%s: %d passed, %d failed\n", label, run - failed, failed }' \
        label="$1" "$2/meson-logs/testlog.txt"
}

sh tools/configure.sh build --buildtype=release -Db_sanitize=none -Dtests=enabled
meson compile -C build
meson test -C build --print-errorlogs
count tests build

sh tools/configure.sh build-sanitize --buildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbench=false -Dtests=enabled
meson compile -C build-sanitize
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-sanitize --print-errorlogs
count sanitized build-sanitize

# The fuzz targets: a clang build of the library with libFuzzer, ASan and UBSan, only
# the three targets built; each runs 30 s (two at a time) and fails on any finding.
if command -v clang >/dev/null 2>&1; then
    CC=clang sh tools/configure.sh build-fuzz --buildtype=debugoptimized -Dfuzz=true \
        -Dtests=disabled -Dbench=false -Dlessons=false
    meson compile -C build-fuzz fuzz/fuzz-idx fuzz/fuzz-safetensors fuzz/fuzz-checkpoint
    meson test -C build-fuzz --no-rebuild --suite fuzz --print-errorlogs
    echo "fuzz: 3 targets, no finding (their statistics: build-fuzz/meson-logs/testlog.txt)"
else
    echo "fuzz: skipped (no clang; tools/install-deps.sh installs clang and libclang-rt-14-dev)"
fi
