#!/usr/bin/python3
"""Golden gate gradients for structured pruning, made by PyTorch (Debian's python3-torch).

Michel et al. (2019) score head h by the derivative of the loss with respect to a gate xi_h that
multiplies the head's output; the same gate on one MLP neuron's activation gives its score. Here a
2-layer GPT in GPT-2's layout (learned positions, LayerNorm, GELU-tanh, tied head) is written out by
hand with those gates as explicit tensors (all 1), and autograd gives dL/dxi for every head and
neuron. src/prune/importance.ts computes the same numbers without gates (from c_proj's weight
gradient); test/prune/importance-torch.test.ts compares them.

Writes test/fixtures/prune-gates.json: config (our field names), parameters (our names, float32
values), idx and targets (B, T), loss, headGates [layer][head], neuronGates [layer][neuron].
The maths runs in float64 on the float32 weights. Run from the repo root:
  /usr/bin/python3 scripts/make-prune-fixture.py
"""
import json
import math
import torch
import torch.nn.functional as F

torch.manual_seed(0)
V, T_BLOCK, L, NH, C = 29, 8, 2, 4, 16
HS, H = C // NH, 4 * C


def f32(t):
    return t.float().double()


def flat(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


params = {}


def param(name, shape, kind):
    if kind == "bias":
        t = torch.randn(shape) * 0.1
    elif kind == "gain":
        t = 1 + torch.randn(shape) * 0.1
    else:
        t = torch.randn(shape) * 0.3
    params[name] = f32(t)


param("wte.weight", (V, C), "w")
param("wpe.weight", (T_BLOCK, C), "w")
for l in range(L):
    p = f"h.{l}."
    param(p + "ln_1.weight", (C,), "gain")
    param(p + "ln_1.bias", (C,), "bias")
    param(p + "attn.c_attn.weight", (3 * C, C), "w")  # (out, in), as nn.Linear and ours
    param(p + "attn.c_attn.bias", (3 * C,), "bias")
    param(p + "attn.c_proj.weight", (C, C), "w")
    param(p + "attn.c_proj.bias", (C,), "bias")
    param(p + "ln_2.weight", (C,), "gain")
    param(p + "ln_2.bias", (C,), "bias")
    param(p + "mlp.c_fc.weight", (H, C), "w")
    param(p + "mlp.c_fc.bias", (H,), "bias")
    param(p + "mlp.c_proj.weight", (C, H), "w")
    param(p + "mlp.c_proj.bias", (C,), "bias")
param("ln_f.weight", (C,), "gain")
param("ln_f.bias", (C,), "bias")

B, T = 3, 8
idx = torch.randint(0, V, (B, T))
targets = torch.randint(0, V, (B, T))
head_gates = torch.ones(L, NH, dtype=torch.float64, requires_grad=True)
neuron_gates = torch.ones(L, H, dtype=torch.float64, requires_grad=True)


def lin(x, name):
    return x @ params[name + ".weight"].T + params[name + ".bias"]


def ln(x, name):
    return F.layer_norm(x, (C,), params[name + ".weight"], params[name + ".bias"], eps=1e-5)


x = params["wte.weight"][idx] + params["wpe.weight"][torch.arange(T)]  # (B, T, C)
causal = torch.tril(torch.ones(T, T)) == 0
for l in range(L):
    p = f"h.{l}."
    q, k, v = lin(ln(x, p + "ln_1"), p + "attn.c_attn").split(C, dim=2)  # (B, T, C) each
    q, k, v = (t.view(B, T, NH, HS).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
    att = ((q @ k.transpose(-2, -1)) / math.sqrt(HS)).masked_fill(causal, float("-inf")).softmax(-1)
    heads = (att @ v) * head_gates[l].view(1, NH, 1, 1)  # (B, nh, T, hs): head h scaled by xi_h
    x = x + lin(heads.transpose(1, 2).reshape(B, T, C), p + "attn.c_proj")
    a = F.gelu(lin(ln(x, p + "ln_2"), p + "mlp.c_fc"), approximate="tanh") * neuron_gates[l]  # (B, T, H)
    x = x + lin(a, p + "mlp.c_proj")
logits = ln(x, "ln_f") @ params["wte.weight"].T  # (B, T, V), tied head
loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
loss.backward()

out = {
    "generator": "scripts/make-prune-fixture.py",
    "torch": torch.__version__,
    "config": {"vocabSize": V, "blockSize": T_BLOCK, "nLayer": L, "nHead": NH, "nEmbd": C},
    "params": {n: {"shape": list(t.shape), "values": flat(t)} for n, t in params.items()},
    "idx": idx.tolist(),
    "targets": targets.tolist(),
    "loss": loss.item(),
    "headGates": head_gates.grad.tolist(),
    "neuronGates": neuron_gates.grad.tolist(),
}
with open("test/fixtures/prune-gates.json", "w") as f:
    json.dump(out, f)
print(f"loss {loss.item():.6f}; head gate gradients {[[round(g, 5) for g in r] for r in head_gates.grad.tolist()]}")
