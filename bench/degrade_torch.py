#!/usr/bin/python3
"""The default experiment of `gradflow degrade`, in PyTorch: a timing comparison.

Run it with Debian's PyTorch:  /usr/bin/python3 bench/degrade_torch.py [--epochs N]
(prefix OPENBLAS_NUM_THREADS=1 to keep OpenBLAS's own threads out of ATen's: see below)

The same four nets as gradflow (src/nn/gf_nn.h, src/nn/forward.c), in float64:
plain and resnet stacks of depth 20 and 56 (depth = 2B + 2), width 64, batch norm,
He init, relu:
    stem    Linear(784 -> 64, no bias) -> BN -> ReLU
    block   plain:  ReLU(BN(fc2(ReLU(BN(fc1 x)))))
            resnet: ReLU(BN(fc2(ReLU(BN(fc1 x)))) + x)      (fc1, fc2: 64 -> 64, no bias)
    head    Linear(64 -> 10)
trained as `gradflow degrade` trains them: 10,000 Fashion-MNIST training images (a
fixed random subset; not gradflow's subset, the same size) and the 10,000 test
images, pixels scaled to [0, 1] and standardized with the subset's scalar mean and
standard deviation; 10 epochs of batch 128 (the last incomplete batch dropped: 78
steps), SGD with momentum 0.9 and weight decay 1e-4 on every parameter, learning
rate 0.1 times 0.1 at 50% and 75% of the steps; after every epoch, the loss and error
on the whole training subset and test set in eval mode (running statistics), in
batches of 256. PyTorch runs on 2 threads (torch.set_num_threads(2)).

Debian's PyTorch does its float64 matrix products through libblas.so.3, which is
OpenBLAS (pthreads) on most machines: OpenBLAS then starts a pool of its own (one
thread per core unless OPENBLAS_NUM_THREADS says otherwise) beside ATen's OpenMP
threads. The header line says how many threads each pool has.

What gradflow does besides and this script does not: gradient-norm probes once per
epoch, and a checkpoint and the TSV files written after every epoch.
"""
import argparse
import ctypes
import gzip
import os
import sys
import time

import numpy as np
import torch
from torch import nn

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
NETS = (("plain", 20), ("plain", 56), ("resnet", 20), ("resnet", 56))


def read_idx(path):
    """An IDX file (images: n x rows x cols, labels: n) as a uint8 array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(data_dir, ntrain, ntest):
    missing = [f for f in FILES if not os.access(os.path.join(data_dir, f), os.R_OK)]
    if missing:
        sys.exit(f"degrade_torch.py: Fashion-MNIST not found in {data_dir} (missing "
                 f"{', '.join(missing)}): install Debian's dataset-fashion-mnist package "
                 "(apt-get install dataset-fashion-mnist) or give --data-dir")
    xtr, ytr, xte, yte = (read_idx(os.path.join(data_dir, f)) for f in FILES)
    subset = np.random.default_rng(20160101).permutation(len(xtr))[:ntrain]
    xtr, ytr = xtr[subset].reshape(ntrain, -1) / 255.0, ytr[subset]
    xte, yte = xte[:ntest].reshape(ntest, -1) / 255.0, yte[:ntest]
    mean, sd = xtr.mean(), xtr.std()  # one scalar each, population sd, as gradflow
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return (as_t((xtr - mean) / sd), as_t(ytr.astype(np.int64)),
            as_t((xte - mean) / sd), as_t(yte.astype(np.int64)))


class Block(nn.Module):
    def __init__(self, width, residual):
        super().__init__()
        self.fc1 = nn.Linear(width, width, bias=False)
        self.bn1 = nn.BatchNorm1d(width)
        self.fc2 = nn.Linear(width, width, bias=False)
        self.bn2 = nn.BatchNorm1d(width)
        self.residual = residual

    def forward(self, x):
        f = self.bn2(self.fc2(torch.relu(self.bn1(self.fc1(x)))))
        return torch.relu(f + x if self.residual else f)


class Stack(nn.Module):
    def __init__(self, arch, depth, width=64, inputs=784, classes=10):
        super().__init__()
        self.stem = nn.Linear(inputs, width, bias=False)
        self.stem_bn = nn.BatchNorm1d(width)
        self.blocks = nn.Sequential(*[Block(width, arch == "resnet")
                                      for _ in range((depth - 2) // 2)])
        self.head = nn.Linear(width, classes)
        for m in self.modules():  # He: W ~ N(0, 2 / fan_in), b = 0
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.blocks(torch.relu(self.stem_bn(self.stem(x)))))


@torch.no_grad()
def evaluate(net, x, y, batch=256):
    net.eval()
    loss, wrong = 0.0, 0
    for i in range(0, len(x), batch):
        z = net(x[i:i + batch])
        loss += nn.functional.cross_entropy(z, y[i:i + batch], reduction="sum").item()
        wrong += (z.argmax(1) != y[i:i + batch]).sum().item()
    return loss / len(x), wrong / len(x)


def train(arch, depth, data, epochs, batch=128, seed=1):
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    net = Stack(arch, depth)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    steps = len(xtr) // batch
    total = steps * epochs
    milestones = [round(m * total) for m in (0.5, 0.75)]
    gen = torch.Generator().manual_seed(seed)
    step, train_s, eval_s = 0, [], []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        net.train()
        order = torch.randperm(len(xtr), generator=gen)
        for b in range(steps):
            lr = 0.1 * 0.1 ** sum(step >= m for m in milestones)
            for g in opt.param_groups:
                g["lr"] = lr
            idx = order[b * batch:(b + 1) * batch]
            loss = nn.functional.cross_entropy(net(xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
        t1 = time.perf_counter()
        train_loss, train_err = evaluate(net, xtr, ytr)
        test_loss, test_err = evaluate(net, xte, yte)
        train_s.append(t1 - t0)
        eval_s.append(time.perf_counter() - t1)
    return train_s, eval_s, train_err, test_err


def blas_threads():
    """Threads of the OpenBLAS that libblas.so.3 resolves to, or a word why not known."""
    try:
        return ctypes.CDLL("libopenblas.so.0").openblas_get_num_threads()
    except (OSError, AttributeError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    start = time.perf_counter()
    data = load(args.data_dir, 10000, 10000)
    print(f"PyTorch {torch.__version__}, float64, {torch.get_num_threads()} ATen threads, "
          f"OpenBLAS threads: {blas_threads()}; data loaded in "
          f"{time.perf_counter() - start:.1f} s\n")
    print("| net | train s / epoch | eval s / epoch | seconds | final train error | "
          "final test error |")
    print("|---|---:|---:|---:|---:|---:|")
    nets_s = 0.0
    for arch, depth in NETS:
        train_s, eval_s, train_err, test_err = train(arch, depth, data, args.epochs)
        secs = sum(train_s) + sum(eval_s)
        nets_s += secs
        print(f"| {arch}-{depth} | {np.median(train_s):.2f} | {np.median(eval_s):.2f} | "
              f"{secs:.1f} | {train_err:.4f} | {test_err:.4f} |", flush=True)
    print(f"\nall nets: {nets_s:.1f} s; wall time with data loading "
          f"{time.perf_counter() - start:.1f} s ({args.epochs} epochs; per-epoch times are "
          "medians)")


if __name__ == "__main__":
    main()
