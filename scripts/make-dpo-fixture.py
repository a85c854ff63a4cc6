#!/usr/bin/python3
"""DPO reference values for test/interop/dpo-torch.test.ts, in plain torch (float64).

DPO (Rafailov et al., 2023, eq. 7), with conservative DPO's label smoothing eps (Mitchell, 2023):
    z = beta * ((log pi(y_c) - log ref(y_c)) - (log pi(y_r) - log ref(y_r)))
    L = mean over pairs of  -(1 - eps) log sigmoid(z) - eps log sigmoid(-z)
1. The REFERENCE model is the tiny HF GPT-2 fixture (test/fixtures/hf-gpt2/tiny). The POLICY is
   the same weights plus 0.05 * torch.randn of each parameter's shape (torch.manual_seed(0), in
   file order; the attention-mask buffers are copied unchanged), written as an HF directory
   test/fixtures/dpo/policy (config.json copied, model.safetensors written by hand in F32 with the
   tiny fixture's tensor names).
2. Four preference pairs as raw token ids (no tokenizer; ids < 288, eos = 288 appended to each
   response), of different prompt and response lengths so that padding and masks matter. Each
   sequence is scored ALONE (no padding here: the batch padding of our code is what is tested):
   targets are ids[1:], kept where t + 1 >= promptLen (the response and its eos), as
   src/train/instruct/batches.ts instructBatch masks them.
3. Recorded in test/fixtures/dpo/golden.json: the ids, the policy's and reference's summed and mean
   (sum / count) log-probabilities, and for beta 0.1 and 0.5 (eps 0) and beta 0.5 with eps 0.1: the
   loss, the mean implicit rewards, margin and accuracy, the norm of the loss's gradient with
   respect to every policy parameter and a sample of it: every 16th element, or all of a tensor of
   at most 1024 (HF names and layout: Conv1D weights are (in, out)). The full gradients of the
   first setting (beta 0.1, eps 0) go in F32 to test/fixtures/dpo/grads.safetensors (all three in
   full would be ~1 MB of JSON; golden.json is kept under 400 KB). Also log sigmoid
   and its derivative at large |x| and near 0 (torch.nn.functional.logsigmoid).
Dropout is off (the reference is in eval mode). `transformers` and `safetensors` are not needed.
Run from the repo root:
    /usr/bin/python3 scripts/make-dpo-fixture.py
"""
import json
import math
import os
import re
import shutil
import struct

import torch

TINY = "test/fixtures/hf-gpt2/tiny/"
OUT = "test/fixtures/dpo/"
POLICY = OUT + "policy/"
EOS = 288
SETTINGS = [(0.1, 0.0), (0.5, 0.0), (0.5, 0.1)]  # (beta, label smoothing); the first in full
STRIDE, SMALL = 16, 1024  # the other settings: every 16th gradient element; all of a small tensor
BUFFER = re.compile(r"^h\.\d+\.attn\.(bias|masked_bias)$")  # causal-mask buffers, not parameters


# ---------------------------------------------------------------- safetensors (F32 only)
def read_safetensors(path):
    """name -> float32 tensor, in file order."""
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


