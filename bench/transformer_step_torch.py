#!/usr/bin/env python3
"""One training step of the Pre-LN transformer of bench_transformer in PyTorch.

    transformer_step_torch.py [--layers 6] [--width 128] [--heads 4] [--context 128]
                              [--batch 32] [--repeats 7] [--threads N] [--serve]

The model is tools/torch_check.py's GradflowTransformer (the module an export of
gradflow's "transformer" family loads into), Pre-LN, vocabulary 256; the step is
forward, mean cross-entropy at every position, backward and Adam, as gradflow's.
Prints the median of the repeats (after two warm-up steps) in float64 and float32,
with the threads torch uses: --threads, by default every online CPU (Debian's torch
here starts with one OpenMP thread on this 2-core machine; gradflow's side runs
OpenBLAS on every core). With --serve, the steps are timed on request instead, for
bench_transformer's paired rounds (bench/torch_peer.py).
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from torch_check import GradflowTransformer  # noqa: E402
from torch_peer import serve  # noqa: E402


def make_step(dtype, a):
    """One training step of a fresh model in this dtype, as a function."""
    torch.manual_seed(1)
    model = GradflowTransformer("preln", a.layers, a.width, a.heads, a.context, 256, 1e-5).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    ids = torch.randint(0, 256, (a.batch, a.context))
    nxt = torch.randint(0, 256, (a.batch, a.context))

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(ids)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 256), nxt.reshape(-1))
        loss.backward()
        opt.step()
    return step


def timed(dtype, a):
    step = make_step(dtype, a)
    for _ in range(2):
        step()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    for name, default in (("layers", 6), ("width", 128), ("heads", 4), ("context", 128),
                          ("batch", 32), ("repeats", 7)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--serve", action="store_true", help="time steps on request")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.serve:
        serve({name: make_step(dtype, a) for dtype, name in ((torch.float64, "float64"),
                                                              (torch.float32, "float32"))})
        return
    for dtype, name in ((torch.float64, "float64"), (torch.float32, "float32")):
        print(f"pytorch {torch.__version__} {name}: {timed(dtype, a):.1f} ms per step (median of "
              f"{a.repeats}, {torch.get_num_threads()} threads)", flush=True)


if __name__ == "__main__":
    main()
