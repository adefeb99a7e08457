#!/usr/bin/env python3
"""Check a gradflow export against PyTorch.

    python3 tools/torch_check.py runs/gradnorm/run.safetensors [more files]

Builds the equivalent nn.Module (the one the README documents), loads the
exported state_dict with strict=True, runs the exported batch forward in
training mode with the mean cross-entropy, and compares every exported
gradient (parameters and probes dL/dx) with PyTorch's, in float64.
Needs PyTorch (Debian: apt-get install python3-torch). Exit status 0 when
every gradient agrees to 1e-9 relative (Frobenius) error.

A transformer export (gf_xfmr_export_step, `gradflow transformer --export`:
metadata family "transformer") is checked by check_transformer: every
parameter's gradient to 1e-10 relative error.
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
    if meta.get("family") == "transformer":
        return check_transformer(path, t, meta)
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
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)
