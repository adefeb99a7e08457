#!/bin/sh
# The main job: install what is missing, build, draw the per-depth gradient-norm figure.
# Extra arguments go to `gradflow gradnorm` (see build/analysis/gradflow gradnorm --help).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release
meson compile -C build
./build/analysis/gradflow gradnorm --out runs/gradnorm "$@"
