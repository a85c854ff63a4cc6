#!/usr/bin/python3
"""A tiny random GPT-2 in the Hugging Face layout, with golden logits, loss, greedy tokens and
eval numbers computed by PyTorch, for test/interop.

`transformers` and `safetensors` are not needed: the model is HF's GPT2LMHeadModel written out by
hand (Conv1D y = x @ W + b with W stored (in, out); fused c_attn split into q, k, v; scores scaled
by 1/sqrt(hs); causal mask; "gelu_new" = tanh GELU, "gelu" = erf GELU; LayerNorm with
layer_norm_epsilon; lm_head tied to wte unless exported untied), and the files are written from
the formats' specs. All reference maths runs in float64 on the float32 weights.

The tokenizer is byte-level BPE: the 256 GPT-2 byte symbols (ids in GPT-2's own order), the 32
merges below, and <|endoftext|>. Encoding follows OpenAI's encoder.py (lowest-rank pair first)
after GPT-2's pre-tokenizer regex; Python's `re` stands in for the `regex` module, using
[^\\W\\d_] for \\p{L} and \\d for \\p{N}, which agree on every character of the texts (asserted).

Writes test/fixtures/hf-gpt2/:
  tiny/    config.json (eps 1e-3, gelu_new, n_inner null), model.safetensors (GPT-2 hub names:
           no prefix, with the attn.bias / attn.masked_bias buffers), vocab.json, merges.txt,
           generation_config.json
  untied/  activation "gelu", n_inner 72, untied lm_head, names with the `transformer.` prefix
  eval.txt, golden.json
Run from the repo root:  /usr/bin/python3 scripts/make-hf-gpt2-fixture.py
"""
import json
import math
import os
import re
import struct
import unicodedata
import torch

OUT = "test/fixtures/hf-gpt2/"
torch.manual_seed(3)

# ---------------------------------------------------------------- tokenizer (encoder.py semantics)
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs))), bs  # bs: GPT-2's id order of the byte tokens


BYTE_ENC, BYTE_ORDER = bytes_to_unicode()
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"), ("Ġ", "s"),
          ("r", "e"), ("a", "n"), ("Ġ", "o"), ("e", "n"), ("in", "g"), ("Ġ", "w"), ("Ġ", "c"), ("o", "r"),
          ("a", "t"), ("e", "s"), ("Ġa", "n"), ("Ġan", "d"), ("Ġo", "f"), ("Ġ", "i"), ("Ġ", "m"), ("Ġ", "b"),
          ("Ġ", "p"), ("l", "l"), ("i", "s"), ("Ġ", "f"), ("Ġ", "d"), ("Ġt", "o"), ("Ã", "©"), ("Ġ", "Ġ")]
VOCAB = {BYTE_ENC[b]: i for i, b in enumerate(BYTE_ORDER)}
for a, b in MERGES:
    VOCAB[a + b] = len(VOCAB)
VOCAB["<|endoftext|>"] = len(VOCAB)
BYTE_DEC = {c: b for b, c in BYTE_ENC.items()}
ID_TO_TOKEN = {i: t for t, i in VOCAB.items()}
RANKS = {m: i for i, m in enumerate(MERGES)}
PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")


def check_text(text):
    for ch in set(text):
        cat = unicodedata.category(ch)
        assert (cat[0] == "L") == bool(re.fullmatch(r"[^\W\d_]", ch)), ch
        assert (cat[0] == "N") == bool(re.fullmatch(r"\d", ch)), ch
    assert "_" not in text  # `_` is \w in Python (so not in [^\s\w]) but is neither L nor N


def bpe(word):
    word = list(word)
    while len(word) > 1:
        pairs = [(RANKS.get((word[i], word[i + 1]), math.inf), i) for i in range(len(word) - 1)]
        best = min(pairs)[0]
        if best == math.inf:
            break
        a, b = MERGES[best]
        out, i = [], 0
        while i < len(word):
            if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(word[i])
                i += 1
        word = out
    return word


def encode(text):
    check_text(text)
    ids = []
    for chunk in PAT.findall(text):
        ids += [VOCAB[t] for t in bpe("".join(BYTE_ENC[b] for b in chunk.encode("utf-8")))]
    return ids


