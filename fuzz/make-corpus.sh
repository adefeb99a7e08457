#!/bin/sh
# fuzz/make-corpus.sh GRADFLOW: remake the seed corpora in fuzz/corpus/ from real
# gradflow outputs (GRADFLOW: the built binary, e.g. build/analysis/gradflow).
# The checkpoints are those of the reference run (fuzz/template.h).
set -eu
gf=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gf" degrade --ntrain 500 --epochs 1 -d 4 -w 2 --data synthetic -a plain,resnet --no-plot -q \
    -o "$tmp/run"
"$gf" gradnorm -d 4 -w 2 -s 1 -b 4 -a resnet --no-plot -q --save "$tmp/export.safetensors" \
    -o "$tmp/gn"
mkdir -p "$here/corpus/checkpoint" "$here/corpus/safetensors" "$here/corpus/idx"
for a in plain resnet; do
    cp "$tmp/run/checkpoints/$a-4-seed1.safetensors" "$here/corpus/checkpoint/$a-4"
    cp "$tmp/run/checkpoints/$a-4-seed1.safetensors" "$here/corpus/safetensors/$a-4"
done
cp "$tmp/export.safetensors" "$here/corpus/safetensors/gradnorm-export"
# IDX: 2 images of 3 x 2 bytes, 2 labels, each plain and gzip; a truncated one
idx=$here/corpus/idx
printf '\0\0\10\3\0\0\0\2\0\0\0\3\0\0\0\2abcdefghijkl' > "$idx/images-2x3x2"
printf '\0\0\10\1\0\0\0\2\1\7' > "$idx/labels-2"
printf '\0\0\10\3\0\0\0\2\0\0\0\3\0\0\0\2abc' > "$idx/images-truncated"
gzip -9n < "$idx/images-2x3x2" > "$idx/images-2x3x2.gz"
gzip -9n < "$idx/labels-2" > "$idx/labels-2.gz"
