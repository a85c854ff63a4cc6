#!/usr/bin/python3
"""Golden values for the attention variants of issue 18, made by PyTorch (Debian's python3-torch).

Writes test/fixtures/linear-attention-golden.json with:
  - linear_core: causal and non-causal linear attention (Katharopoulos et al., 2020) on random
    q, k, v (B, nh, T, hs), outputs and the gradients of sum(out * upstream) for q, k and v. The
    reference is the quadratic form, written independently of our prefix sums:
        A = (φ(Q) φ(K)ᵀ) ⊙ tril,  out = A V / A.sum(-1),  φ = elu + 1;
  - gpt_linear: a 2-layer GPT with linear attention and grouped-query heads (4 query, 2 kv);
  - gpt_alibi: a 2-layer GPT with ALiBi (Press et al., 2022) and 6 heads, so the slopes follow the
    paper's rule for a head count that is not a power of two; no position embeddings;
  - gpt_qknorm: a 2-layer GPT with QK-norm (RMSNorm over each head's q and k, one weight of size
    hs shared by the heads, before RoPE), RMSNorm, RoPE.
Each GPT case holds every parameter (our names), the inputs, PyTorch's logits, loss and every
parameter gradient. Run from the repo root:  /usr/bin/python3 scripts/make-linear-attention-fixture.py
"""
import json
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(18)


