#!/usr/bin/python3
"""A complete tiny LlamaForCausalLM directory, as the hub ships one, for the end-to-end CLI tests
(test/interop/llama-e2e.test.ts) and PEFT LoRA adapters on it (test/io/peft-llama.test.ts).

The model maths is scripts/make-llama-fixtures.py's plain-torch modeling_llama.py (imported, not
copied); the tokenizer is the Llama-3-style test/fixtures/tokenizer-json/llama3.json (vocab 1006:
1000 BPE tokens + <|begin_of_text|> .. <|eot_id|>), run by @huggingface/tokenizers through node;
the chat template is Meta-Llama-3-8B-Instruct's published one (test/fixtures/chat/llama3), with
added_tokens_decoder renumbered to this vocabulary. Goldens, all computed by PyTorch in float64:
  greedy continuations of two prompts (ids as transformers' tokenizer(text) gives them, BOS first),
  a chat turn and a second turn (apply_chat_template(add_generation_prompt=True, tokenize=True),
  i.e. the rendered text encoded with add_special_tokens=False), the mean loss on a short text,
  and logits with two PEFT adapters applied as PEFT's LoRA does: W + (α/r)·B·A on each named Linear.
Writes test/fixtures/llama-e2e/. Run from the repo root:  /usr/bin/python3 scripts/make-llama-e2e-fixture.py
"""
import importlib.util
import json
import os
import shutil
import subprocess
import torch

spec = importlib.util.spec_from_file_location("llama_ref", "scripts/make-llama-fixtures.py")
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

OUT = "test/fixtures/llama-e2e/"
MODEL = OUT + "model/"
TOKENIZER = "test/fixtures/tokenizer-json/llama3.json"
ref.V = 1006  # the tokenizer's 1000 BPE tokens and 6 special tokens
BOS, EOS_TEXT, EOT = 1000, 1001, 1005
L = dict(arch="LlamaForCausalLM", model_type="llama", hidden=32, inter=64, heads=4, kv=2, head_dim=8,
         theta=500000.0, eps=1e-5, tie=True, qkv_bias=False, qk_norm=False, window=None, dtype="F32",
         scaling=None, shards=1)
MAX_NEW = 8
LAST = 3


def tok(op, arg):
    """@huggingface/tokenizers on the fixture's tokenizer.json: ('encode', [text, add_special]) or
    ('decode', ids)."""
    js = (
        "import {Tokenizer} from '@huggingface/tokenizers'; import {readFileSync} from 'node:fs';"
        f"const t = new Tokenizer(JSON.parse(readFileSync('{TOKENIZER}', 'utf8')),"
        " {clean_up_tokenization_spaces: false});"
        "const [op, a] = JSON.parse(readFileSync(0, 'utf8'));"
        "const r = op === 'encode' ? t.encode(a[0], {add_special_tokens: a[1]}).ids"
        " : t.decode(a, {skip_special_tokens: false});"
        "process.stdout.write(JSON.stringify(r));"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", js], input=json.dumps([op, arg]).encode(),
                         capture_output=True, check=True)
    return json.loads(out.stdout)


def greedy_until(w, ids, n, stop=()):
    """Greedy continuation of `ids` (at most n tokens, ending at a stop id, which is kept)."""
    ids, new = list(ids), []
    for _ in range(n):
        logits = ref.forward(L, w, ids)[-1]
        top = logits.topk(2).values
        assert float(top[0] - top[1]) > 1e-3, "near-tie: argmax would not be stable"
        nxt = int(logits.argmax())
        new.append(nxt)
        ids.append(nxt)
        if nxt in stop:
            break
    return new


def llama3_chat(messages):
    """Meta-Llama-3-Instruct's chat_template, rendered (add_generation_prompt=True)."""
    s = "<|begin_of_text|>"
    for m in messages:
        s += f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content'].strip()}<|eot_id|>"
    return s + "<|start_header_id|>assistant<|end_header_id|>\n\n"


