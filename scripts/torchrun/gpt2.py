"""GPT-2 in plain PyTorch, parameter for parameter the model `llmfs export --format hf` writes
(Radford et al., 2019; the layout of Hugging Face's GPT2LMHeadModel, as nanoGPT's model.py):
Conv1D weights stored (in, out) so y = x @ W + b, fused c_attn = [q | k | v], pre-norm blocks,
learned positions, the head tied to wte unless the config says otherwise. Plus loading and saving
a Hugging Face directory (config.json + model.safetensors + tokenizer files).
"""
import json
import math
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import read_safetensors, write_safetensors

ACTIVATIONS = {
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu": F.gelu,
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
}
TOKENIZER_FILES = [
    "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
]


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight (in, out), y = x @ W + b."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg["n_head"]
        self.c_attn = Conv1D(cfg["n_embd"], 3 * cfg["n_embd"])
        self.c_proj = Conv1D(cfg["n_embd"], cfg["n_embd"])
        self.attn_drop = nn.Dropout(cfg.get("attn_pdrop", 0.0))
        self.resid_drop = nn.Dropout(cfg.get("resid_pdrop", 0.0))

    def forward(self, x):
        B, T, C = x.shape
        nh, hs = self.n_head, C // self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)  # each (B, T, C)
        q = q.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, nh, hs).transpose(1, 2)
        v = v.view(B, T, nh, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        att = self.attn_drop(att.masked_fill(~causal, float("-inf")).softmax(dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
        return self.resid_drop(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        hidden = cfg.get("n_inner") or 4 * cfg["n_embd"]
        self.c_fc = Conv1D(cfg["n_embd"], hidden)
        self.c_proj = Conv1D(hidden, cfg["n_embd"])
        self.act = ACTIVATIONS[cfg.get("activation_function", "gelu_new")]
        self.drop = nn.Dropout(cfg.get("resid_pdrop", 0.0))

    def forward(self, x):
        return self.drop(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.ln_1 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    """GPT2LMHeadModel's parameters: transformer.{wte, wpe, h.N.*, ln_f}, lm_head when untied."""

    def __init__(self, cfg):
        super().__init__()
        if cfg.get("model_type") != "gpt2":
            raise ValueError(f"config.json: model_type is {cfg.get('model_type')!r}, this script trains gpt2")
        if cfg.get("activation_function", "gelu_new") not in ACTIVATIONS:
            act = cfg["activation_function"]
            raise ValueError(f"config.json: activation_function {act!r} is not supported")
        self.cfg = cfg
        C = cfg["n_embd"]
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(cfg["vocab_size"], C),
                wpe=nn.Embedding(cfg["n_positions"], C),
                drop=nn.Dropout(cfg.get("embd_pdrop", 0.0)),
                h=nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])]),
                ln_f=nn.LayerNorm(C, eps=cfg.get("layer_norm_epsilon", 1e-5)),
            )
        )
        self.tied = cfg.get("tie_word_embeddings", True)
        if not self.tied:
            self.lm_head = nn.Linear(C, cfg["vocab_size"], bias=False)

    def forward(self, idx):
        """idx (B, T) -> logits (B, T, V)."""
        B, T = idx.shape
        tr = self.transformer
        x = tr.drop(tr.wte(idx) + tr.wpe(torch.arange(T, device=idx.device)))  # (B, T, C)
        for block in tr.h:
            x = block(x)
        x = tr.ln_f(x)
        return F.linear(x, tr.wte.weight) if self.tied else self.lm_head(x)  # (B, T, V)


def load_hf_dir(path):
    """The model in a Hugging Face GPT-2 directory, and its config.json as a dict."""
    with open(os.path.join(path, "config.json")) as f:
        cfg = json.load(f)
    weights = os.path.join(path, "model.safetensors")
    if not os.path.exists(weights):
        raise ValueError(f"{path}: no model.safetensors (a sharded model: export it without --shard-mb)")
    model = GPT2(cfg)
    state = {}
    for name, t in read_safetensors(weights).items():
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue  # old GPT-2 files store the causal mask as a buffer
        if name == "lm_head.weight" and model.tied:
            continue
        state[name if name.startswith(("transformer.", "lm_head.")) else "transformer." + name] = t.float()
    model.load_state_dict(state, strict=True)
    return model, cfg


def save_hf_dir(state_dict, cfg, src_dir, out_dir, extra=None):
    """Writes a HF directory atomically: a temporary sibling directory, then renamed over out_dir.
    The tokenizer files are copied from src_dir; `extra` maps more file names to their text."""
    out_dir = os.path.abspath(out_dir)
    tmp = f"{out_dir}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    tied = cfg.get("tie_word_embeddings", True)  # a tied head is wte: not stored twice
    tensors = {k: v.float() for k, v in state_dict.items() if not (k == "lm_head.weight" and tied)}
    write_safetensors(os.path.join(tmp, "model.safetensors"), tensors)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    for name in TOKENIZER_FILES:
        if os.path.exists(os.path.join(src_dir, name)):
            shutil.copyfile(os.path.join(src_dir, name), os.path.join(tmp, name))
    for name, text in (extra or {}).items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    old = f"{out_dir}.old-{os.getpid()}"
    if os.path.exists(out_dir):
        os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
