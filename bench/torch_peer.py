"""The PyTorch side of a bench's paired rounds (bench/torch_peer.c).

A bench that compares its step with PyTorch's runs the two in alternation, so
that a change in the machine's speed (on a shared 2-core machine, 10 to 30 %
within an hour) reaches both sides of every comparison. The bench starts a
script with --serve; the script builds its model once per dtype and calls
serve(), which warms each step up twice and then answers, on stdout, one line
per request read from stdin:

    float64 3      ->  ms ms ms     (three steps of the float64 model, timed one by one)
    quit (or EOF)  ->  the script ends

The first line it prints is "ready <torch version> <threads>".
"""
import sys
import time

import torch


def serve(steps):
    """steps: {dtype name: a function that runs one training step}."""
    for step in steps.values():
        for _ in range(2):
            step()
    print(f"ready {torch.__version__} {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if len(words) != 2 or words[0] not in steps or not words[1].isdigit():
            print(f"error: bad request {line.strip()!r}", flush=True)
            continue
        step, times = steps[words[0]], []
        for _ in range(int(words[1])):
            t0 = time.perf_counter()
            step()
            times.append(1e3 * (time.perf_counter() - t0))
        print(" ".join(f"{t:.3f}" for t in times), flush=True)
