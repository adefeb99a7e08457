#!/usr/bin/env python3
"""Check a gradflow export against PyTorch.

    python3 tools/torch_check.py runs/gradnorm/run.safetensors [more files]

Builds the equivalent nn.Module (the one the README documents), loads the
exported state_dict with strict=True, runs the exported batch forward in
training mode with the mean cross-entropy, and compares every exported
gradient (parameters and probes dL/dx) with PyTorch's, in float64.
Needs PyTorch (Debian: apt-get install python3-torch). Exit status 0 when
every gradient agrees to 1e-9 relative (Frobenius) error.
"""
import json
import struct
import sys

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, arch, width, norm, act):
        super().__init__()
        self.arch, self.act = arch, act
        bn = norm == "batch"
        make = {"batch": lambda: nn.BatchNorm1d(width), "layer": lambda: nn.LayerNorm(width)}
        tag = {"batch": "bn", "layer": "ln"}.get(norm)
        self.tag = tag
        self.fc1 = nn.Linear(width, width, bias=not bn)
        self.fc2 = nn.Linear(width, width, bias=arch == "preact" or not bn)
        if tag:  # named bn1 / bn2 or ln1 / ln2, as in the state_dict
            setattr(self, tag + "1", make[norm]())
            setattr(self, tag + "2", make[norm]())

    def norm(self, i, h):
        return getattr(self, f"{self.tag}{i}")(h) if self.tag else h

    def forward(self, x, taps, l):
        if self.arch == "preact":  # x + fc2(act(N2(fc1(act(N1 x)))))
            u = self.act(self.norm(1, x))
            v = self.act(self.norm(2, self.fc1(u)))
            taps[f"blocks.{l}.fc1.input"], taps[f"blocks.{l}.fc2.input"] = u, v
            return x + self.fc2(v)
        # act(N2(fc2(act(N1(fc1 x))))), with + x before the last act for resnet
        v = self.act(self.norm(1, self.fc1(x)))
        taps[f"blocks.{l}.fc2.input"] = v
        z = self.norm(2, self.fc2(v))
        return self.act(z + x if self.arch == "resnet" else z)


