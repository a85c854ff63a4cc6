#!/usr/bin/python3
"""Golden values for the transformer models, made by PyTorch (Debian's python3-torch).

Writes test/fixtures/model-golden.json with, for each case, every parameter (our names), the
inputs, and PyTorch's logits, loss and every parameter gradient:
  - gpt2_block: one GPT-2 block on a random (B, T, C) input (its output and input gradient too);
  - gpt2_2layer: a 2-layer GPT in GPT-2's layout (learned positions, LayerNorm, GELU-tanh, tied head);
  - llama_style: RoPE, RMSNorm, SwiGLU, grouped-query attention (2 kv heads for 4), no biases, untied;
  - seq2seq_post / seq2seq_pre: torch.nn.Transformer (post-norm and norm_first) with our
    embeddings, sinusoidal positions and output head around it, on padded batches.
The GPT is written out here by hand (as nanoGPT's model.py); the encoder-decoder uses PyTorch's
own nn.Transformer, with its parameter names mapped to ours. Weights are drawn with spreads
well above GPT-2's 0.02 so that a wrong scale, epsilon or head split shows in the values.
Run from the repo root:  /usr/bin/python3 scripts/make-model-fixtures.py
"""
import json
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def flat(t):
    # 9 significant digits round-trip a float32 exactly.
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def randomize(named):
    with torch.no_grad():
        for name, p in named:
            if name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.1)
            elif ("ln_" in name or "norm" in name) and p.dim() == 1:
                p.copy_(1 + torch.randn_like(p) * 0.1)
            else:
                p.copy_(torch.randn_like(p) * 0.3)


class Cfg:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_tables(T, hs, base=10000.0):
    half = hs // 2
    inv = base ** (-(torch.arange(half, dtype=torch.float64) * 2) / hs)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().float(), ang.sin().float()


def rope(x, cos, sin):
    hs = x.shape[-1]
    x1, x2 = x[..., : hs // 2], x[..., hs // 2:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        C, hs = c.n_embd, c.n_embd // c.n_head
        kv = c.n_kv_head * hs
        norm = (lambda: nn.LayerNorm(C, eps=1e-5, elementwise_affine=True)) if c.norm == "layernorm" else (lambda: RMS(C))
        self.ln_1 = norm()
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(C, C + 2 * kv, bias=c.bias)
        self.attn.c_proj = nn.Linear(C, C, bias=c.bias)
        self.ln_2 = norm()
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(C, 4 * C, bias=c.bias)
        if c.mlp == "swiglu":
            self.mlp.c_gate = nn.Linear(C, 4 * C, bias=c.bias)
        self.mlp.c_proj = nn.Linear(4 * C, C, bias=c.bias)

    def attention(self, x):
        c = self.c
        B, T, C = x.shape
        nh, nkv, hs = c.n_head, c.n_kv_head, C // c.n_head
        q, k, v = self.attn.c_attn(x).split([C, nkv * hs, nkv * hs], dim=2)
        q = q.view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nkv, hs).transpose(1, 2)
        v = v.view(B, T, nkv, hs).transpose(1, 2)
        if c.positions == "rope":
            cos, sin = rope_tables(T, hs)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
        k = k.repeat_interleave(nh // nkv, dim=1)
        v = v.repeat_interleave(nh // nkv, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(torch.tril(torch.ones(T, T)) == 0, float("-inf")).softmax(-1)
        return self.attn.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))

    def feed_forward(self, x):
        if self.c.mlp == "swiglu":
            return self.mlp.c_proj(F.silu(self.mlp.c_gate(x)) * self.mlp.c_fc(x))
        return self.mlp.c_proj(F.gelu(self.mlp.c_fc(x), approximate="tanh"))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.feed_forward(self.ln_2(x))


class RMS(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(C))

    def forward(self, x):
        return rms_norm(x, self.weight, 1e-5)


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        if c.positions == "learned":
            self.wpe = nn.Embedding(c.block_size, c.n_embd)
        self.h = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd, eps=1e-5) if c.norm == "layernorm" else RMS(c.n_embd)
        if not c.tie:
            self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)

    def forward(self, idx):
        B, T = idx.shape
        x = self.wte(idx)
        if self.c.positions == "learned":
            x = x + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        x = self.ln_f(x)
        return x @ self.wte.weight.T if self.c.tie else self.lm_head(x)


def params_of(model):
    return {n: {"shape": list(p.shape), "values": flat(p)} for n, p in model.named_parameters()}


def grads_of(model):
    return {n: flat(p.grad) for n, p in model.named_parameters()}


cases = {}

# One GPT-2 block.
c = Cfg(n_embd=16, n_head=4, n_kv_head=4, bias=True, norm="layernorm", mlp="gelu", positions="learned")
block = Block(c)
randomize(block.named_parameters())
x = torch.randn(2, 5, 16, requires_grad=True)
y = block(x)
w = torch.randn_like(y)
(y * w).sum().backward()
cases["gpt2_block"] = {"config": {"nEmbd": 16, "nHead": 4}, "params": params_of(block), "x": {"shape": [2, 5, 16], "values": flat(x)},
                       "y": flat(y), "upstream": flat(w), "grads": grads_of(block), "xGrad": flat(x.grad)}

