#!/bin/sh
# The test suite: install what is missing, build, run every CUnit suite, then run them
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
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
