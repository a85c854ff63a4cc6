#!/usr/bin/python3
"""Golden values for the mixture-of-experts MLP (src/model/moe.ts, router.ts), made by PyTorch.

Writes test/fixtures/moe-golden.json. The layer is written out here in plain torch, from the papers:
  - router: logits = x W_r^T (no bias), C -> E;
  - top-k routing as in Mixtral (Jiang et al., 2024): the k largest logits choose the experts, and
    the gates are a softmax over those k logits;
  - y = sum over the chosen experts of gate * MLP_e(x), each expert a GPT-2 MLP (GELU, tanh form);
  - the Switch Transformer's load-balancing loss (Fedus et al., 2022, eq. 4):
        aux = alpha * E * sum_i f_i * P_i,
    f_i the share of the N*k routing choices sent to expert i, P_i the mean full-softmax router
    probability of expert i;
  - capacity ceil(factor * N * k / E) per expert, choices served in token order (each token's in
    its order of preference); a dropped choice contributes 0.
Each case holds the parameters (our names), the input x (B, T, C), the router logits, chosen
experts, gates, output, aux loss, the dropped choices, and the gradients of
    L = sum(y * upstream) + aux
with respect to x and every parameter.
Run from the repo root:  /usr/bin/python3 scripts/make-moe-fixture.py
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


class MoE(nn.Module):
    def __init__(self, C, H, E, k):
        super().__init__()
        self.E, self.k = E, k
        self.router = nn.Linear(C, E, bias=False)
        self.experts = nn.ModuleList()
        for _ in range(E):
            m = nn.Module()
            m.c_fc = nn.Linear(C, H)
            m.c_proj = nn.Linear(H, C)
            self.experts.append(m)

    def forward(self, x, alpha, capacity_factor):
        B, T, C = x.shape
        N, E, k = B * T, self.E, self.k
        flat_x = x.reshape(N, C)
        logits = self.router(flat_x)  # (N, E)
        probs = logits.softmax(-1)  # (N, E)
        top_logits, chosen = logits.topk(k, dim=-1)  # (N, k), largest first
        gates = top_logits.softmax(-1)  # (N, k)
        capacity = math.ceil(capacity_factor * N * k / E) if capacity_factor > 0 else N * k
        load = [0] * E
        kept = torch.zeros(N, k)
        for n in range(N):
            for j in range(k):
                e = int(chosen[n, j])
                if load[e] < capacity:
                    load[e] += 1
                    kept[n, j] = 1
        y = torch.zeros(N, C)
        for e in range(E):
            n_idx, j_idx = ((chosen == e) & (kept > 0)).nonzero(as_tuple=True)
            if len(n_idx) == 0:
                continue
            m = self.experts[e]
            out = m.c_proj(F.gelu(m.c_fc(flat_x[n_idx]), approximate="tanh"))
            y = y.index_add(0, n_idx, out * gates[n_idx, j_idx].unsqueeze(-1))
        f = torch.zeros(E)
        for e in chosen.reshape(-1).tolist():
            f[e] += 1.0 / (N * k)
        aux = alpha * E * (f * probs.mean(0)).sum()
        return y.reshape(B, T, C), logits, chosen, gates, aux, kept, capacity


cases = {}
for name, (B, T, C, H, E, k, alpha, factor) in {
    # Four experts, top-2, no capacity limit.
    "top2": (2, 5, 6, 12, 4, 2, 0.5, 0.0),
    # Three experts, top-2, capacity factor 0.75: ceil(0.75 * 12 * 2 / 3) = 6 choices per expert.
    "capacity": (2, 6, 6, 10, 3, 2, 0.5, 0.75),
    # Top-1 (Switch routing): the gate of a single choice is 1.
    "top1": (1, 8, 4, 8, 4, 1, 0.25, 0.0),
}.items():
    moe = MoE(C, H, E, k)
    with torch.no_grad():
        for n, p in moe.named_parameters():
            # Spreads well above GPT-2's 0.02 so the routing has clear winners (no near-ties).
            p.copy_(torch.randn_like(p) * (1.0 if n.startswith("router") else 0.3))
    x = torch.randn(B, T, C, requires_grad=True)
    y, logits, chosen, gates, aux, kept, capacity = moe(x, alpha, factor)
    upstream = torch.randn(B, T, C)
    ((y * upstream).sum() + aux).backward()
    cases[name] = {
        "options": {"nEmbd": C, "hidden": H, "experts": E, "topK": k, "auxLossWeight": alpha,
                    "capacityFactor": factor},
        "capacity": capacity if factor > 0 else None,
        "params": {n: {"shape": list(p.shape), "values": flat(p)} for n, p in moe.named_parameters()},
        "x": {"shape": list(x.shape), "values": flat(x)},
        "logits": flat(logits),
        "experts": chosen.reshape(-1).tolist(),
        "gates": flat(gates),
        "kept": [int(v) for v in kept.reshape(-1).tolist()],
        "y": flat(y),
        "aux": float(aux),
        "upstream": flat(upstream),
        "xGrad": flat(x.grad),
        "grads": {n: flat(p.grad) for n, p in moe.named_parameters()},
    }

with open("test/fixtures/moe-golden.json", "w") as fh:
    json.dump({"generator": "scripts/make-moe-fixture.py", "torch": torch.__version__, "cases": cases}, fh)
print("wrote test/fixtures/moe-golden.json:", ", ".join(cases))