def flat(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def phi(x):
    return F.elu(x) + 1


def linear_attention(q, k, v, causal=True):
    a = phi(q) @ phi(k).transpose(-2, -1)  # (B, nh, T, T)
    if causal:
        T = q.shape[2]
        a = a * torch.tril(torch.ones(T, T))
    return (a @ v) / a.sum(-1, keepdim=True)


def alibi_slopes(n):
    # Press et al.'s reference code (attention_with_linear_biases, fairseq), verbatim in logic.
    def power_of_2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start ** i for i in range(n)]

    if math.log2(n).is_integer():
        return power_of_2(n)
    p = 2 ** math.floor(math.log2(n))
    return power_of_2(p) + alibi_slopes(2 * p)[0::2][: n - p]


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, T, hs, base=10000.0):
    half = hs // 2
    inv = base ** (-(torch.arange(half, dtype=torch.float64) * 2) / hs)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    cos, sin = ang.cos().float(), ang.sin().float()
    x1, x2 = x[..., :half], x[..., half:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


class Cfg:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class RMS(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(C))

    def forward(self, x):
        return rms_norm(x, self.weight, 1e-5)


def make_norm(c, C):
    return nn.LayerNorm(C, eps=1e-5) if c.norm == "layernorm" else RMS(C)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        C, hs = c.n_embd, c.n_embd // c.n_head
        kv = c.n_kv_head * hs
        self.ln_1 = make_norm(c, C)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(C, C + 2 * kv)
        self.attn.c_proj = nn.Linear(C, C)
        if c.qk_norm:
            self.attn.q_norm = RMS(hs)
            self.attn.k_norm = RMS(hs)
        self.ln_2 = make_norm(c, C)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(C, 4 * C)
        self.mlp.c_proj = nn.Linear(4 * C, C)

    def attention(self, x):
        c = self.c
        B, T, C = x.shape
        nh, nkv, hs = c.n_head, c.n_kv_head, C // c.n_head
        q, k, v = self.attn.c_attn(x).split([C, nkv * hs, nkv * hs], dim=2)
        q = q.view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nkv, hs).transpose(1, 2)
        v = v.view(B, T, nkv, hs).transpose(1, 2)
        if c.qk_norm:
            q, k = self.attn.q_norm(q), self.attn.k_norm(k)
        if c.positions == "rope":
            q, k = rope(q, T, hs), rope(k, T, hs)
        k = k.repeat_interleave(nh // nkv, dim=1)
        v = v.repeat_interleave(nh // nkv, dim=1)
        if c.attention == "linear":
            y = linear_attention(q, k, v)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
            if c.positions == "alibi":
                i = torch.arange(T)
                dist = (i[:, None] - i[None, :]).float()  # (T, T): i - j
                att = att - torch.tensor(alibi_slopes(nh))[:, None, None] * dist
            att = att.masked_fill(torch.tril(torch.ones(T, T)) == 0, float("-inf")).softmax(-1)
            y = att @ v
        return self.attn.c_proj(y.transpose(1, 2).reshape(B, T, C))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        if c.positions == "learned":
            self.wpe = nn.Embedding(c.block_size, c.n_embd)
        self.h = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = make_norm(c, c.n_embd)

    def forward(self, idx):
        B, T = idx.shape
        x = self.wte(idx)
        if self.c.positions == "learned":
            x = x + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.T


def randomize(named):
    with torch.no_grad():
        for name, p in named:
            if name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.1)
            elif ("ln_" in name or "norm" in name) and p.dim() == 1:
                p.copy_(1 + torch.randn_like(p) * 0.1)
            else:
                p.copy_(torch.randn_like(p) * 0.3)


cases = {}

# The linear attention core, causal and not.
for causal in [True, False]:
    q, k, v = (torch.randn(2, 2, 5, 3, requires_grad=True) for _ in range(3))
    out = linear_attention(q, k, v, causal)
    upstream = torch.randn_like(out)
    (out * upstream).sum().backward()
    cases["linear_core" if causal else "linear_core_noncausal"] = {
        "shape": [2, 2, 5, 3], "q": flat(q), "k": flat(k), "v": flat(v), "out": flat(out), "upstream": flat(upstream),
        "qGrad": flat(q.grad), "kGrad": flat(k.grad), "vGrad": flat(v.grad)}

gpt_cases = {
    "gpt_linear": (Cfg(vocab_size=13, block_size=8, n_layer=2, n_head=4, n_kv_head=2, n_embd=8, norm="layernorm",
                       positions="learned", attention="linear", qk_norm=False),
                   {"vocabSize": 13, "blockSize": 8, "nLayer": 2, "nHead": 4, "nKvHead": 2, "nEmbd": 8,
                    "attention": "linear"}),
    "gpt_alibi": (Cfg(vocab_size=13, block_size=8, n_layer=2, n_head=6, n_kv_head=6, n_embd=12, norm="layernorm",
                      positions="alibi", attention="full", qk_norm=False),
                  {"vocabSize": 13, "blockSize": 8, "nLayer": 2, "nHead": 6, "nEmbd": 12, "positions": "alibi"}),
    "gpt_qknorm": (Cfg(vocab_size=13, block_size=8, n_layer=2, n_head=2, n_kv_head=2, n_embd=8, norm="rmsnorm",
                       positions="rope", attention="full", qk_norm=True),
                   {"vocabSize": 13, "blockSize": 8, "nLayer": 2, "nHead": 2, "nEmbd": 8, "norm": "rmsnorm",
                    "positions": "rope", "qkNorm": True}),
}
for name, (c, ours) in gpt_cases.items():
    model = GPT(c)
    randomize(model.named_parameters())
    idx = torch.randint(0, c.vocab_size, (2, 7))
    targets = torch.randint(0, c.vocab_size, (2, 7))
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, c.vocab_size), targets.reshape(-1))
    loss.backward()
    cases[name] = {
        "config": ours,
        "params": {n: {"shape": list(p.shape), "values": flat(p)} for n, p in model.named_parameters()},
        "idx": idx.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(), "shape": [2, 7],
        "logits": flat(logits), "loss": float(loss), "grads": {n: flat(p.grad) for n, p in model.named_parameters()}}

cases["alibi_slopes"] = {"8": alibi_slopes(8), "12": alibi_slopes(12)}

with open("test/fixtures/linear-attention-golden.json", "w") as f:
    json.dump({"generator": "scripts/make-linear-attention-fixture.py", "torch": torch.__version__, "cases": cases}, f)
print("wrote test/fixtures/linear-attention-golden.json")
