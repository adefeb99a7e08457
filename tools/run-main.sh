#!/bin/sh
# The main job: install what is missing, build, then run the two headline experiments:
# the per-depth gradient norm at initialization (runs/gradnorm) and the degradation
# experiment on Fashion-MNIST (runs/degrade, about a minute on two cores).
# Options for either: build/analysis/gradflow gradnorm --help, ... degrade --help.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/configure.sh build --buildtype=release -Db_sanitize=none -Dtests=enabled
meson compile -C build
./build/analysis/gradflow gradnorm --out runs/gradnorm
./build/analysis/gradflow degrade --out runs/degrade
