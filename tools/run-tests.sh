#!/bin/sh
# The test suite: install what is missing, build, run every CUnit suite, then run them
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release
meson compile -C build
meson test -C build --print-errorlogs
[ -f build-sanitize/build.ninja ] ||
    meson setup build-sanitize --buildtype=debug -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbench=false
meson compile -C build-sanitize
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-sanitize --print-errorlogs
