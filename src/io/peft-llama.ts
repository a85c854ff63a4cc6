// PEFT's names for LoRA adapters of Llama-family models (LlamaForCausalLM, Qwen2/3, Mistral):
//   base_model.model.model.layers.N.self_attn.{q,k,v,o}_proj, ...mlp.{gate,up,down}_proj, lm_head.
// Our layout (io/hf-llama.ts llamaTensorLayout) fuses q_proj, k_proj and v_proj as row blocks of
// one attn.c_attn (out = nh·hs + 2·nkv·hs); o_proj, gate_proj, up_proj, down_proj are one layer
// each. A LoRA ΔW = (α/r)·B·A (Hu et al., 2021) splits by rows exactly: ΔW[rows] = (α/r)·B[rows]·A,
// so a fused adapter is saved as q/k/v adapters sharing A, and separate ones are stacked on load.

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { GPT } from '../model/gpt.js';
import type { LoRALinear } from '../nn/lora.js';

/** Our module name -> HF's, for the layers that are one layer on both sides. */
const ONE_TO_ONE: Record<string, string> = {
  'attn.c_proj': 'self_attn.o_proj',
  'mlp.c_gate': 'mlp.gate_proj',
  'mlp.c_fc': 'mlp.up_proj',
  'mlp.c_proj': 'mlp.down_proj',
};
const FROM_HF: Record<string, string> = Object.fromEntries(
  Object.entries(ONE_TO_ONE).map(([ours, hf]) => [hf, ours]),
);
const QKV = ['q_proj', 'k_proj', 'v_proj'] as const;
type QkvPart = (typeof QKV)[number];

/** True for a GPT with the Llama family's layout (RoPE, RMSNorm, SwiGLU): PEFT names it as HF does. */
export function hasLlamaLayout(model: Module): model is GPT {
  if (!(model instanceof GPT)) return false;
  const c = model.config;
  return c.positions === 'rope' && c.norm === 'rmsnorm' && c.mlp === 'swiglu';
}

/** Row ranges [start, end) of q, k and v inside c_attn's (nh·hs + 2·nkv·hs) rows. */
function qkvRows(model: GPT): Record<QkvPart, [number, number]> {
  const { nHead, nKvHead, headDim } = model.config;
  const q = nHead * headDim;
  const kv = nKvHead * headDim;
  return { q_proj: [0, q], k_proj: [q, q + kv], v_proj: [q + kv, q + 2 * kv] };
}

/** Rows [from, to) of a 2-D tensor (out, r), as a new tensor. */
function rowSlice(t: Tensor, from: number, to: number): Tensor {
  const cols = t.shape[1];
  return new Tensor(t.data.slice(from * cols, to * cols), [to - from, cols]);
}

/**
 * The PEFT tensors of a Llama-layout model's LoRA layers (A (r, in), B (out, r)), keys without the
 * `.lora_A.weight` suffix's prefix `base_model.model.`, and the target_modules they make.
 */
export function llamaPeftTensors(
  model: GPT,
  layers: [string, LoRALinear][],
): { tensors: Record<string, Tensor>; targets: string[] } {
  const tensors: Record<string, Tensor> = {};
  const targets = new Set<string>();
  const put = (hfName: string, A: Tensor, B: Tensor): void => {
    tensors[`base_model.model.${hfName}.lora_A.weight`] = A; // (r, in)
    tensors[`base_model.model.${hfName}.lora_B.weight`] = B; // (out, r)
    targets.add(hfName.split('.').pop()!);
  };
  const rows = qkvRows(model);
  for (const [name, l] of layers) {
    const A = l.lora_A.weight.detach();
    const B = l.lora_B.weight.detach();
    if (name === 'lm_head') {
      put('lm_head', A, B);
      continue;
    }
    const m = /^h\.(\d+)\.(.+)$/.exec(name);
    const hf = m ? `model.layers.${m[1]}.` : '';
    if (m && m[2] === 'attn.c_attn') {
      for (const part of QKV) put(`${hf}self_attn.${part}`, A, rowSlice(B, ...rows[part]));
    } else if (m && ONE_TO_ONE[m[2]] !== undefined) {
      put(hf + ONE_TO_ONE[m[2]], A, B);
    } else {
      throw new LlmfsError(`adapter: layer ${name} has no name in Hugging Face's Llama layout`);
    }
  }
  return { tensors, targets: [...targets].sort() };
}

