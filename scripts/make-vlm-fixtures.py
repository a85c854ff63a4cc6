#!/usr/bin/python3
"""Golden values for the LLaVA-style prefix vision-language model, made by PyTorch.

Writes test/fixtures/vlm-prefix-golden.json. Plain torch, written to our conventions: vision
features Z_v (B, N, D) go through the LLaVA-1.5 projector (Linear -> exact GELU -> Linear, Liu et
al., 2024), the result H_v (B, N, C) is concatenated before the token embeddings, learned positions
0..N+T-1 are added to the whole sequence, then a GPT-2 decoder: pre-norm blocks with a fused c_attn,
causal softmax attention, c_proj, an MLP with tanh-GELU, a final LayerNorm and an output head tied to
the token table. Logits are kept for the T text positions only; the loss is the mean cross-entropy
over targets that are not -100 (a VQA question's positions and padding are -100, as in the test).
Outputs: text logits, loss, and the gradient of the loss w.r.t. the features and every parameter.
(The ViT that makes Z_v has its own golden test, scripts/make-vit-fixtures.py.)
Run from the repo root:  /usr/bin/python3 scripts/make-vlm-fixtures.py
"""
import json
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
B, N, D, C, NH, NL, V, T, MAX_TEXT = 2, 4, 6, 8, 2, 2, 11, 5, 6
EPS = 1e-5


def flat(t, digits=9):
    return [float("%.*g" % (digits, v)) for v in t.detach().reshape(-1).tolist()]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C, eps=EPS)
        self.c_attn = nn.Linear(C, 3 * C)
        self.attn_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C, eps=EPS)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def forward(self, x):
        Bx, Tx, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        heads = lambda t: t.view(Bx, Tx, NH, C // NH).transpose(1, 2)  # (B, nh, T, hs)
        q, k, v = heads(q), heads(k), heads(v)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // NH)
        causal = torch.tril(torch.ones(Tx, Tx, dtype=torch.bool))
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(Bx, Tx, C)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class PrefixVlm(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_1 = nn.Linear(D, C)
        self.linear_2 = nn.Linear(C, C)
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(N + MAX_TEXT, C)
        self.h = nn.ModuleList([Block() for _ in range(NL)])
        self.ln_f = nn.LayerNorm(C, eps=EPS)

    def forward(self, feats, ids):
        prefix = self.linear_2(F.gelu(self.linear_1(feats)))  # (B, N, C), eq. 1 of LLaVA
        x = torch.cat([prefix, self.wte(ids)], 1)  # (B, N + T, C)
        x = x + self.wpe(torch.arange(x.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.T  # tied head, (B, N + T, V)
        return logits[:, N:]  # the text positions


def ours(name):
    name = name.replace("linear_", "projector.linear_")
    name = name.replace("attn_proj", "attn.c_proj").replace("c_attn", "attn.c_attn")
    name = name.replace("c_fc", "mlp.c_fc").replace("mlp_proj", "mlp.c_proj")
    return name if name.startswith("projector.") else "gpt." + name


model = PrefixVlm()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.copy_(torch.randn_like(p) * 0.1)
        elif "ln_" in name:
            p.copy_(1 + torch.randn_like(p) * 0.1)
        else:
            p.copy_(torch.randn_like(p) * 0.3)

feats = torch.randn(B, N, D, requires_grad=True)
ids = torch.tensor([[1, 5, 7, 3, 9], [1, 4, 2, 0, 0]])
# row 0: a VQA row (question 5 7 and <sep> 3 are context, targets -100); row 1: a caption, padded
targets = torch.tensor([[-100, -100, -100, 9, 2], [4, 2, 6, -100, -100]])
logits = model(feats, ids)
loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
loss.backward()

out = {
    "generator": "scripts/make-vlm-fixtures.py",
    "torch": torch.__version__,
    "config": {"N": N, "D": D, "nEmbd": C, "nHead": NH, "nLayer": NL, "vocabSize": V, "maxText": MAX_TEXT},
    "features": {"shape": [B, N, D], "values": flat(feats)},
    "ids": ids.tolist(),
    "targets": targets.tolist(),
    "params": {ours(n): {"shape": list(p.shape), "values": flat(p)} for n, p in model.named_parameters()},
    "logits": flat(logits),
    "loss": float(loss),
    "featuresGrad": flat(feats.grad, 7),
    "grads": {ours(n): flat(p.grad, 7) for n, p in model.named_parameters()},
}
with open("test/fixtures/vlm-prefix-golden.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
