#!/usr/bin/python3
"""Golden optimizer trajectories made by torch.optim (Debian's python3-torch).

Writes test/fixtures/optim-golden.json: a starting parameter, six fixed gradients, and the
parameter after each step for AdamW, Adam (with L2 weight decay), SGD with momentum and
SGD with Nesterov momentum and weight decay.
Run from the repo root:  /usr/bin/python3 scripts/make-optim-fixtures.py
"""
import json
import torch

torch.manual_seed(0)
p0 = torch.randn(7)
grads = [torch.randn(7) * (i + 1) for i in range(6)]


def run(make):
    p = p0.clone().requires_grad_(True)
    opt = make([p])
    out = []
    for g in grads:
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
        out.append([float("%.9g" % v) for v in p.detach().tolist()])
    return out


cases = {
    "adamw": run(lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)),
    "adam_l2": run(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)),
    "sgd_momentum": run(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "sgd_nesterov": run(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
}
with open("test/fixtures/optim-golden.json", "w") as fh:
    json.dump({"generator": "scripts/make-optim-fixtures.py", "torch": torch.__version__,
               "p0": [float("%.9g" % v) for v in p0.tolist()], "grads": [[float("%.9g" % v) for v in g.tolist()] for g in grads],
               "cases": cases}, fh)
print("wrote test/fixtures/optim-golden.json")