class GradflowStack(nn.Module):
    """depth = 2B + 2 weight layers: stem, B blocks of two Linear, head."""

    def __init__(self, arch, depth, width, in_dim, classes, norm, act):
        super().__init__()
        self.arch = arch
        self.act = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda h: h}[act]
        bn, pre = norm == "batch", arch == "preact"
        make = {"batch": lambda: nn.BatchNorm1d(width), "layer": lambda: nn.LayerNorm(width)}
        tag = {"batch": "bn", "layer": "ln"}.get(norm)
        self.stem = nn.Linear(in_dim, width, bias=pre or not bn)
        self.tag = tag
        if tag:  # stem_bn / stem_ln (plain, resnet) or final_bn / final_ln (preact)
            setattr(self, ("final_" if pre else "stem_") + tag, make[norm]())
        self.blocks = nn.ModuleList(Block(arch, width, norm, self.act) for _ in range((depth - 2) // 2))
        self.head = nn.Linear(width, classes)

    def norm(self, where, h):
        return getattr(self, f"{where}_{self.tag}")(h) if self.tag else h

    def forward(self, x, taps):
        h = self.stem(x)
        if self.arch != "preact":
            h = self.act(self.norm("stem", h))
        for l, block in enumerate(self.blocks):
            taps[f"x.{l}"] = h
            if self.arch != "preact":
                taps[f"blocks.{l}.fc1.input"] = h
            h = block(h, taps, l)
        taps[f"x.{len(self.blocks)}"] = h
        if self.arch == "preact":
            h = self.act(self.norm("final", h))
        return self.head(h)


# ---- DenseNet (family "densenet"): torchvision's names, NHWC probes ----------------


class DenseLayer(nn.Module):
    """BN-ReLU-conv3x3 (k), or BC: BN-ReLU-conv1x1 (4k)-BN-ReLU-conv3x3 (k)."""

    def __init__(self, cin, k, bc):
        super().__init__()
        self.bc = bc
        self.norm1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, 4 * k if bc else k, 1 if bc else 3, padding=0 if bc else 1, bias=False)
        if bc:
            self.norm2 = nn.BatchNorm2d(4 * k)
            self.conv2 = nn.Conv2d(4 * k, k, 3, padding=1, bias=False)

    def forward(self, x, taps, l):
        h = torch.relu(self.norm1(x))
        taps[f"blocks.{l}.fc1.input"] = h
        h = self.conv1(h)
        if self.bc:
            h = torch.relu(self.norm2(h))
            taps[f"blocks.{l}.fc2.input"] = h
            h = self.conv2(h)
        return h


class Transition(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return nn.functional.avg_pool2d(self.conv(torch.relu(self.norm(x))), 2)


class DenseNet(nn.Module):
    """Huang et al.'s CIFAR DenseNet / DenseNet-BC under torchvision's state_dict names."""

    def __init__(self, depth, k, bc, cin, classes):
        super().__init__()
        n = (depth - 4) // (6 if bc else 3)
        c = 2 * k if bc else 16
        self.features = nn.Module()
        self.features.conv0 = nn.Conv2d(cin, c, 3, padding=1, bias=False)
        self.blocks = []
        for b in range(3):
            block = nn.Module()
            for i in range(n):
                setattr(block, f"denselayer{i + 1}", DenseLayer(c + i * k, k, bc))
            setattr(self.features, f"denseblock{b + 1}", block)
            self.blocks.append([getattr(block, f"denselayer{i + 1}") for i in range(n)])
            c += n * k
            if b < 2:
                t = c // 2 if bc else c
                setattr(self.features, f"transition{b + 1}", Transition(c, t))
                c = t
        self.features.norm5 = nn.BatchNorm2d(c)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x, taps):
        f, l = self.features, 0
        h = f.conv0(x)
        for b, layers in enumerate(self.blocks):
            for layer in layers:  # x_{l+1} = [x_l, H_l(x_l)]
                taps[f"x.{l}"] = h
                h = torch.cat([h, layer(h, taps, l)], 1)
                l += 1
            if b < 2:
                h = getattr(f, f"transition{b + 1}")(h)
        taps[f"x.{l}"] = h
        h = torch.relu(f.norm5(h)).mean((2, 3))
        return self.classifier(h)


def nhwc(t):
    """A 4-D NCHW tensor as gradflow's rows (n x h*w*c)."""
    return t.permute(0, 2, 3, 1).reshape(t.shape[0], -1) if t.dim() == 4 else t


def check_densenet(path, t, meta):
    depth, k, bc = int(meta["depth"]), int(meta["growth_rate"]), meta["bottleneck"] == "1"
    h, w, cin = int(meta["height"]), int(meta["width"]), int(meta["in_channels"])
    model = DenseNet(depth, k, bc, cin, int(meta["classes"])).double()
    state = {n: v for n, v in t.items() if not n.startswith("grad.") and n not in ("input", "labels")}
    model.load_state_dict(state, strict=True)
    model.train(meta.get("batchnorm", "train") == "train")
    x = t["input"].reshape(-1, h, w, cin).permute(0, 3, 1, 2)
    taps = {}
    logits = model(x, taps)
    for v in taps.values():
        v.retain_grad()
    loss = nn.functional.cross_entropy(logits, t["labels"])
    loss.backward()
    params = dict(model.named_parameters())
    worst = 0.0
    for name, g in t.items():
        if not name.startswith("grad."):
            continue
        key = name[5:]
        ref = nhwc(taps[key].grad) if key in taps else params[key].grad
        err = ((g.reshape(ref.shape) - ref).norm() / max(ref.norm().item(), 1e-300)).item()
        worst = max(worst, err)
        if err > 1e-10:
            print(f"  {name}: relative error {err:.3e}")
    print(f"{path}: densenet{'-bc' if bc else ''}-{depth} k {k}: loss {loss.item():.17g} "
          f"(gradflow {meta['loss']}), worst gradient error {worst:.2e}")
    return worst <= 1e-10 and abs(loss.item() - float(meta["loss"])) <= 1e-12 * max(1.0, loss.item())


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data, out = raw[8 + n :], {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        dtype = {"F64": torch.float64, "I64": torch.int64}[e["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=dtype).reshape(e["shape"])
    return out, meta


def check(path):
    t, meta = load(path)
    if meta.get("family") == "densenet":
        return check_densenet(path, t, meta)
    depth, width = int(meta["depth"]), int(meta["width"])
    in_dim, classes = t["input"].shape[1], t["head.weight"].shape[0]
    model = GradflowStack(meta["arch"], depth, width, in_dim, classes, meta["norm"], meta["act"]).double()
    state = {k: v for k, v in t.items() if not k.startswith("grad.") and k not in ("input", "labels")}
    model.load_state_dict(state, strict=True)
    model.train(meta.get("batchnorm", "train") == "train")  # --bn-eval exports: running stats
    taps = {}
    logits = model(t["input"], taps)
    for v in taps.values():
        v.retain_grad()
    loss = nn.functional.cross_entropy(logits, t["labels"])
    loss.backward()
    worst = 0.0
    params = dict(model.named_parameters())
    grads = {n: g for n, g in t.items() if n.startswith("grad.")}
    refs = {n: (taps[n[5:]].grad if n[5:] in taps else params[n[5:]].grad) for n in grads}
    # Relative to the gradient itself, or to the loss's own scale where the exact
    # gradient is zero (a bias in front of a normalization): both sides are then
    # rounding noise of size ~1e-16 times the gradients around them (preact with
    # batch norm: every path from stem.bias or fc2.bias to the loss crosses a norm).
    floor = 1e-6 * max(r.norm().item() for r in refs.values())
    for name, g in grads.items():
        ref = refs[name]
        err = ((g - ref).norm() / max(ref.norm().item(), floor)).item()
        worst = max(worst, err)
        if err > 1e-9:
            print(f"  {name}: relative error {err:.3e} (|grad| {g.norm():.3e}, torch {ref.norm():.3e})")
    print(f"{path}: {meta['arch']}-{depth} width {width} norm {meta['norm']} act {meta['act']}: "
          f"loss {loss.item():.17g} (gradflow {meta['loss']}), worst gradient error {worst:.2e}")
    return worst <= 1e-9 and abs(loss.item() - float(meta["loss"])) <= 1e-12 * max(1.0, loss.item())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)
