#!/usr/bin/env python3
"""Check a gradflow export against PyTorch, or write a PyTorch-initialized net.

    python3 tools/torch_check.py runs/gradnorm/run.safetensors [more files]
    python3 tools/torch_check.py --write-init ARCH DEPTH OUT.safetensors [options]
    python3 tools/torch_check.py --same-state A.safetensors B.safetensors

Check: builds the equivalent nn.Module (an MLP stack, for the family "cnn"
a CIFAR ResNet with torchvision's names, for "densenet" a DenseNet or
DenseNet-BC with torchvision's DenseNet names, for "transformer"
a GPT-2-like decoder: check_transformer, every parameter's gradient), loads the exported state_dict with
strict=True, runs the exported batch forward (training mode unless the export
says "eval") with the mean cross-entropy, and compares every exported gradient
(parameters and probes dL/dx) with PyTorch's, in float64. Exit status 0 when
every gradient agrees to 1e-10 relative (Frobenius) error.

--write-init: the module PyTorch builds for ARCH (plain, resnet, preact,
cnn-plain, cnn-resnet, cnn-preact) and DEPTH, with PyTorch's initialization,
saved as a bare state_dict (tensors only, no gradflow metadata) in float32 as
PyTorch saves by default (--float64 for float64); gradflow loads it with the
same options given on its command line. Options: --width N (MLP), --filters N
(cnn, 16 x --width-mult), --input-dim N, --image HxWxC (cnn), --classes N,
--norm NAME (MLP), --seed N.
--same-state: every tensor of A is in B with the same value (B's widened to
A's dtype): a net PyTorch initialized, loaded by gradflow and exported again.
tools/torch-check.sh runs all three (the meson test "torch").
Needs PyTorch (Debian: apt-get install python3-torch).
"""
import argparse
import json
import struct
import sys

import torch
from torch import nn
import torch.nn.functional as F

TOL = {"cnn": 1e-10, "mlp": 1e-9}  # mlp: preact's biases before batch norm reach ~6e-11


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


def through_blocks(blocks, h, taps, fc1_is_x):
    """h through the blocks, tapping each block's input x.l (and, when the
    first layer of a block reads x_l, blocks.l.fc1.input) and the output."""
    for l, block in enumerate(blocks):
        taps[f"x.{l}"] = h
        if fc1_is_x:
            taps[f"blocks.{l}.fc1.input"] = h
        h = block(h, taps, l)
    taps[f"x.{len(blocks)}"] = h
    return h


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
        h = through_blocks(self.blocks, h, taps, self.arch != "preact")
        if self.arch == "preact":
            h = self.act(self.norm("final", h))
        return self.head(h)


def shortcut_a(x, c_out):
    """He et al.'s option A: x[:, :, ::2, ::2] with zero channels half before, half after."""
    pad = (c_out - x.shape[1]) // 2
    return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, pad, c_out - x.shape[1] - pad))


class BasicBlock(nn.Module):
    """torchvision's CIFAR unit: conv1 bn1 relu conv2 bn2 (+ skip, relu); preact
    (bearpaw's preresnet): bn1 relu conv1 bn2 relu conv2 (+ skip)."""

    def __init__(self, unit, c_in, c_out, stride):
        super().__init__()
        self.unit, self.c_out = unit, c_out
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_in if unit == "preact" else c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.down = stride != 1 or c_in != c_out

    def skip(self, x):
        return shortcut_a(x, self.c_out) if self.down else x

    def forward(self, x, taps, l):
        if self.unit == "preact":
            u = torch.relu(self.bn1(x))
            v = torch.relu(self.bn2(self.conv1(u)))
            taps[f"blocks.{l}.fc1.input"], taps[f"blocks.{l}.fc2.input"] = u, v
            return self.skip(x) + self.conv2(v)
        v = torch.relu(self.bn1(self.conv1(x)))
        taps[f"blocks.{l}.fc2.input"] = v
        f = self.bn2(self.conv2(v))
        return torch.relu(f + self.skip(x) if self.unit == "resnet" else f)


