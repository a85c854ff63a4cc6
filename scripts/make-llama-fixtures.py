#!/usr/bin/python3
"""Tiny random checkpoints in the Hugging Face layouts of LlamaForCausalLM, Qwen2ForCausalLM,
Qwen3ForCausalLM and MistralForCausalLM, with golden logits and greedy continuations computed by
PyTorch, for test/interop/hf-llama.test.ts.

`transformers` and `safetensors` are not needed: each model is HF's modeling_{llama,qwen2,qwen3,
mistral}.py written out in plain torch (names model.embed_tokens, model.layers.N.input_layernorm,
self_attn.{q,k,v,o}_proj, self_attn.{q,k}_norm (Qwen3), post_attention_layernorm,
mlp.{gate,up,down}_proj, model.norm, lm_head; RMSNorm w * x / sqrt(mean(x^2) + eps); RoPE with
rotate_half and cos = cat(freqs, freqs); repeat_kv for GQA; scores scaled by head_dim^-0.5;
causal mask, and Mistral's sliding window: key j is seen by query i iff i - W < j <= i;
down(silu(gate(x)) * up(x)); Llama 3's rope_scaling "llama3" frequency rule), and the files are
written from the safetensors spec. Reference maths runs in float64 on the stored weights (BF16 and
F16 weights rounded first, so the stored values are exactly what both sides compute with).

Also: Meta's original interleaved RoPE (complex multiplication, llama/model.py apply_rotary_emb)
and the row permutation HF's convert_llama_weights_to_hf.py applies to q/k weights, as goldens.

Writes test/fixtures/hf-llama/{llama,qwen2,qwen3,mistral}/, golden.json, rope-interleaved.json and\nrope-frequencies.json (inv_freq at Llama 3.1's size, plain, llama3-scaled and linear-scaled).
Run from the repo root:  /usr/bin/python3 scripts/make-llama-fixtures.py
"""
import json
import math
import os
import struct
import torch

OUT = "test/fixtures/hf-llama/"
torch.manual_seed(19)
V = 300

LAYOUTS = {
    # Llama 3.2 style: tied embeddings, GQA, rope_scaling "llama3"; sharded in two files.
    "llama": dict(arch="LlamaForCausalLM", model_type="llama", hidden=48, inter=96, heads=4, kv=2, head_dim=12,
                  theta=500000.0, eps=1e-5, tie=True, qkv_bias=False, qk_norm=False, window=None, dtype="F32",
                  scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                           "original_max_position_embeddings": 16}, shards=2),
    # Qwen2.5 style: q/k/v biases (no o_proj bias), untied head, BF16 weights.
    "qwen2": dict(arch="Qwen2ForCausalLM", model_type="qwen2", hidden=32, inter=80, heads=4, kv=2, head_dim=8,
                  theta=1000000.0, eps=1e-6, tie=False, qkv_bias=True, qk_norm=False, window=None, dtype="BF16",
                  scaling=None, shards=1),
    # Qwen3 style: RMSNorm on q and k per head, head_dim 16 with nh * hd = 64 != hidden 32, F16 weights.
    "qwen3": dict(arch="Qwen3ForCausalLM", model_type="qwen3", hidden=32, inter=64, heads=4, kv=2, head_dim=16,
                  theta=1000000.0, eps=1e-6, tie=True, qkv_bias=False, qk_norm=True, window=None, dtype="F16",
                  scaling=None, shards=1),
    # Mistral v0.1 style: sliding window 8 (shorter than the prompts), one kv head (MQA), untied.
    "mistral": dict(arch="MistralForCausalLM", model_type="mistral", hidden=32, inter=64, heads=4, kv=1,
                    head_dim=8, theta=10000.0, eps=1e-5, tie=False, qkv_bias=False, qk_norm=False, window=8,
                    dtype="F32", scaling=None, shards=1),
}
N_LAYER, MAX_POS = 2, 64


def round_to(t, dtype):
    if dtype == "BF16":
        return t.to(torch.bfloat16).double()
    if dtype == "F16":
        return t.to(torch.float16).double()
    return t.float().double()