# Two whole GPTs.
gpt_cases = {
    "gpt2_2layer": (Cfg(vocab_size=29, block_size=8, n_layer=2, n_head=4, n_kv_head=4, n_embd=16, bias=True, norm="layernorm",
                        mlp="gelu", positions="learned", tie=True),
                    {"vocabSize": 29, "blockSize": 8, "nLayer": 2, "nHead": 4, "nEmbd": 16}),
    "llama_style": (Cfg(vocab_size=29, block_size=8, n_layer=2, n_head=4, n_kv_head=2, n_embd=16, bias=False, norm="rmsnorm",
                        mlp="swiglu", positions="rope", tie=False),
                    {"vocabSize": 29, "blockSize": 8, "nLayer": 2, "nHead": 4, "nKvHead": 2, "nEmbd": 16, "bias": False,
                     "norm": "rmsnorm", "normEps": 1e-5, "mlp": "swiglu", "positions": "rope", "tieWeights": False}),
}
for name, (c, ours) in gpt_cases.items():
    model = GPT(c)
    randomize(model.named_parameters())
    idx = torch.randint(0, c.vocab_size, (2, 7))
    targets = torch.randint(0, c.vocab_size, (2, 7))
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, c.vocab_size), targets.reshape(-1))
    loss.backward()
    cases[name] = {"config": ours, "params": params_of(model), "idx": idx.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(),
                   "shape": [2, 7], "logits": flat(logits), "loss": float(loss), "grads": grads_of(model)}


# The encoder-decoder around torch.nn.Transformer.
def sinusoidal(max_len, d):
    pe = torch.zeros(max_len, d, dtype=torch.float64)
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos / 10000 ** (i / d))
    pe[:, 1::2] = torch.cos(pos / 10000 ** (i / d))
    return pe.float()


for norm_first in [False, True]:
    d, nh, SV, TV, PAD = 16, 2, 13, 11, 0
    tr = nn.Transformer(d_model=d, nhead=nh, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=32, dropout=0.0,
                        activation="relu", batch_first=True, norm_first=norm_first)
    src_embed, tgt_embed, head = nn.Embedding(SV, d), nn.Embedding(TV, d), nn.Linear(d, TV)
    everything = list(tr.named_parameters()) + [("src_embed.weight", src_embed.weight), ("tgt_embed.weight", tgt_embed.weight),
                                                ("lm_head.weight", head.weight), ("lm_head.bias", head.bias)]
    randomize(everything)
    src = torch.tensor([[3, 5, 7, 9, 2, 4], [6, 8, 1, 12, PAD, PAD]])
    tgt_in = torch.tensor([[1, 4, 6, 8, 3], [1, 9, 2, PAD, PAD]])
    targets = torch.tensor([[4, 6, 8, 3, 2], [9, 2, 2, PAD, PAD]])
    pe = sinusoidal(64, d)
    es = src_embed(src) * math.sqrt(d) + pe[: src.shape[1]]
    et = tgt_embed(tgt_in) * math.sqrt(d) + pe[: tgt_in.shape[1]]
    causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
    h = tr(es, et, tgt_mask=causal, src_key_padding_mask=(src == PAD), tgt_key_padding_mask=(tgt_in == PAD),
           memory_key_padding_mask=(src == PAD))
    logits = head(h)
    loss = F.cross_entropy(logits.reshape(-1, TV), targets.reshape(-1), ignore_index=PAD)
    loss.backward()

    def ours(name):
        name = name.replace("self_attn.in_proj_", "self_attn.c_attn.").replace("self_attn.out_proj", "self_attn.c_proj")
        name = name.replace("multihead_attn.out_proj", "cross_attn.c_proj")
        return name.replace("linear1", "mlp.c_fc").replace("linear2", "mlp.c_proj")

    params, grads = {}, {}
    for n, p in everything:
        if "multihead_attn.in_proj_" in n:
            kind = n.split("in_proj_")[1]  # weight or bias
            base = n.split("multihead_attn")[0] + "cross_attn."
            for part, sl in [("q_proj", slice(0, d)), ("kv_proj", slice(d, 3 * d))]:
                params[f"{base}{part}.{kind}"] = {"shape": list(p[sl].shape), "values": flat(p[sl])}
                grads[f"{base}{part}.{kind}"] = flat(p.grad[sl])
            continue
        params[ours(n)] = {"shape": list(p.shape), "values": flat(p)}
        grads[ours(n)] = flat(p.grad)
    cases["seq2seq_pre" if norm_first else "seq2seq_post"] = {
        "config": {"srcVocabSize": SV, "tgtVocabSize": TV, "dModel": d, "nHead": nh, "nEncoderLayer": 2, "nDecoderLayer": 2,
                   "dFF": 32, "maxLen": 64, "normPlacement": "pre" if norm_first else "post", "padId": PAD},
        "params": params, "src": src.tolist(), "tgtIn": tgt_in.tolist(), "targets": targets.tolist(),
        "logits": flat(logits), "loss": float(loss), "grads": grads,
    }

with open("test/fixtures/model-golden.json", "w") as fh:
    json.dump({"generator": "scripts/make-model-fixtures.py", "torch": torch.__version__, "cases": cases}, fh)
print("wrote test/fixtures/model-golden.json:", ", ".join(cases))