class CifarResNet(nn.Module):
    """He et al.'s depth 6n + 2: conv1 (+ bn1, relu), layer1..3 of n blocks with
    filters, 2 filters, 4 filters (stride 2 at the first block of layers 2, 3),
    preact's final bn + relu, global average pooling, fc."""

    def __init__(self, unit, depth, filters, image, classes, bn_momentum=0.1, eps=1e-5):
        super().__init__()
        self.unit, self.image, n = unit, image, (depth - 2) // 6
        self.conv1 = nn.Conv2d(image[2], filters, 3, 1, 1, bias=False)
        if unit != "preact":
            self.bn1 = nn.BatchNorm2d(filters)
        c = filters
        for s in range(3):
            blocks = []
            for i in range(n):
                c_out = filters << s
                blocks.append(BasicBlock(unit, c, c_out, 2 if i == 0 and s > 0 else 1))
                c = c_out
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
        if unit == "preact":
            self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):  # torchvision's ResNet init
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if isinstance(m, nn.BatchNorm2d):
                m.momentum, m.eps = bn_momentum, eps

    def forward(self, x, taps):
        h, w, c = self.image  # gradflow's rows are NHWC images
        nchw = lambda t: t.permute(0, 3, 1, 2)
        x = nchw(x.reshape(-1, h, w, c))
        y = self.conv1(x)
        if self.unit != "preact":
            y = torch.relu(self.bn1(y))
        blocks = [b for s in (self.layer1, self.layer2, self.layer3) for b in s]
        y = through_blocks(blocks, y, taps, self.unit != "preact")
        if self.unit == "preact":
            y = torch.relu(self.bn(y))
        return self.fc(y.mean((2, 3)))


def rows(t):
    """A tap's gradient as gradflow's rows (NHWC images flattened)."""
    return t.permute(0, 2, 3, 1).reshape(t.shape[0], -1) if t.dim() == 4 else t