/** One LoRA of ours to build from a PEFT adapter: its A, B and its own α (rank = A's rows). */
export interface OurLora {
  A: Tensor;
  B: Tensor;
  /** Its rank: r, or p·r for p separate q/k/v adapters stacked. */
  r: number;
  alpha: number;
  /** The PEFT keys it came from, for messages. */
  keys: string[];
}

/** A PEFT module name (after base_model.model.) -> [our layer, q/k/v part or null], or an error. */
function ourName(hfName: string, dir: string): [string, QkvPart | null] {
  if (hfName === 'lm_head') return ['lm_head', null];
  // An adapter saved with our GPT-2-style names (transformer.h.N.attn.c_attn) before PEFT's Llama names:
  if (hfName.startsWith('transformer.h.')) return [hfName.slice('transformer.'.length), null];
  const m = /^model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+)$/.exec(hfName);
  if (m && (QKV as readonly string[]).includes(m[3]) && m[2] === 'self_attn')
    return [`h.${m[1]}.attn.c_attn`, m[3] as QkvPart];
  const ours = m ? FROM_HF[`${m[2]}.${m[3]}`] : undefined;
  if (m && ours !== undefined) return [`h.${m[1]}.${ours}`, null];
  throw new LlmfsError(
    `adapter ${dir}: LoRA on '${hfName}' is not supported (only the Linear layers q/k/v/o_proj, ` +
      'gate/up/down_proj and lm_head)',
  );
}

const sameData = (a: Tensor, b: Tensor): boolean =>
  a.shape.join() === b.shape.join() && a.data.every((v, i) => v === b.data[i]);

/**
 * PEFT's per-module A and B (keyed by the module name after `base_model.model.`) as LoRAs on our
 * layers. The q/k/v adapters of one block become one LoRA on c_attn whose ΔW is exactly theirs on
 * their rows and 0 on the rows of a part the adapter leaves out: when they share A, rank r with
 * B's row blocks; else A stacked (p·r, C), B block-structured (out, p·r) and α·p, so that
 * (α·p)/(p·r) = α/r.
 */
export function llamaLorasFromPeft(
  model: GPT,
  pairs: Map<string, { A: Tensor; B: Tensor }>,
  r: number,
  alpha: number,
  dir: string,
): Map<string, OurLora> {
  const out = new Map<string, OurLora>();
  const fused = new Map<string, Map<QkvPart, { A: Tensor; B: Tensor; key: string }>>();
  for (const [hfName, ab] of pairs) {
    const [name, part] = ourName(hfName, dir);
    const key = `base_model.model.${hfName}`;
    if (part === null) out.set(name, { ...ab, r, alpha, keys: [key] });
    else fused.set(name, (fused.get(name) ?? new Map()).set(part, { ...ab, key }));
  }
  const rows = qkvRows(model);
  const C = model.config.nEmbd;
  for (const [name, parts] of fused) {
    const [, end] = rows.v_proj;
    const present = QKV.filter((p) => parts.has(p));
    for (const p of present) {
      const { A, B, key } = parts.get(p)!;
      const want = rows[p][1] - rows[p][0];
      if (A.shape.join() !== `${r},${C}` || B.shape.join() !== `${want},${r}`)
        throw new LlmfsError(
          `adapter ${dir}: '${key}' has A (${A.shape.join(', ')}) and B (${B.shape.join(', ')}) but ` +
            `the model needs (${r}, ${C}) and (${want}, ${r}); the adapter was made for another base model`,
        );
    }
    const first = parts.get(present[0])!.A;
    const shared = present.every((p) => sameData(parts.get(p)!.A, first));
    const rank = shared ? r : r * present.length;
    const B = new Float32Array(end * rank); // (out, rank): zero rows for a part left out
    present.forEach((p, i) => {
      const b = parts.get(p)!.B.data; // (rows, r)
      const col = shared ? 0 : i * r;
      for (let row = rows[p][0]; row < rows[p][1]; row++)
        for (let k = 0; k < r; k++) B[row * rank + col + k] = b[(row - rows[p][0]) * r + k];
    });
    const A = new Float32Array(rank * C); // (rank, C): the parts' A stacked
    if (shared) A.set(first.data);
    else present.forEach((p, i) => A.set(parts.get(p)!.A.data, i * r * C));
    out.set(name, {
      A: new Tensor(A, [rank, C]),
      B: new Tensor(B, [end, rank]),
      r: rank,
      alpha: shared ? alpha : alpha * present.length,
      keys: present.map((p) => parts.get(p)!.key),
    });
  }
  return out;
}