def make_weights(L):
    C, H, nh, nkv, hd = L["hidden"], L["inter"], L["heads"], L["kv"], L["head_dim"]
    w = {}
    rnd = lambda *s, std: torch.randn(*s, dtype=torch.float64) * std
    w["model.embed_tokens.weight"] = rnd(V, C, std=0.25 if L["tie"] else 1.0)
    for l in range(N_LAYER):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + rnd(C, std=0.1)
        w[p + "self_attn.q_proj.weight"] = rnd(nh * hd, C, std=C ** -0.5)
        w[p + "self_attn.k_proj.weight"] = rnd(nkv * hd, C, std=C ** -0.5)
        w[p + "self_attn.v_proj.weight"] = rnd(nkv * hd, C, std=2 * C ** -0.5)
        if L["qkv_bias"]:
            w[p + "self_attn.q_proj.bias"] = rnd(nh * hd, std=0.3)
            w[p + "self_attn.k_proj.bias"] = rnd(nkv * hd, std=0.3)
            w[p + "self_attn.v_proj.bias"] = rnd(nkv * hd, std=0.3)
        w[p + "self_attn.o_proj.weight"] = rnd(C, nh * hd, std=(nh * hd) ** -0.5)
        if L["qk_norm"]:
            w[p + "self_attn.q_norm.weight"] = 1 + rnd(hd, std=0.1)
            w[p + "self_attn.k_norm.weight"] = 1 + rnd(hd, std=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + rnd(C, std=0.1)
        w[p + "mlp.gate_proj.weight"] = rnd(H, C, std=C ** -0.5)
        w[p + "mlp.up_proj.weight"] = rnd(H, C, std=C ** -0.5)
        w[p + "mlp.down_proj.weight"] = rnd(C, H, std=2 * H ** -0.5)
    w["model.norm.weight"] = 1 + rnd(C, std=0.1)
    if not L["tie"]:
        w["lm_head.weight"] = rnd(V, C, std=C ** -0.5 * 3)
    return {k: round_to(v, L["dtype"]) for k, v in w.items()}


# ---------------------------------------------------------------- the model, as modeling_llama.py
def inv_freq(hd, theta, scaling):
    f = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    if scaling is None:
        return f
    assert scaling["rope_type"] == "llama3"  # _compute_llama3_parameters
    factor, lo, hi = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    low_wl, high_wl = old / lo, old / hi
    wl = 2 * math.pi / f
    f_l = torch.where(wl > low_wl, f / factor, f)
    smooth = (old / wl - lo) / (hi - lo)
    smoothed = (1 - smooth) * f_l / factor + smooth * f_l
    medium = ~(wl < high_wl) * ~(wl > low_wl)
    return torch.where(medium, smoothed, f_l)


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(L, w, ids):
    C, nh, nkv, hd, eps = L["hidden"], L["heads"], L["kv"], L["head_dim"], L["eps"]
    T = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]  # (T, C)
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq(hd, L["theta"], L["scaling"]))  # (T, hd/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()  # (T, hd)
    i = torch.arange(T)
    allowed = i[None, :] <= i[:, None]  # (T, T): key j <= query i
    if L["window"]:
        allowed &= i[None, :] > i[:, None] - L["window"]
    lin = lambda h, name: h @ w[name + ".weight"].T + (w[name + ".bias"] if name + ".bias" in w else 0)
    for l in range(N_LAYER):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"], eps)
        q = lin(h, p + "self_attn.q_proj").view(T, nh, hd)
        k = lin(h, p + "self_attn.k_proj").view(T, nkv, hd)
        v = lin(h, p + "self_attn.v_proj").view(T, nkv, hd)
        if L["qk_norm"]:
            q, k = rms(q, w[p + "self_attn.q_norm.weight"], eps), rms(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # (nh, T, hd), (nkv, T, hd)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = nh // nkv  # repeat_kv: kv head j serves query heads j*rep .. j*rep+rep-1
        k = k[:, None].expand(nkv, rep, T, hd).reshape(nh, T, hd)
        v = v[:, None].expand(nkv, rep, T, hd).reshape(nh, T, hd)
        s = (q @ k.transpose(1, 2)) * hd ** -0.5  # (nh, T, T)
        s = s.masked_fill(~allowed, float("-inf")).softmax(-1)
        y = (s @ v).transpose(0, 1).reshape(T, nh * hd)
        x = x + lin(y, p + "self_attn.o_proj")
        h = rms(x, w[p + "post_attention_layernorm.weight"], eps)
        g = lin(h, p + "mlp.gate_proj")
        x = x + lin(torch.nn.functional.silu(g) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if L["tie"] else w["lm_head.weight"]
    return x @ head.T  # (T, V)


def greedy(L, w, ids, n):
    ids = list(ids)
    margins = []
    for _ in range(n):
        logits = forward(L, w, ids)[-1]
        top = logits.topk(2).values
        margins.append(float(top[0] - top[1]))
        ids.append(int(logits.argmax()))
    return ids[-n:], min(margins)


# ---------------------------------------------------------------- files
def tensor_bytes(t, dtype):
    if dtype == "F32":
        return t.float().numpy().tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().tobytes()
    return t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()  # numpy has no bfloat16


def write_safetensors(path, tensors, dtype):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, t in tensors.items():
        raw = tensor_bytes(t.contiguous(), dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    return len(data)


def hf_config(L):
    cfg = {
        "architectures": [L["arch"]],
        "model_type": L["model_type"],
        "vocab_size": V,
        "hidden_size": L["hidden"],
        "intermediate_size": L["inter"],
        "num_hidden_layers": N_LAYER,
        "num_attention_heads": L["heads"],
        "num_key_value_heads": L["kv"],
        "head_dim": L["head_dim"],
        "hidden_act": "silu",
        "max_position_embeddings": MAX_POS,
        "rms_norm_eps": L["eps"],
        "rope_theta": L["theta"],
        "rope_scaling": L["scaling"],
        "tie_word_embeddings": L["tie"],
        "torch_dtype": {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}[L["dtype"]],
        "bos_token_id": 1,
        "eos_token_id": 2,
    }
    if L["model_type"] == "llama":
        cfg.update(attention_bias=False, mlp_bias=False, pretraining_tp=1)
    if L["model_type"] in ("qwen2", "qwen3"):
        cfg.update(use_sliding_window=False, sliding_window=4096, max_window_layers=N_LAYER)
    if L["model_type"] == "qwen3":
        cfg.update(attention_bias=False)
        del cfg["eos_token_id"]  # given in generation_config.json instead
    if L["model_type"] == "mistral":
        cfg.update(sliding_window=L["window"])
        del cfg["head_dim"]  # Mistral v0.1 configs have none: hidden / heads
    return cfg


def write_dir(name, L, w):
    d = OUT + name + "/"
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(d + f)
    if L["shards"] == 1:
        write_safetensors(d + "model.safetensors", w, L["dtype"])
    else:
        names = list(w)
        cut = [n for n in names if n.startswith("model.layers.1.")][0]
        parts = [names[: names.index(cut)], names[names.index(cut):]]
        weight_map, total = {}, 0
        for s, part in enumerate(parts):
            fname = f"model-{s + 1:05d}-of-{len(parts):05d}.safetensors"
            total += write_safetensors(d + fname, {n: w[n] for n in part}, L["dtype"])
            weight_map.update({n: fname for n in part})
        with open(d + "model.safetensors.index.json", "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
            f.write("\n")
    with open(d + "config.json", "w") as f:
        json.dump(hf_config(L), f, indent=2)
        f.write("\n")
    if L["model_type"] == "qwen3":
        with open(d + "generation_config.json", "w") as f:
            json.dump({"bos_token_id": 1, "eos_token_id": [2, 3]}, f, indent=2)
            f.write("\n")


# ---------------------------------------------------------------- Meta's interleaved RoPE
def meta_rope(xq, theta):
    """llama/model.py: pairs (2i, 2i+1) as complex numbers, times e^{i m θ_i}. xq (T, nh, hd)."""
    T, nh, hd = xq.shape
    freqs = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs_cis = torch.polar(torch.ones(T, hd // 2, dtype=torch.float64), torch.outer(torch.arange(T).double(), freqs))
    xc = torch.view_as_complex(xq.reshape(T, nh, hd // 2, 2))
    return torch.view_as_real(xc * freqs_cis[:, None, :]).reshape(T, nh, hd)


def hf_permute(w, n_heads):
    """convert_llama_weights_to_hf.py's permute: Meta's interleaved rows -> HF's rotate_half rows."""
    dim1, dim2 = w.shape
    return w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)


def rope_goldens():
    T, C, nh, hd, theta = 5, 12, 2, 8, 10000.0
    x = torch.randn(T, C, dtype=torch.float64)
    wq = torch.randn(nh * hd, C, dtype=torch.float64) * 0.5
    wk = torch.randn(nh * hd, C, dtype=torch.float64) * 0.5
    qm, km = meta_rope((x @ wq.T).view(T, nh, hd), theta), meta_rope((x @ wk.T).view(T, nh, hd), theta)
    wq_hf, wk_hf = hf_permute(wq, nh), hf_permute(wk, nh)
    f = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    emb = torch.outer(torch.arange(T).double(), f).repeat(1, 2)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    q_hf = (x @ wq_hf.T).view(T, nh, hd)
    k_hf = (x @ wk_hf.T).view(T, nh, hd)
    q_hf, k_hf = q_hf * cos + rotate_half(q_hf) * sin, k_hf * cos + rotate_half(k_hf) * sin
    scores_meta = torch.einsum("qhd,khd->hqk", qm, km)
    scores_hf = torch.einsum("qhd,khd->hqk", q_hf, k_hf)
    assert torch.allclose(scores_meta, scores_hf, atol=1e-10)
    fl = lambda t: [round(v, 10) for v in t.reshape(-1).tolist()]
    return {"T": T, "C": C, "nHead": nh, "headDim": hd, "theta": theta, "x": fl(x), "wq": fl(wq), "wk": fl(wk),
            "wqHf": fl(wq_hf), "qMeta": fl(qm), "kMeta": fl(km), "qHf": fl(q_hf), "scores": fl(scores_meta)}


def frequency_goldens():
    """inv_freq at real sizes: Llama 3.1 8B's llama3 rule (hd 128, θ 500000, factor 8, original
    8192) and HF's "linear" rule (inv_freq / factor), as modeling_rope_utils.py computes them."""
    llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192}
    plain = inv_freq(128, 500000.0, None)
    return {"headDim": 128, "theta": 500000.0, "plain": plain.tolist(),
            "llama3": inv_freq(128, 500000.0, llama3).tolist(), "linear4": (plain / 4).tolist()}


def main():
    os.makedirs(OUT, exist_ok=True)
    golden = {}
    prompts = {"short": [5, 17, 42, 99, 123, 7, 250, 3], "long": [(i * 37 + 11) % V for i in range(18)]}
    for name, L in LAYOUTS.items():
        w = make_weights(L)
        write_dir(name, L, w)
        g = {}
        for pname, ids in prompts.items():
            logits = forward(L, w, ids)
            cont, margin = greedy(L, w, ids, 10)
            assert margin > 1e-3, (name, pname, margin)  # no near-ties: argmax is stable to 1e-4
            g[pname] = {"ids": ids, "logits": [round(v, 7) for v in logits.reshape(-1).tolist()],
                        "greedy": cont, "minMargin": margin}
        golden[name] = g
        print(name, L["arch"], L["dtype"], "greedy", g["long"]["greedy"], "margin %.4f" % g["long"]["minMargin"])
    with open(OUT + "golden.json", "w") as f:
        json.dump(golden, f)
    with open(OUT + "rope-interleaved.json", "w") as f:
        json.dump(rope_goldens(), f)
    with open(OUT + "rope-frequencies.json", "w") as f:
        json.dump(frequency_goldens(), f)


if __name__ == "__main__":
    main()