def tokenizer_config():
    with open("test/fixtures/chat/llama3/tokenizer_config.json") as f:
        published = json.load(f)
    with open(TOKENIZER) as f:
        added = json.load(f)["added_tokens"]
    cfg = dict(published)
    cfg["added_tokens_decoder"] = {
        str(a["id"]): {k: a[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")}
        for a in added
    }
    return cfg


# ---------------------------------------------------------------- PEFT's LoRA, in plain torch
def lora_weights(targets, r, alpha, seed):
    g = torch.Generator().manual_seed(seed)
    C, H, nh, nkv, hd = L["hidden"], L["inter"], L["heads"], L["kv"], L["head_dim"]
    shapes = {"q_proj": (nh * hd, C), "k_proj": (nkv * hd, C), "v_proj": (nkv * hd, C), "o_proj": (C, nh * hd),
              "gate_proj": (H, C), "up_proj": (H, C), "down_proj": (C, H)}
    ad = {}
    for l in range(ref.N_LAYER):
        for t in targets:
            part = "self_attn" if t.endswith(("q_proj", "k_proj", "v_proj", "o_proj")) else "mlp"
            out_f, in_f = shapes[t]
            key = f"base_model.model.model.layers.{l}.{part}.{t}"
            ad[key + ".lora_A.weight"] = torch.randn(r, in_f, generator=g, dtype=torch.float64).float().double() * 0.3
            ad[key + ".lora_B.weight"] = torch.randn(out_f, r, generator=g, dtype=torch.float64).float().double() * 0.3
    return ad


def apply_lora(w, ad, r, alpha):
    """PEFT's LoraLayer merged: W + (lora_alpha / r) · B @ A on every adapted Linear."""
    w = dict(w)
    for key in ad:
        if key.endswith(".lora_A.weight"):
            name = key[len("base_model.model."):-len(".lora_A.weight")]
            A, B = ad[key], ad[key.replace("lora_A", "lora_B")]
            w[name + ".weight"] = w[name + ".weight"] + (alpha / r) * (B @ A)
    return w


def write_adapter(d, ad, targets, r, alpha):
    os.makedirs(d, exist_ok=True)
    ref.write_safetensors(d + "adapter_model.safetensors", ad, "F32")
    cfg = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "llama-e2e/model", "r": r,
           "lora_alpha": alpha, "lora_dropout": 0.0, "target_modules": targets, "fan_in_fan_out": False,
           "bias": "none", "inference_mode": True, "use_rslora": False, "use_dora": False,
           "modules_to_save": None, "rank_pattern": {}, "alpha_pattern": {}}
    with open(d + "adapter_config.json", "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def main():
    torch.manual_seed(1905)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(MODEL)
    w = ref.make_weights(L)
    ref.write_safetensors(MODEL + "model.safetensors", w, "F32")
    cfg = ref.hf_config(L)
    cfg.update(max_position_embeddings=128, bos_token_id=BOS, eos_token_id=EOT)
    with open(MODEL + "config.json", "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(MODEL + "generation_config.json", "w") as f:
        json.dump({"bos_token_id": BOS, "eos_token_id": [EOS_TEXT, EOT], "do_sample": False}, f, indent=2)
        f.write("\n")
    with open(MODEL + "tokenizer_config.json", "w") as f:
        json.dump(tokenizer_config(), f, indent=2)
        f.write("\n")
    shutil.copy(TOKENIZER, MODEL + "tokenizer.json")

    golden = {"generate": []}
    for text in ["The cat sat on the mat", "Once upon a time, there was"]:
        ids = tok("encode", [text, True])
        golden["generate"].append({"prompt": text, "promptIds": ids, "greedy": greedy_until(w, ids, MAX_NEW)})

    stops = (EOS_TEXT, EOT)
    msgs, turns = [], []
    for line in ["Hello there!", "What is two plus two?"]:
        msgs.append({"role": "user", "content": line})
        rendered = llama3_chat(msgs)
        ids = tok("encode", [rendered, False])
        new = greedy_until(w, ids, MAX_NEW, stops)
        assert not any(i >= 1000 and i not in stops for i in new), "a special token in the answer"
        text = tok("decode", [i for i in new if i not in stops])
        turns.append({"user": line, "rendered": rendered, "promptIds": ids, "ids": new, "text": text})
        msgs.append({"role": "assistant", "content": text})
    golden["chat"] = turns

    text = "The quick brown fox jumps over the lazy dog. A small model reads a short text."
    ids = tok("encode", [text, True])
    assert len(ids) <= 128
    logits = ref.forward(L, w, ids)
    loss = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(ids[1:]))
    with open(OUT + "eval.txt", "w") as f:
        f.write(text)
    golden["eval"] = {"ids": ids, "loss": float(loss)}

    peft_prompt = golden["generate"][0]["promptIds"]
    golden["peft"] = {"ids": peft_prompt, "lastPositions": LAST}  # logits (LAST, V) of the last positions
    for name, targets, r, alpha, seed in [
        ("qv", ["q_proj", "v_proj"], 2, 4, 1),
        ("all", ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], 2, 8, 2),
    ]:
        ad = lora_weights(targets, r, alpha, seed)
        write_adapter(OUT + f"peft-{name}/", ad, targets, r, alpha)
        logits = ref.forward(L, apply_lora(w, ad, r, alpha), peft_prompt)
        golden["peft"][name] = [round(v, 7) for v in logits[-LAST:].reshape(-1).tolist()]
    golden["peft"]["base"] = [round(v, 7) for v in ref.forward(L, w, peft_prompt)[-LAST:].reshape(-1).tolist()]

    with open(OUT + "instructions.json", "w") as f:
        json.dump([{"instruction": "Say hi.", "input": "", "output": "hi"},
                   {"instruction": "Add one to two.", "input": "", "output": "three"},
                   {"instruction": "Name a colour.", "input": "", "output": "red"}], f, indent=2)
        f.write("\n")
    with open(OUT + "golden.json", "w") as f:
        json.dump(golden, f)
        f.write("\n")
    print("generate", [g["greedy"] for g in golden["generate"]])
    print("chat", [t["ids"] for t in turns], "eval loss %.6f" % golden["eval"]["loss"])


if __name__ == "__main__":
    main()