# ---------------------------------------------------------------- the model (GPT2LMHeadModel)
def make_params(cfg, untied):
    C, H, V, P = cfg["n_embd"], cfg["n_inner"] or 4 * cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    r = lambda *s, std=0.2: torch.randn(*s) * std
    p = {"wte.weight": r(V, C, std=0.3), "wpe.weight": r(P, C, std=0.3)}
    for l in range(cfg["n_layer"]):
        h = f"h.{l}."
        p[h + "ln_1.weight"] = 1 + r(C, std=0.3)
        p[h + "ln_1.bias"] = r(C)
        p[h + "attn.c_attn.weight"] = r(C, 3 * C)  # Conv1D: (in, out)
        p[h + "attn.c_attn.bias"] = r(3 * C)
        p[h + "attn.c_proj.weight"] = r(C, C)
        p[h + "attn.c_proj.bias"] = r(C)
        p[h + "ln_2.weight"] = 1 + r(C, std=0.3)
        p[h + "ln_2.bias"] = r(C)
        p[h + "mlp.c_fc.weight"] = r(C, H)
        p[h + "mlp.c_fc.bias"] = r(H)
        p[h + "mlp.c_proj.weight"] = r(H, C)
        p[h + "mlp.c_proj.bias"] = r(C)
    p["ln_f.weight"] = 1 + r(C, std=0.3)
    p["ln_f.bias"] = r(C, std=0.1)
    if untied:
        p["lm_head.weight"] = r(V, C, std=0.3)  # nn.Linear: (out, in)
    return p


ACT = {"gelu_new": lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
       "gelu": lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))}