def build(meta, t):
    if meta.get("family", "mlp") == "cnn":
        image = (int(meta["height"]), int(meta["width"]), int(meta["channels"]))
        return CifarResNet(meta["arch"][4:], int(meta["depth"]), int(meta["filters"]), image,
                           int(meta["classes"]), float(meta["bn_momentum"]), float(meta["eps"]))
    in_dim, classes = t["input"].shape[1], t["head.weight"].shape[0]
    return GradflowStack(meta["arch"], int(meta["depth"]), int(meta["width"]), in_dim, classes,
                         meta["norm"], meta["act"])



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
        ref = rows(taps[key].grad) if key in taps else params[key].grad
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
        dtype = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}[e["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=dtype).reshape(e["shape"])
    return out, meta


def check(path):
    t, meta = load(path)
    if meta.get("family") == "transformer":
        return check_transformer(path, t, meta)
    if meta.get("family") == "densenet":
        return check_densenet(path, t, meta)
    tol = TOL[meta.get("family", "mlp")]
    model = build(meta, t).double()
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
    refs = {n: (rows(taps[n[5:]].grad) if n[5:] in taps else params[n[5:]].grad) for n in grads}
    # Relative to the gradient itself, or to the loss's own scale where the exact
    # gradient is zero (a bias in front of a normalization): both sides are then
    # rounding noise of size ~1e-16 times the gradients around them (preact with
    # batch norm: every path from stem.bias or fc2.bias to the loss crosses a norm).
    floor = 1e-6 * max(r.norm().item() for r in refs.values())
    for name, g in grads.items():
        ref = refs[name]
        err = ((g - ref).norm() / max(ref.norm().item(), floor)).item()
        worst = max(worst, err)
        if err > tol:
            print(f"  {name}: relative error {err:.3e} (|grad| {g.norm():.3e}, torch {ref.norm():.3e})")
    shape = (f"filters {meta['filters']} image {meta['height']}x{meta['width']}x{meta['channels']}"
             if meta.get("family") == "cnn" else
             f"width {meta['width']} norm {meta['norm']} act {meta['act']}")
    print(f"{path}: {meta['arch']}-{meta['depth']} {shape}: {len(grads)} gradients, "
          f"loss {loss.item():.17g} (gradflow {meta['loss']}), worst gradient error {worst:.2e}")
    return worst <= tol and abs(loss.item() - float(meta["loss"])) <= 1e-12 * max(1.0, loss.item())


def save(path, tensors):
    """A bare safetensors state_dict, as safetensors.torch.save_file writes one."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, at = {}, [], 0
    for name, v in tensors.items():
        b = v.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": names[v.dtype], "shape": list(v.shape),
                        "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def write_init(argv):
    p = argparse.ArgumentParser(prog="torch_check.py --write-init")
    p.add_argument("arch")
    p.add_argument("depth", type=int)
    p.add_argument("out")
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--filters", type=int, default=16)
    p.add_argument("--input-dim", type=int, default=32)
    p.add_argument("--image", default="28x28x1")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--norm", default="none")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--float64", action="store_true")
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    if a.arch.startswith("cnn-"):
        image = tuple(int(v) for v in a.image.split("x"))
        model = CifarResNet(a.arch[4:], a.depth, a.filters, image, a.classes)
    else:
        model = GradflowStack(a.arch, a.depth, a.width, a.input_dim, a.classes, a.norm, "relu")
    state = model.state_dict()
    if a.float64:
        state = {k: v.double() if v.is_floating_point() else v for k, v in state.items()}
    save(a.out, state)
    print(f"{a.out}: {a.arch}-{a.depth}, {len(state)} tensors "
          f"({sum(v.numel() for v in model.parameters())} parameters), PyTorch's init")


def same_state(a, b):
    ta, tb = load(a)[0], load(b)[0]
    bad = [k for k, v in ta.items() if k not in tb or not torch.equal(tb[k].to(v.dtype), v)]
    print(f"{a} in {b}: {len(ta) - len(bad)} of {len(ta)} tensors equal" +
          (f"; differ: {', '.join(bad[:5])}" if bad else ""))
    return not bad


# ---- the transformer (family "transformer": src/xfmr/gf_xfmr.h) -----------------------------
# GPT-2's names without the "transformer." prefix; weights in nn.Linear's (out, in) layout
# (not GPT-2's Conv1D (in, out)); exact GELU; lm_head without bias; ln_f for preln only.

class XfmrAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)

    def forward(self, x):  # x: B x T x d
        B, T, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (t.view(B, T, self.heads, d // self.heads).transpose(1, 2) for t in (q, k, v))
        s = q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        p = torch.softmax(s.masked_fill(~mask, float("-inf")), dim=-1)
        return self.c_proj((p @ v).transpose(1, 2).reshape(B, T, d))


class XfmrMLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc, self.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        return self.c_proj(nn.functional.gelu(self.c_fc(x)))


class XfmrLayer(nn.Module):
    def __init__(self, kind, d, heads, layers, eps):
        super().__init__()
        self.kind = kind
        self.alpha = (2 * layers) ** 0.25 if kind == "deepnorm" else 1.0
        if kind != "rezero":
            self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
        else:
            self.alpha_attn, self.alpha_mlp = nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))
        self.attn, self.mlp = XfmrAttention(d, heads), XfmrMLP(d)

    def forward(self, x):
        if self.kind == "preln":
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))
        if self.kind == "rezero":
            x = x + self.alpha_attn * self.attn(x)
            return x + self.alpha_mlp * self.mlp(x)
        x = self.ln_1(self.alpha * x + self.attn(x))  # postln (alpha 1), deepnorm
        return self.ln_2(self.alpha * x + self.mlp(x))


class GradflowTransformer(nn.Module):
    def __init__(self, kind, layers, width, heads, context, vocab, eps):
        super().__init__()
        self.kind = kind
        self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(context, width)
        self.h = nn.ModuleList(XfmrLayer(kind, width, heads, layers, eps) for _ in range(layers))
        if kind == "preln":
            self.ln_f = nn.LayerNorm(width, eps=eps)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):  # B x T -> B x T x vocab
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for layer in self.h:
            x = layer(x)
        return self.lm_head(self.ln_f(x) if self.kind == "preln" else x)


def transformer_from_meta(meta):
    return GradflowTransformer(meta["kind"], int(meta["layers"]), int(meta["width"]),
                               int(meta["heads"]), int(meta["context"]), int(meta["vocab"]),
                               float(meta["eps"]))


def check_transformer(path, t, meta):
    """Load with strict=True, one step in float64, every gradient to 1e-10 relative."""
    model = transformer_from_meta(meta).double()
    state = {k: v for k, v in t.items() if not k.startswith("grad.") and k not in ("input", "labels")}
    model.load_state_dict(state, strict=True)
    logits = model(t["input"])
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), t["labels"].reshape(-1))
    loss.backward()
    worst = 0.0
    for name, p in model.named_parameters():
        g = t["grad." + name]
        err = ((g - p.grad).norm() / max(p.grad.norm().item(), 1e-300)).item()
        worst = max(worst, err)
        if err > 1e-10:
            print(f"  {name}: relative error {err:.3e} (|grad| {g.norm():.3e}, torch {p.grad.norm():.3e})")
    print(f"{path}: transformer {meta['kind']}-{meta['layers']} width {meta['width']} heads "
          f"{meta['heads']}: loss {loss.item():.17g} (gradflow {meta['loss']}), worst gradient "
          f"error {worst:.2e}")
    return worst <= 1e-10 and abs(loss.item() - float(meta["loss"])) <= 1e-12 * max(1.0, loss.item())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--same-state" and len(sys.argv) == 4:
        sys.exit(0 if same_state(sys.argv[2], sys.argv[3]) else 1)
    if sys.argv[1] == "--write-init":
        write_init(sys.argv[2:])
        sys.exit(0)
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)
