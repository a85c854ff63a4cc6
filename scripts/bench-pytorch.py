#!/usr/bin/python3
"""The PyTorch side of `npm run bench`: the same measurements on the same model shapes, so the
bench can print ours/PyTorch ratios from one run. Prints one JSON object to stdout:
  {"torch": version, "blas": the BLAS library torch loaded, "runs": {"1": figures, "2": ...}}
with, per thread count (torch.set_num_threads), "gemm" (GFLOP/s by size), "train" (ms and tokens/s
per step by preset) and "generate" (tokens/s by "<preset> <n> cache|no cache").

Debian's torch uses whatever libblas.so.3 it finds; the reference BLAS is ~6 GFLOP/s, so run it
with OpenBLAS (package libopenblas0-openmp) or the ratios flatter us:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 /usr/bin/python3 scripts/bench-pytorch.py
(`npm run bench -- --pytorch` does exactly this, with OMP_NUM_THREADS at the largest count.)
Options: --threads N or --threads 1,2 (each count in turn, in one process), --quick (fewer
repeats), --cached-only (skip the uncached generation runs, which take minutes on gpt2).
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

args = sys.argv[1:]
thread_counts = [int(t) for t in args[args.index("--threads") + 1].split(",")] if "--threads" in args else [1]
quick = "--quick" in args
cached_only = "--cached-only" in args


def loaded_blas():
    """The BLAS shared library this process mapped (Linux), so the bench can say which one ran."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(libs)) or "built into torch"
    except OSError:
        return "unknown"


def median_ms(fn, warmup=3, repeats=15):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats if not quick else 5):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return ts[len(ts) // 2]


class Block(nn.Module):
    def __init__(self, C, nh):
        super().__init__()
        self.nh = nh
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def attn(self, x, cache=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.nh, -1).transpose(1, 2)
        k = k.view(B, T, self.nh, -1).transpose(1, 2)
        v = v.view(B, T, self.nh, -1).transpose(1, 2)
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        # PyTorch 1.13 has no fused scaled_dot_product_attention: the eager composition, as nanoGPT's fallback.
        Tk = k.shape[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.shape[-1]))
        mask = torch.ones(T, Tk, dtype=torch.bool).tril(diagonal=Tk - T)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, L, nh, C):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block(C, nh) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)

    def forward(self, idx, start=0, caches=None):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(start, start + T))
        for i, b in enumerate(self.h):
            x = b(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.weight.T


PRESETS = {
    "tiny": dict(T=32, L=2, nh=2, C=64, B=8),
    "cpu-small": dict(T=64, L=4, nh=4, C=128, B=12),
    "gpt2": dict(T=1024, L=12, nh=12, C=768, B=1),
}
V = 65


def generate(model, n, cached):
    idx = torch.zeros(1, 1, dtype=torch.long)
    with torch.no_grad():
        if cached:
            caches = [{} for _ in model.h]
            logits = model(idx, 0, caches)
            for t in range(n):
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                idx = torch.cat([idx, nxt], 1)
                logits = model(nxt, idx.shape[1] - 1, caches)
        else:
            for t in range(n):
                logits = model(idx)
                idx = torch.cat([idx, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return idx


def measure(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {"threads": threads, "gemm": {}, "train": {}, "generate": {}}

    for n in [256, 512, 1024]:
        a, b = torch.randn(n, n), torch.randn(n, n)
        ms = median_ms(lambda: a @ b, repeats=10)
        out["gemm"][str(n)] = 2 * n ** 3 / (ms * 1e6)

    for name in ["tiny", "cpu-small"]:
        p = PRESETS[name]
        model = GPT(V, p["T"], p["L"], p["nh"], p["C"])
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        x = torch.randint(0, V, (p["B"], p["T"]))
        y = torch.randint(0, V, (p["B"], p["T"]))

        def step():
            logits = model(x)
            loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        ms = median_ms(step)
        out["train"][name] = {"ms": ms, "tokensPerSecond": p["B"] * p["T"] / ms * 1000}

    # Uncached gpt2 at 256 tokens takes minutes in eager PyTorch on one core; it is left out.
    for name, sizes in [("cpu-small", [60]), ("gpt2", [64, 256])]:
        p = PRESETS[name]
        vocab = 50257 if name == "gpt2" else V
        model = GPT(vocab, p["T"], p["L"], p["nh"], p["C"]).eval()
        for n in sizes:
            for cached in [True] if cached_only or (name == "gpt2" and n > 64) else [True, False]:
                generate(model, min(n, 16), cached)  # warm-up, as the Node side has
                t0 = time.perf_counter()
                generate(model, n, cached)
                s = time.perf_counter() - t0
                out["generate"][f"{name} {n} {'cache' if cached else 'no cache'}"] = n / s
    return out


runs = {str(t): measure(t) for t in thread_counts}
json.dump({"torch": torch.__version__, "blas": loaded_blas(), "runs": runs}, sys.stdout)
print()