def write_safetensors(path, tensors):
    """name -> tensor, written as F32 in the given order; the JSON header space-padded to 8 bytes."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().reshape(-1).tolist()
        b = struct.pack("<%df" % len(data), *data)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


# ---------------------------------------------------------------- 1. the policy directory
base = read_safetensors(TINY + "model.safetensors")
cfg = json.load(open(TINY + "config.json"))
torch.manual_seed(0)
policy32 = {k: v if BUFFER.match(k) else v + 0.05 * torch.randn(v.shape) for k, v in base.items()}
os.makedirs(POLICY, exist_ok=True)
shutil.copyfile(TINY + "config.json", POLICY + "config.json")
write_safetensors(POLICY + "model.safetensors", policy32)
assert all(torch.equal(read_safetensors(POLICY + "model.safetensors")[k], v) for k, v in policy32.items())
PARAMS = [k for k in base if not BUFFER.match(k)]


# ---------------------------------------------------------------- GPT2LMHeadModel, float64
def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(P, ids):
    """P: HF name -> float64 tensor; ids (T) -> logits (T, V). Eval mode: no dropout."""
    T = ids.shape[0]
    C, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hs = C // nh
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (C,), P[n + ".weight"], P[n + ".bias"], eps)
    conv1d = lambda x, n: x @ P[n + ".weight"] + P[n + ".bias"]  # Conv1D: W stored (in, out)
    x = P["wte.weight"][ids] + P["wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(cfg["n_layer"]):
        h = f"h.{l}."
        q, k, v = conv1d(ln(x, h + "ln_1"), h + "attn.c_attn").split(C, dim=-1)
        q, k, v = (t.view(T, nh, hs).transpose(0, 1) for t in (q, k, v))  # (nh, T, hs)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        x = x + conv1d((att @ v).transpose(0, 1).reshape(T, C), h + "attn.c_proj")
        x = x + conv1d(gelu_new(conv1d(ln(x, h + "ln_2"), h + "mlp.c_fc")), h + "mlp.c_proj")
    return ln(x, "ln_f") @ P["wte.weight"].T  # tied head


def seq_logprob(P, ids, prompt_len):
    """Summed log pi(response + eos | prompt) of one unpadded sequence, and its token count."""
    ids = torch.tensor(ids)
    logp = forward(P, ids[:-1]).log_softmax(-1)  # (T, V)
    picked = logp.gather(1, ids[1:, None])[:, 0]  # (T,)
    mask = torch.tensor([t + 1 >= prompt_len for t in range(len(ids) - 1)], dtype=torch.float64)
    return (picked * mask).sum(), int(mask.sum().item())


# ---------------------------------------------------------------- 2. the pairs
# (prompt, chosen, rejected) lengths; the longest sequence is 25 + 22 + eos = 48 ids (T = 47).
LENGTHS = [(5, 7, 3), (12, 2, 9), (1, 15, 15), (25, 22, 6)]
g = torch.Generator().manual_seed(15)
rand = lambda n: torch.randint(0, EOS, (n,), generator=g).tolist()
pairs = [{"prompt": rand(p), "chosen": rand(c), "rejected": rand(r)} for p, c, r in LENGTHS]
seqs = [(pr["prompt"] + pr[side] + [EOS], len(pr["prompt"]))
        for side in ("chosen", "rejected") for pr in pairs]  # chosen rows first, as pairBatch
assert max(len(s) for s, _ in seqs) <= cfg["n_positions"]
B = len(pairs)

ref = {k: v.double() for k, v in base.items()}
with torch.no_grad():
    ref_scores = [seq_logprob(ref, s, pl) for s, pl in seqs]  # chosen rows, then rejected
ref_sum = torch.stack([s for s, _ in ref_scores])
counts = [n for _, n in ref_scores]


def policy_leaves():
    return {k: v.double().requires_grad_(k in PARAMS) for k, v in policy32.items()}


# ---------------------------------------------------------------- 3. loss, stats, gradients
flat = lambda t: [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]
sample = lambda g: g.reshape(-1)[::1 if g.numel() <= SMALL else STRIDE]
settings = []
full_grads = None
policy_sum = None
for i, (beta, eps) in enumerate(SETTINGS):
    P = policy_leaves()
    s = torch.stack([seq_logprob(P, q, pl)[0] for q, pl in seqs])  # (2B)
    pc, pr, rc, rr = s[:B], s[B:], ref_sum[:B], ref_sum[B:]
    z = beta * ((pc - rc) - (pr - rr))
    F = torch.nn.functional
    loss = (-(1 - eps) * F.logsigmoid(z) - eps * F.logsigmoid(-z)).mean()
    loss.backward()
    policy_sum = s.detach()
    chosen, rejected = beta * (pc - rc).detach(), beta * (pr - rr).detach()
    settings.append({
        "beta": beta,
        "labelSmoothing": eps,
        "loss": loss.item(),
        "chosenReward": chosen.mean().item(),
        "rejectedReward": rejected.mean().item(),
        "rewardMargin": (chosen - rejected).mean().item(),
        "preferenceAccuracy": (chosen > rejected).double().mean().item(),
        "gradNorms": {k: P[k].grad.norm().item() for k in PARAMS},
        "gradSamples": {} if i == 0 else {k: flat(sample(P[k].grad)) for k in PARAMS},
    })
    if i == 0:
        full_grads = {k: P[k].grad for k in PARAMS}
    print(f"beta {beta} eps {eps}: loss {loss.item():.6f}, z {[round(v, 4) for v in z.tolist()]}")

write_safetensors(OUT + "grads.safetensors", full_grads)

# ---------------------------------------------------------------- log sigmoid
xs = torch.tensor([-1e3, -30.0, -5.0, -1.0, -1e-4, 0.0, 1e-4, 1.0, 5.0, 30.0, 1e3], dtype=torch.float64)
xs.requires_grad_()
ls = torch.nn.functional.logsigmoid(xs)
ls.sum().backward()

golden = {
    "note": "made by scripts/make-dpo-fixture.py (plain torch, float64 on the float32 weights)",
    "eos": EOS,
    "pairs": pairs,
    "counts": counts,  # response tokens (eos included) of each sequence: chosen rows, then rejected
    "policy": {"sum": policy_sum.tolist(), "mean": (policy_sum / torch.tensor(counts)).tolist()},
    "reference": {"sum": ref_sum.tolist(), "mean": (ref_sum / torch.tensor(counts)).tolist()},
    "gradSample": {"stride": STRIDE, "fullUpTo": SMALL},
    "settings": settings,
    "logSigmoid": {"x": xs.tolist(), "y": ls.tolist(), "grad": xs.grad.tolist()},
}
with open(OUT + "golden.json", "w") as f:
    json.dump(golden, f)
    f.write("\n")
print("wrote", POLICY, OUT + "grads.safetensors", OUT + "golden.json",
      f"({os.path.getsize(OUT + 'golden.json') // 1024} KB)")