def forward(p, cfg, ids):
    """ids: list of T ints -> logits (T, V), float64."""
    d = {k: v.double() for k, v in p.items()}
    T, C, nh, eps = len(ids), cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hs = C // nh
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (C,), d[n + ".weight"], d[n + ".bias"], eps)
    conv1d = lambda x, n: x @ d[n + ".weight"] + d[n + ".bias"]
    x = d["wte.weight"][ids] + d["wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(cfg["n_layer"]):
        h = f"h.{l}."
        q, k, v = conv1d(ln(x, h + "ln_1"), h + "attn.c_attn").split(C, dim=-1)  # (T, C) each
        q, k, v = (t.view(T, nh, hs).transpose(0, 1) for t in (q, k, v))  # (nh, T, hs)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + conv1d(y, h + "attn.c_proj")
        m = ACT[cfg["activation_function"]](conv1d(ln(x, h + "ln_2"), h + "mlp.c_fc"))
        x = x + conv1d(m, h + "mlp.c_proj")
    x = ln(x, "ln_f")
    return x @ d.get("lm_head.weight", d["wte.weight"]).T


def nll(logits, targets):
    return torch.nn.functional.cross_entropy(logits, torch.tensor(targets), reduction="sum").item()


def windows(n, L, S):
    """Windows [begin, end) advancing by S; each scores tokens max(prevEnd, begin + 1)..end-1."""
    out, prev_end, begin = [], 0, 0
    while True:
        end = min(begin + L, n)
        out.append((begin, end, max(prev_end, begin + 1)))
        prev_end = end
        if end == n:
            return out
        begin += S


def token_bytes(i):
    """The UTF-8 bytes token id i stands for (GPT-2's byte-to-unicode map, inverted)."""
    return bytes(BYTE_DEC[c] for c in ID_TO_TOKEN[i])


def evaluate(p, cfg, ids, stride):
    # Bits per byte divide by the bytes of the scored tokens only: a window's unscored first
    # token is not in the numerator, so its bytes are not in the denominator either.
    total, count, n_bytes = 0.0, 0, 0
    for begin, end, score_from in windows(len(ids), cfg["n_positions"], stride):
        if score_from >= end:
            continue
        logits = forward(p, cfg, ids[begin:end])
        total += nll(logits[score_from - 1 - begin:end - 1 - begin], ids[score_from:end])
        count += end - score_from
        n_bytes += sum(len(token_bytes(i)) for i in ids[score_from:end])
    loss = total / count
    return {"stride": stride, "tokens": len(ids), "predicted": count, "bytes": n_bytes, "totalNats": total,
            "loss": loss, "perplexity": math.exp(loss), "bitsPerByte": total / math.log(2) / n_bytes}


# ---------------------------------------------------------------- files
def write_safetensors(path, tensors, order):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name in order:
        t = tensors[name].contiguous()
        if t.dtype == torch.bool:
            raw, dtype = bytes(t.reshape(-1).to(torch.uint8).tolist()), "BOOL"
        else:
            vals = t.float().reshape(-1).tolist()
            raw, dtype = struct.pack("<%df" % len(vals), *vals), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def write_dir(name, cfg, tensors, order):
    d = OUT + name + "/"
    os.makedirs(d, exist_ok=True)
    write_safetensors(d + "model.safetensors", tensors, order)
    with open(d + "config.json", "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(d + "vocab.json", "w", encoding="utf-8") as f:
        json.dump(VOCAB, f, ensure_ascii=False)
    with open(d + "merges.txt", "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in MERGES))
    return d


def hf_config(**kw):
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": len(VOCAB), "n_positions": 48,
           "n_ctx": 48, "n_embd": 48, "n_layer": 2, "n_head": 4, "n_inner": None, "activation_function": "gelu_new",
           "layer_norm_epsilon": 1e-3, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
           "initializer_range": 0.02, "scale_attn_weights": True, "use_cache": True,
           "bos_token_id": VOCAB["<|endoftext|>"], "eos_token_id": VOCAB["<|endoftext|>"]}
    cfg.update(kw)
    return cfg


TEXT = "The cat sat on the mat. Café: 3 euros! 🙂\n  Isn't it?"
EVAL_TEXT = (
    "In the beginning the tokens were bytes, and the bytes were merged into pieces of words.\n"
    "A model reads them one at a time and guesses the next: the, of, and, to, in, is, on.\n"
    "When it is wrong it pays in nats; when it is sure and right it pays almost nothing.\n\n"
    "Perplexity is the exponential of the mean loss: a model as unsure as a fair die with 6 faces\n"
    "has perplexity 6. Bits per byte divide the total by ln 2 and by the bytes of the file, so\n"
    "models with different tokenizers can be compared. Résumé, naïve, café: accents cost bytes. 🙂\n"
)
PROMPT = "The cat"
GREEDY_STEPS = 10

tiny_cfg = hf_config()
tiny = make_params(tiny_cfg, untied=False)
buffers = {}
for l in range(tiny_cfg["n_layer"]):
    P = tiny_cfg["n_positions"]
    buffers[f"h.{l}.attn.bias"] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)
    buffers[f"h.{l}.attn.masked_bias"] = torch.tensor(-1e4)
tiny_dir = write_dir("tiny", tiny_cfg, {**tiny, **buffers}, sorted({**tiny, **buffers}))
with open(tiny_dir + "generation_config.json", "w") as f:
    json.dump({"bos_token_id": VOCAB["<|endoftext|>"], "eos_token_id": VOCAB["<|endoftext|>"]}, f, indent=2)
    f.write("\n")

untied_cfg = hf_config(activation_function="gelu", n_inner=72, layer_norm_epsilon=1e-4, tie_word_embeddings=False)
untied = make_params(untied_cfg, untied=True)
prefixed = {("" if k == "lm_head.weight" else "transformer.") + k: v for k, v in untied.items()}
for l in range(untied_cfg["n_layer"]):
    P = untied_cfg["n_positions"]
    prefixed[f"transformer.h.{l}.attn.bias"] = torch.tril(torch.ones(P, P, dtype=torch.bool)).view(1, 1, P, P)
write_dir("untied", untied_cfg, prefixed, list(prefixed))  # insertion order, not sorted

ids = encode(TEXT)
assert len(ids) <= tiny_cfg["n_positions"], len(ids)
logits = forward(tiny, tiny_cfg, ids)
logits_untied = forward(untied, untied_cfg, ids)
prompt = encode(PROMPT)
greedy = list(prompt)
for _ in range(GREEDY_STEPS):
    greedy.append(int(forward(tiny, tiny_cfg, greedy)[-1].argmax()))

with open(OUT + "eval.txt", "w", encoding="utf-8") as f:
    f.write(EVAL_TEXT)
eval_ids = encode(EVAL_TEXT)
assert sum(len(token_bytes(i)) for i in eval_ids) == len(EVAL_TEXT.encode("utf-8"))
short = lambda t: [float("%.9g" % x) for x in t.reshape(-1).tolist()]  # float32 needs 9 digits
golden = {
    "torch": torch.__version__,
    "text": TEXT,
    "ids": ids,
    "tiny": {"logits": short(logits), "loss": nll(logits[:-1], ids[1:]) / (len(ids) - 1)},
    "untied": {"logits": short(logits_untied), "loss": nll(logits_untied[:-1], ids[1:]) / (len(ids) - 1)},
    "greedy": {"prompt": PROMPT, "promptIds": prompt, "ids": greedy[len(prompt):]},
    "eval": {"ids": eval_ids, "windows": evaluate(tiny, tiny_cfg, eval_ids, tiny_cfg["n_positions"]),
             "stride": evaluate(tiny, tiny_cfg, eval_ids, 12)},
}
with open(OUT + "golden.json", "w") as f:
    json.dump(golden, f)
    f.write("\n")
print("tokens", len(ids), "eval tokens", len(eval_ids), "greedy", greedy[len(prompt):])
print("loss", golden["tiny"]["loss"], "eval", golden["eval"]["windows"]["loss"], golden["eval"]["stride"]["loss"])
