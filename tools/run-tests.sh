#!/bin/sh
# The test suite: install what is missing, build, run every CUnit suite, then run them
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh

# "N passed, N failed" for the CUnit tests of one meson test run (from CUnit's summaries).
count() {
    awk '$1 == "tests" && NF >= 5 { run += $3; failed += $5 }
         END { printf "%s: %d passed, %d failed\n", label, run - failed, failed }' \
        label="$1" "$2/meson-logs/testlog.txt"
}

[ -f build/build.ninja ] || meson setup build --buildtype=release
meson compile -C build
meson test -C build --print-errorlogs
count tests build

[ -f build-sanitize/build.ninja ] ||
    meson setup build-sanitize --buildtype=debug -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbench=false
meson compile -C build-sanitize
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-sanitize --print-errorlogs
count sanitized build-sanitize
