#!/usr/bin/python3
"""LoRA reference values for test/interop/lora-torch.test.ts, in plain torch with PEFT's semantics.

1. OUR code writes a PEFT adapter for the tiny HF GPT-2 fixture (test/fixtures/hf-gpt2/tiny):
   LoRA r=4, lora_alpha=8 on c_attn, c_proj, c_fc of both blocks, A and B filled with fixed
   non-zero values (B is zero at init, which would prove nothing), via savePeftAdapter, into
   test/fixtures/lora/adapter/ (adapter_config.json + adapter_model.safetensors).
2. This script reads that directory as PEFT would: target_modules matched by name suffix,
   base_model.model.transformer.<module>.lora_A.weight (r, in) and lora_B.weight (out, r), and
   GPT-2's Conv1D layers (fan_in_fan_out: W stored (in, out)) with PEFT's LoRA forward
       y = x @ W + b + (dropout(x) @ A.T @ B.T) * (lora_alpha / r)
   (dropout off: eval mode), in float64 on the float32 weights. It records, on a fixed batch,
   the logits, the mean next-token cross-entropy, the gradients of that loss with respect to every
   lora_A / lora_B, and the logits of the merged model (W + ((alpha/r) B A).T, PEFT's
   merge for fan_in_fan_out) into test/fixtures/lora/golden.json.
`transformers`, `peft` and `safetensors` are not needed. Run from the repo root:
    /usr/bin/python3 scripts/make-lora-fixture.py
"""
import json
import math
import struct
import os
import subprocess

import torch

TINY = "test/fixtures/hf-gpt2/tiny/"
OUT = "test/fixtures/lora/"
ADAPTER = OUT + "adapter/"

# ---------------------------------------------------------------- 1. the adapter, written by our code
MAKE_ADAPTER = r"""
import { loadPretrained } from '../../../src/io/load-pretrained.js';
import { applyLora, loraLayers } from '../../../src/model/lora-apply.js';
import { savePeftAdapter } from '../../../src/io/peft-adapter.js';
import { Rng } from '../../../src/tensor/rng.js';
const { model } = loadPretrained('test/fixtures/hf-gpt2/tiny');
applyLora(model, { r: 4, alpha: 8, dropout: 0.05 });
const rng = new Rng(14);
for (const [, l] of loraLayers(model)) {
  for (const w of [l.lora_A.weight, l.lora_B.weight])
    for (let i = 0; i < w.size; i++) w.data[i] = 0.3 * rng.normal();
}
savePeftAdapter('test/fixtures/lora/adapter', model, { baseModel: 'test/fixtures/hf-gpt2/tiny' });
"""
os.makedirs(OUT, exist_ok=True)
script = OUT + "make-adapter.tmp.ts"  # tsx -e is CommonJS; a module file imports our ES modules
with open(script, "w") as f:
    f.write(MAKE_ADAPTER)
try:
    subprocess.run(["npx", "tsx", script], check=True)
finally:
    os.remove(script)


# ---------------------------------------------------------------- reading safetensors (F32 only)
def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        vals = struct.unpack("<%df" % ((e - b) // 4), raw[8 + n + b:8 + n + e])
        out[name] = torch.tensor(vals, dtype=torch.float32).reshape(info["shape"])
    return out


base = read_safetensors(TINY + "model.safetensors")
cfg = json.load(open(TINY + "config.json"))
acfg = json.load(open(ADAPTER + "adapter_config.json"))
adapter = read_safetensors(ADAPTER + "adapter_model.safetensors")
assert acfg["peft_type"] == "LORA" and acfg["fan_in_fan_out"] is True and acfg["bias"] == "none"
r, alpha = acfg["r"], acfg["lora_alpha"]
scaling = alpha / r

# PEFT's target matching for a list: the module's full name equals a target or ends with ".target".
modules = [f"h.{l}.{m}" for l in range(cfg["n_layer"])
           for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")]
targeted = [m for m in modules if any(m == t or m.endswith("." + t) for t in acfg["target_modules"])]
key = lambda m, ab: f"base_model.model.transformer.{m}.lora_{ab}.weight"
assert sorted(adapter) == sorted(key(m, ab) for m in targeted for ab in "AB"), sorted(adapter)

# float64 leaves: the base weights (frozen) and the adapters (requires grad)
P = {k: v.double() for k, v in base.items()}
L = {m: {ab: adapter[key(m, ab)].double().requires_grad_() for ab in "AB"} for m in targeted}
for m in targeted:
    W = P[m + ".weight"]  # Conv1D (in, out)
    assert L[m]["A"].shape == (r, W.shape[0]) and L[m]["B"].shape == (W.shape[1], r)


# ---------------------------------------------------------------- 2. GPT2LMHeadModel + PEFT LoRA
def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(ids, merged=False):
    """ids (B, T) -> logits (B, T, V), float64."""
    Bn, T = ids.shape
    C, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hs = C // nh
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (C,), P[n + ".weight"], P[n + ".bias"], eps)

    def conv1d(x, n):
        W, b = P[n + ".weight"], P[n + ".bias"]
        if n not in L:
            return x @ W + b
        A, B = L[n]["A"], L[n]["B"]
        if merged:  # PEFT's merge with fan_in_fan_out: W += transpose(B @ A) * scaling
            return x @ (W + (B @ A).T * scaling) + b
        return x @ W + b + (x @ A.T @ B.T) * scaling  # lora_B(lora_A(dropout(x))) * scaling

    x = P["wte.weight"][ids] + P["wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(cfg["n_layer"]):
        h = f"h.{l}."
        q, k, v = conv1d(ln(x, h + "ln_1"), h + "attn.c_attn").split(C, dim=-1)
        q, k, v = (t.view(Bn, T, nh, hs).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(Bn, T, C)
        x = x + conv1d(y, h + "attn.c_proj")
        x = x + conv1d(gelu_new(conv1d(ln(x, h + "ln_2"), h + "mlp.c_fc")), h + "mlp.c_proj")
    return ln(x, "ln_f") @ P["wte.weight"].T


g = torch.Generator().manual_seed(14)
V = cfg["vocab_size"]
ids = torch.randint(0, V, (2, 9), generator=g)
inp, tgt = ids[:, :-1], ids[:, 1:]  # (2, 8)
logits = forward(inp)
loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1))
loss.backward()
with torch.no_grad():
    merged = forward(inp, merged=True)
print(f"loss {loss.item():.6f}; merged vs unmerged max |diff| {(merged - logits).abs().max().item():.2e}")

flat = lambda t: [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]  # 9 digits: float32 and more
golden = {
    "note": "made by scripts/make-lora-fixture.py (plain torch, PEFT semantics, float64)",
    "r": r,
    "lora_alpha": alpha,
    "input": inp.tolist(),
    "targets": tgt.tolist(),
    "logits": flat(logits),
    "mergedLogits": flat(merged),
    "loss": loss.item(),
    "grads": {f"{m}.lora_{ab}.weight": flat(L[m][ab].grad) for m in targeted for ab in "AB"},
}
with open(OUT + "golden.json", "w") as f:
    json.dump(golden, f)
    f.write("\n")
print("wrote", OUT + "golden.json")
