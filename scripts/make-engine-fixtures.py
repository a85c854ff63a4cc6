#!/usr/bin/python3
"""Golden values for the tensor engine, made by PyTorch (Debian's python3-torch).

Writes test/fixtures/engine-golden.json: fixed float32 inputs, the forward outputs and every
input/parameter gradient of small graphs (matmul + bias + GELU + LayerNorm + softmax +
cross-entropy, and a few single ops). Tests compare our engine with these to 1e-5 relative.
Run from the repo root:  /usr/bin/python3 scripts/make-engine-fixtures.py
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)


def flat(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


cases = {}

# 1. A two-layer network: linear -> GELU -> LayerNorm -> linear -> cross-entropy (+ softmax).
for approximate in ["none", "tanh"]:
    for smoothing, ignore in [(0.0, False), (0.1, True)]:
        B, T, C, H, V = 2, 3, 4, 5, 7
        x = leaf(B, T, C)
        w1, b1 = leaf(H, C, scale=0.5), leaf(H, scale=0.5)
        lnw, lnb = leaf(H, scale=0.5) , leaf(H, scale=0.5)
        with torch.no_grad():
            lnw += 1.0
        w2, b2 = leaf(V, H, scale=0.5), leaf(V, scale=0.5)
        targets = torch.randint(0, V, (B, T))
        if ignore:
            targets[0, 1] = -100
        h = F.gelu(F.linear(x, w1, b1), approximate=approximate)
        h = F.layer_norm(h, (H,), lnw, lnb, eps=1e-5)
        logits = F.linear(h, w2, b2)
        probs = F.softmax(logits, dim=-1)
        loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100, label_smoothing=smoothing)
        # Use the softmax output too, so its backward is part of the graph.
        total = loss + (probs * probs).sum() * 0.1
        total.backward()
        name = f"mlp_gelu_{approximate}_smooth{smoothing}_ignore{int(ignore)}"
        cases[name] = {
            "approximate": approximate, "labelSmoothing": smoothing,
            "shapes": {"x": [B, T, C], "w1": [H, C], "b1": [H], "lnw": [H], "lnb": [H], "w2": [V, H], "b2": [V]},
            "inputs": {k: flat(v) for k, v in dict(x=x, w1=w1, b1=b1, lnw=lnw, lnb=lnb, w2=w2, b2=b2).items()},
            "targets": [int(v) for v in targets.reshape(-1).tolist()],
            "logits": flat(logits), "probs": flat(probs), "loss": float(loss), "total": float(total),
            "grads": {k: flat(v.grad) for k, v in dict(x=x, w1=w1, b1=b1, lnw=lnw, lnb=lnb, w2=w2, b2=b2).items()},
        }

# 2. Batched matmul with a broadcast batch axis, then logSoftmax on axis 1, var and max.
a, b = leaf(2, 1, 3, 4), leaf(3, 4, 5)
y = torch.matmul(a, b)  # (2, 3, 3, 5)
z = F.log_softmax(y, dim=1)
out = z.var(dim=-1, unbiased=True).sum() + y.amax(dim=2).sum() * 0.5 + torch.tanh(y).mean()
out.backward()
cases["batched_matmul"] = {
    "shapes": {"a": [2, 1, 3, 4], "b": [3, 4, 5]},
    "inputs": {"a": flat(a), "b": flat(b)},
    "y": flat(y), "z": flat(z), "out": float(out),
    "grads": {"a": flat(a.grad), "b": flat(b.grad)},
}

# 3. Elementwise function values at fixed points (forward and derivative).
pts = torch.linspace(-6, 6, 49).requires_grad_(True)
fns = {
    "gelu": lambda t: F.gelu(t), "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "silu": F.silu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
}
values = {}
for k, f in fns.items():
    pts.grad = None
    v = f(pts)
    v.sum().backward()
    values[k] = {"y": flat(v), "dy": flat(pts.grad)}
cases["pointwise"] = {"x": flat(pts), "fns": values}

with open("test/fixtures/engine-golden.json", "w") as fh:
    json.dump({"generator": "scripts/make-engine-fixtures.py", "torch": torch.__version__, "cases": cases}, fh)
print("wrote test/fixtures/engine-golden.json with", len(cases), "cases")
