#!/bin/sh
# Reference runs of every lesson, in English and in Korean, as Markdown pages with
# their figures under docs/lessons/ (readable without building anything), and the
# index in the syllabus' order (docs/lessons/README.md, README.ko.md).
#
#   sh tools/lesson-pages.sh [BUILD [LESSON...]]
#
# BUILD is the build folder (default build); with LESSON names (02-degradation ...) only
# those lessons are run again, and the index rewritten. BLAS runs on one thread
# (OPENBLAS_NUM_THREADS=1 unless set): on a shared machine a spinning second thread
# inflates the CPU times lesson 04 compares.
#
# The lessons and their order come from notebooks-c/lesson_catalog.c through
# `lesson-index --list`. Each page lands in docs/lessons/<lesson>/<lang>/: lesson.md,
# manifest.json and the PNG figures it shows, nothing else (and the manifest of a
# --quick run beside them, for the index's run time) (the TSV data and
# gnuplot scripts stay in the run folder). A page's folder is emptied first, and
# folders of lessons no longer in the catalog are removed, so nothing stale stays.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
only="$*"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
index="$build/notebooks-c/lesson-index"
[ -x "$index" ] || { echo "lesson-pages: build first ($index is missing)" >&2; exit 1; }
command -v gnuplot > /dev/null || { echo "lesson-pages: gnuplot is needed for the figures" >&2; exit 1; }
docs=docs/lessons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
lessons=$("$index" --list)
mkdir -p "$docs"

# folders of lessons that left the catalog (on a full run)
for d in "$docs"/*/; do
    [ -z "$only" ] || break
    [ -d "$d" ] || continue
    slug=$(basename "$d")
    echo "$lessons" | grep -qx "$slug" || { echo "removing stale $d"; rm -rf "$d"; }
done

for slug in ${only:-$lessons}; do
    echo "$lessons" | grep -qx "$slug" || { echo "lesson-pages: no lesson $slug" >&2; exit 2; }
    # the --quick run's time for the index (no figures, English)
    mkdir -p "$docs/$slug"
    nice "$build/notebooks-c/lesson-$slug" --quick --no-plot --out "$tmp/$slug-quick" > /dev/null
    cp "$tmp/$slug-quick/manifest.json" "$docs/$slug/quick-manifest.json"
    sed -i "s|$tmp/$slug-quick|docs/lessons/$slug/quick|g" "$docs/$slug/quick-manifest.json"
    for lang in en ko; do
        run="$tmp/$slug-$lang"
        echo "== $slug ($lang)"
        nice "$build/notebooks-c/lesson-$slug" --lang "$lang" --out "$run" > "$tmp/log" 2>&1 ||
            { cat "$tmp/log" >&2; exit 1; }
        page="$docs/$slug/$lang"
        rm -rf "$page"
        mkdir -p "$page"
        cp "$run/lesson.md" "$run/manifest.json" "$page/"
        # the figures the page shows: ![caption](dir/name.png)
        grep -o '](\([^)]*\.png\))' "$run/lesson.md" | sed 's/^](//; s/)$//' | while read -r png; do
            mkdir -p "$page/$(dirname "$png")"
            cp "$run/$png" "$page/$png"
        done
        # the run folder as the reader sees it: no absolute temporary paths
        sed -i "s|$run|docs/lessons/$slug/$lang|g" "$page/lesson.md" "$page/manifest.json"
    done
done
"$index" "$docs"
echo "pages and index written to $docs/"
