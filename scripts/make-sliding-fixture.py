#!/usr/bin/python3
"""Golden values for sliding-window and sparse attention, made by PyTorch (Debian's python3-torch).

Writes test/fixtures/sliding-golden.json with:
  - core_*: the attention core softmax(q k^T / sqrt(hs)) v on heads-side-by-side inputs
    q (B, T, nh*hs), k and v (B, T, nkv*hs) (grouped-query: 4 query heads share 2 kv heads),
    T odd, under a pattern's mask written here from its definition: the sliding window
    (i - W < j <= i), and the Sparse Transformer's strided and fixed patterns (Child et al., 2019,
    section 4.2); the output and dq, dk, dv for a random upstream gradient;
  - module_sliding: one multi-head attention layer in GPT-2's names (c_attn, c_proj, biases) with a
    sliding window of 3 over 9 positions: its output, input gradient and every parameter gradient.
Run from the repo root:  /usr/bin/python3 scripts/make-sliding-fixture.py
"""
import json
import math
import torch
import torch.nn as nn

torch.manual_seed(0)


def flat(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def sees(kind, W, c, i, j):
    """May query i see key j: the patterns as sets (all causal)."""
    if j > i:
        return False
    if kind == "sliding":
        return i - j < W
    if kind == "sparse-strided":  # A1: the previous W positions, A2: every W-th
        return i - j <= W or (i - j) % W == 0
    if kind == "sparse-fixed":  # A1: the same block of width W, A2: the last c of every block
        return j // W == i // W or j % W >= W - c
    raise ValueError(kind)


def pattern_mask(kind, W, c, T):
    return torch.tensor([[sees(kind, W, c, i, j) for j in range(T)] for i in range(T)])


def attention(q, k, v, nh, nkv, mask):
    """q (B, T, nh*hs), k and v (B, T, nkv*hs) -> (B, T, nh*hs), the pattern's keys only."""
    B, T, C = q.shape
    hs = C // nh
    q = q.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
    k = k.view(B, T, nkv, hs).transpose(1, 2).repeat_interleave(nh // nkv, dim=1)  # (B, nh, T, hs)
    v = v.view(B, T, nkv, hs).transpose(1, 2).repeat_interleave(nh // nkv, dim=1)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T)
    att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
    return (att @ v).transpose(1, 2).reshape(B, T, nh * hs)


cases = {}

B, T, nh, nkv, hs = 2, 9, 4, 2, 3
for kind, W, c in [("sliding", 4, 0), ("sparse-strided", 3, 0), ("sparse-fixed", 4, 2)]:
    q = torch.randn(B, T, nh * hs, requires_grad=True)
    k = torch.randn(B, T, nkv * hs, requires_grad=True)
    v = torch.randn(B, T, nkv * hs, requires_grad=True)
    out = attention(q, k, v, nh, nkv, pattern_mask(kind, W, c, T))
    g = torch.randn_like(out)
    out.backward(g)
    cases["core_" + kind] = {
        "kind": kind, "window": W, "summary": c, "B": B, "T": T, "nh": nh, "nkv": nkv, "hs": hs,
        "q": flat(q), "k": flat(k), "v": flat(v), "out": flat(out), "upstream": flat(g),
        "dq": flat(q.grad), "dk": flat(k.grad), "dv": flat(v.grad),
    }

# One attention layer, GPT-2 names, sliding window 3 over 9 positions, GQA.
C, W = 12, 3
hs = C // nh
attn = nn.Module()
attn.c_attn = nn.Linear(C, C + 2 * nkv * hs)
attn.c_proj = nn.Linear(C, C)
with torch.no_grad():
    for p in attn.parameters():
        p.copy_(torch.randn_like(p) * 0.3)
x = torch.randn(B, T, C, requires_grad=True)
q, k, v = attn.c_attn(x).split([C, nkv * hs, nkv * hs], dim=2)
y = attn.c_proj(attention(q, k, v, nh, nkv, pattern_mask("sliding", W, 0, T)))
g = torch.randn_like(y)
y.backward(g)
cases["module_sliding"] = {
    "config": {"nEmbd": C, "nHead": nh, "nKvHead": nkv, "window": W},
    "params": {n: {"shape": list(p.shape), "values": flat(p)} for n, p in attn.named_parameters()},
    "x": {"shape": list(x.shape), "values": flat(x)},
    "y": flat(y), "upstream": flat(g), "xGrad": flat(x.grad),
    "grads": {n: flat(p.grad) for n, p in attn.named_parameters()},
}

with open("test/fixtures/sliding-golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
print("wrote test/fixtures/sliding-golden.json")
