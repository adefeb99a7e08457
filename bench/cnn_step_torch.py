#!/usr/bin/python3
"""One training step of He et al.'s CIFAR ResNets in PyTorch, for bench_cnn_step.

Run with Debian's PyTorch:  /usr/bin/python3 bench/cnn_step_torch.py [--depth 20,56]
    [--batch 128] [--width 1] [--repeats 10] [--dtype float64,float32] [--threads 2]
    [--serve]

The net is gradflow's cnn-resnet (src/model/cnn.c) on 28x28x1 inputs: a 3x3 conv with
16 w filters, BN, ReLU; three stages of n = (depth - 2) / 6 units conv-BN-ReLU-conv-BN,
+ x, ReLU, with 16 w, 32 w, 64 w filters, stride 2 at the first unit of stages 2 and
3 and He et al.'s option-A shortcut (x[:, :, ::2, ::2] with zero channels on both
sides); global average pooling; a linear head to 10 classes. A step is forward, mean
cross-entropy, backward and an SGD update with momentum 0.9 (the optimizer's work is
negligible beside the convolutions). Inputs are random normal, labels random.

Prints one TSV row per (depth, dtype): depth, dtype, threads, batch, the median step
time in ms and its quartiles over --repeats steps after 2 warm-up steps. With --serve
(one depth), the steps are timed on request instead, for bench_cnn_step's paired
rounds (bench/torch_peer.py).
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch_peer import serve


class Unit(nn.Module):
    """conv-BN-ReLU-conv-BN, + the option-A shortcut, ReLU."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.stride, self.pad = stride, (c_out - c_in) // 2

    def forward(self, x):
        f = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.pad:
            s = F.pad(s, (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(f + s)


class ResNet(nn.Module):
    def __init__(self, depth, width):
        super().__init__()
        n = (depth - 2) // 6
        c = [16 * width, 32 * width, 64 * width]
        self.conv1 = nn.Conv2d(1, c[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c[0])
        units, c_in = [], c[0]
        for stage, c_out in enumerate(c):
            for i in range(n):
                units.append(Unit(c_in, c_out, 2 if stage > 0 and i == 0 else 1))
                c_in = c_out
        self.units = nn.Sequential(*units)
        self.fc = nn.Linear(c[2], 10)

    def forward(self, x):
        h = self.units(F.relu(self.bn1(self.conv1(x))))
        return self.fc(h.mean(dim=(2, 3)))


def make_step(depth, dtype, args):
    """One training step of a fresh net of this depth and dtype, as a function."""
    torch.manual_seed(1)
    net = ResNet(depth, args.width).to(dtype)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(args.batch, 1, 28, 28, dtype=dtype)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(net(x), y).backward()
        opt.step()
    return step


def time_steps(depth, dtype, args):
    step, times = make_step(depth, dtype, args), []
    for i in range(args.repeats + 2):
        t0 = time.perf_counter()
        step()
        if i >= 2:
            times.append(1e3 * (time.perf_counter() - t0))
    q = statistics.quantiles(times, n=4) if len(times) > 1 else times * 3
    return statistics.median(times), q[0], q[2]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--depth", default="20,56")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--width", type=int, default=1)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--dtype", default="float64,float32")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--serve", action="store_true", help="time steps on request (one depth)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.serve:
        depth = int(args.depth)
        serve({name: make_step(depth, getattr(torch, name), args)
               for name in args.dtype.split(",")})
        return
    print("depth\tdtype\tthreads\tbatch\tms_median\tms_q1\tms_q3", flush=True)
    for depth in (int(d) for d in args.depth.split(",")):
        for name in args.dtype.split(","):
            med, q1, q3 = time_steps(depth, getattr(torch, name), args)
            print(f"{depth}\t{name}\t{args.threads}\t{args.batch}\t{med:.1f}\t{q1:.1f}\t{q3:.1f}",
                  flush=True)


if __name__ == "__main__":
    main()
