#!/bin/sh
# tools/configure.sh DIR [MESON OPTIONS...]: set up the build folder DIR with exactly
# these options, whatever state it is in (new, configured otherwise, or stale).
set -eu
dir=$1
shift
if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@"
else
    meson setup "$dir" "$@"
fi
