#!/bin/sh
# tools/configure.sh DIR [MESON OPTIONS...]: set up the build folder DIR with exactly
# these options, whatever state it is in (new, configured otherwise, or stale).
set -eu
dir=$1
shift
# A reconfigured folder keeps the values its options had, even defaults that
# have changed since: openmp was 'disabled' until the convolution's threads were
# measured, so it is passed here unless the caller chose.
case " $* " in
*" -Dopenmp="*) ;;
*) set -- "$@" -Dopenmp=auto ;;
esac
if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@"
else
    meson setup "$dir" "$@"
fi
