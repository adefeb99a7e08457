#!/bin/sh
# tools/torch-check.sh GRADFLOW [TORCH_CHECK]: gradflow against PyTorch (the meson test
# "torch"). Exports of every cnn arch and an MLP stack must agree with PyTorch's gradients
# (tools/torch_check.py: 1e-10 relative for cnn), and nets PyTorch initialized and saved as
# bare safetensors state_dicts must load into gradflow (--load) unchanged and agree again,
# and into jacobian, lesion and pathgrad --load.
# Skipped (exit 77) when /usr/bin/python3 has no torch.
set -eu
gradflow=$1
check=${2:-$(dirname "$0")/torch_check.py}
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "SKIP: $py has no torch (Debian: apt-get install python3-torch)"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
small="--seeds 1 --batch 8 --samples 64 --no-plot -q"
cnn="--depth 14 --width-mult 0.125 --input-dim 64"
"$gradflow" gradnorm --arch cnn-plain,cnn-resnet,cnn-preact $cnn $small --out "$dir/a" \
    --save "$dir/run.safetensors"
"$gradflow" gradnorm --arch cnn-resnet $cnn --bn-eval $small --out "$dir/b" \
    --save "$dir/eval.safetensors"
"$gradflow" gradnorm --arch preact --depth 8 --width 16 --norm batch $small --out "$dir/c" \
    --save "$dir/mlp.safetensors"
"$py" "$check" "$dir"/run-*.safetensors "$dir/eval.safetensors" "$dir/mlp.safetensors"
for arch in cnn-resnet cnn-preact; do
    "$py" "$check" --write-init $arch 14 "$dir/torch-$arch.safetensors" --filters 2 --image 8x8x1
    "$gradflow" gradnorm --arch $arch $cnn $small --out "$dir/$arch" \
        --bn-eval --load "$dir/torch-$arch.safetensors" --save "$dir/back-$arch.safetensors"
    "$py" "$check" --same-state "$dir/torch-$arch.safetensors" "$dir/back-$arch.safetensors"
    "$py" "$check" "$dir/back-$arch.safetensors"
    # the same PyTorch file analyzed by the other commands that take one net (--load)
    "$gradflow" jacobian --arch $arch $cnn --init he --norm batch --seeds 1 --no-plot -q \
        --out "$dir/j-$arch" --load "$dir/torch-$arch.safetensors"
    "$gradflow" lesion --arch $arch --depth 14 --width-mult 0.125 --data synthetic --ntrain 128 \
        --ntest 64 --draws 2 --no-plot -q --out "$dir/l-$arch" --load "$dir/torch-$arch.safetensors"
    "$gradflow" pathgrad --arch $arch --depth 14 --width-mult 0.125 --data synthetic --ntrain 128 \
        --ntest 64 --images 8 --samples 4 --bn-warmup 2 --no-plot -q --out "$dir/p-$arch" \
        --load "$dir/torch-$arch.safetensors"
done
"$py" "$check" --write-init resnet 8 "$dir/torch-mlp.safetensors" --width 16 --norm batch
"$gradflow" gradnorm --arch resnet --depth 8 --width 16 --norm batch --bn-eval $small --out "$dir/m" \
    --load "$dir/torch-mlp.safetensors" --save "$dir/back-mlp.safetensors"
"$py" "$check" --same-state "$dir/torch-mlp.safetensors" "$dir/back-mlp.safetensors"
"$py" "$check" "$dir/back-mlp.safetensors"
"$gradflow" jacobian --arch resnet --depth 8 --width 16 --norm batch --seeds 1 --no-plot -q \
    --out "$dir/jm" --load "$dir/torch-mlp.safetensors"
"$gradflow" lesion --arch resnet --depth 8 --width 16 --data synthetic --ntrain 128 --ntest 64 \
    --draws 2 --no-plot -q --out "$dir/lm" --load "$dir/torch-mlp.safetensors"
"$gradflow" pathgrad --arch resnet --depth 8 --width 16 --norm batch --data synthetic --ntrain 128 \
    --ntest 64 --images 8 --samples 4 --bn-warmup 2 --no-plot -q --out "$dir/pm" \
    --load "$dir/torch-mlp.safetensors"
# DenseNet and DenseNet-BC (k = 12 x 0.25 = 3), batch statistics and running ones.
for arch in densenet densenet-bc; do  # one run each: their block counts differ at depth 16
    "$gradflow" gradnorm --arch $arch --depth 16 --width-mult 0.25 --input-dim 64 $small \
        --out "$dir/$arch" --save "$dir/dense-$arch.safetensors"
done
"$gradflow" gradnorm --arch densenet-bc --depth 16 --width-mult 0.25 --input-dim 64 --bn-eval \
    $small --out "$dir/e" --save "$dir/dense-eval.safetensors"
"$py" "$check" "$dir"/dense-*.safetensors
