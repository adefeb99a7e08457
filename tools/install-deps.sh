#!/bin/sh
# Installs, from Debian 12's archive, whatever gradflow needs and the machine lacks.
# clang and libclang-rt-14-dev (libFuzzer, ASan and UBSan's runtimes for clang 14: only
# recommended by clang, so named here) build the fuzz targets of tools/run-tests.sh.
# Open MPI (openmpi-bin, libopenmpi-dev): gradflow sweep across ranks and its MPI tests.
set -eu
PACKAGES="gcc libc6-dev meson ninja-build pkg-config libgsl-dev libopenblas-dev libjansson-dev
libcunit1-dev zlib1g-dev gnuplot-nox fonts-dejavu-core dataset-fashion-mnist clang
libclang-rt-14-dev openmpi-bin libopenmpi-dev"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "gradflow: missing packages:$missing; run this as root (there is no sudo)" >&2
    exit 1
fi
echo "gradflow: installing$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
