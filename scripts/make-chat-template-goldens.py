"""Renders the chat-template fixtures (test/fixtures/chat/*/tokenizer_config.json) with Python's
jinja2, set up as transformers' apply_chat_template sets it up (transformers/utils/chat_template_utils.py,
_compile_jinja_template: an ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, the
loopcontrols extension, a tojson filter that keeps non-ASCII, raise_exception and strftime_now as
globals; render(messages=..., tools=None, documents=None, add_generation_prompt=..., and the
tokenizer's special_tokens_map)). The strings it writes to test/fixtures/chat/goldens.json are the
outside reference that test/chat/templates.test.ts compares @huggingface/jinja's output with.

Needs only python3-jinja2 (no transformers): python3 scripts/make-chat-template-goldens.py
"""

import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "..", "test", "fixtures", "chat")
FAMILIES = ["llama3", "qwen2.5", "mistral", "smollm2"]
SPECIAL_FIELDS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


def compile_template(source):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def special_tokens_map(cfg):
    out = {}
    for f in SPECIAL_FIELDS:
        v = cfg.get(f)
        if isinstance(v, dict):
            v = v["content"]
        if v is not None:
            out[f] = v
    extra = cfg.get("additional_special_tokens") or []
    if extra:
        out["additional_special_tokens"] = extra
    return out


S = {"role": "system", "content": "You are a concise assistant."}
U1 = {"role": "user", "content": "Hello!"}
A1 = {"role": "assistant", "content": "Hi there. How can I help?"}
U2 = {"role": "user", "content": "What is 2 + 2?"}
ODD = [
    {"role": "user", "content": "  padded, with a newline\n"},
    {"role": "assistant", "content": "日本語 😀 and {{ not code }} and {% raw %}"},
    {"role": "user", "content": "tabs\tand 'quotes' \"too\""},
]

CASES = [
    ("three turns with a system message", [S, U1, A1, U2], True),
    ("three turns without a system message", [U1, A1, U2], True),
    ("no generation prompt", [S, U1, A1], False),
    ("odd content: whitespace, unicode, template syntax", ODD, True),
    ("two user messages in a row", [U1, U2], True),
]

# Small templates for the variables transformers passes: tools and documents are None (defined,
# but none), the special tokens are there, unknown names are undefined.
EXTRA = {
    "tools-none": "{%- if tools is not none %}TOOLS{% else %}no tools{% endif %}|"
    "{%- if documents is defined %}docs defined{% endif %}|{{ messages[0].content }}",
    "specials": "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|"
    "{% if additional_special_tokens is defined %}{{ additional_special_tokens | length }}{% else %}none{% endif %}|"
    "{% if unk_token is defined %}unk{% else %}no unk{% endif %}",
}


def render(tpl, cfg, messages, gen):
    try:
        text = tpl.render(
            messages=messages, tools=None, documents=None, add_generation_prompt=gen, **special_tokens_map(cfg)
        )
        return {"text": text}
    except jinja2.exceptions.TemplateError as e:
        return {"error": str(e)}


goldens = []
for fam in FAMILIES:
    with open(os.path.join(FIXTURES, fam, "tokenizer_config.json")) as f:
        cfg = json.load(f)
    tpl = compile_template(cfg["chat_template"])
    for name, messages, gen in CASES:
        goldens.append({"family": fam, "case": name, "messages": messages, "add_generation_prompt": gen,
                        **render(tpl, cfg, messages, gen)})
    for name, source in EXTRA.items():
        goldens.append({"family": fam, "case": name, "template": source, "messages": [U1],
                        "add_generation_prompt": True, **render(compile_template(source), cfg, [U1], True)})

with open(os.path.join(FIXTURES, "goldens.json"), "w") as f:
    json.dump({"jinja2": jinja2.__version__, "goldens": goldens}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(goldens)} renderings with jinja2 {jinja2.__version__}")
