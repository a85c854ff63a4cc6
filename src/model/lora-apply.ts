// Putting LoRA (Hu et al., 2021; nn/lora.ts) on a model by name, as PEFT's `target_modules`: a
// Linear whose dotted name equals a pattern or ends with `.pattern` is wrapped in a LoRALinear,
// and everything else is frozen, so only the adapters' A and B train. GPT-2's default targets are
// the attention projections c_attn, c_proj and the MLP's c_fc, c_proj (`c_proj` names both);
// `lm_head` may be added when it is a layer of its own (not tied to wte).
// For a GPT-2 124M with r = 16 on those four layers per block that is 16·(768+2304 + 768+768 +
// 768+3072 + 3072+768)·12 ≈ 2.4M trainable parameters of 124M.

import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import { LoRALinear } from '../nn/lora.js';
import type { Rng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';

export interface ApplyLoraOptions {
  /** The rank r of every adapter. */
  r: number;
  /** α: the update is scaled by α/r (default α = r). */
  alpha?: number;
  /** Dropout probability on the LoRA path (default 0). */
  dropout?: number;
  /**
   * Module-name patterns (exact name or `.suffix`); default DEFAULT_LORA_TARGETS. On a model with
   * a SwiGLU MLP, HF's Llama names o_proj, gate_proj, up_proj, down_proj are accepted for our
   * attn.c_proj, mlp.c_gate, mlp.c_fc, mlp.c_proj; q/k/v_proj are rows of our fused c_attn.
   */
  targets?: readonly string[];
  /** Per-layer rank and α by exact layer name, overriding r and alpha (adapters loaded from PEFT). */
  ranks?: ReadonlyMap<string, { r: number; alpha: number }>;
  rng?: Rng;
}

/** GPT-2's attention (c_attn, c_proj) and MLP (c_fc, c_proj) projections. */
export const DEFAULT_LORA_TARGETS: readonly string[] = ['c_attn', 'c_proj', 'c_fc'];

/** PEFT's rule for a list of target names: the full name, or its last dotted parts. */
export function matchesTarget(name: string, target: string): boolean {
  return name === target || name.endsWith(`.${target}`);
}

/** HF's Llama names for our layers that are one layer on both sides (io/hf-llama.ts). */
const LLAMA_NAMES: Record<string, string> = {
  o_proj: 'attn.c_proj',
  gate_proj: 'mlp.c_gate',
  up_proj: 'mlp.c_fc',
  down_proj: 'mlp.c_proj',
};

interface Slot {
  name: string;
  parent: Module;
  key: string;
  module: Module;
}

/** Every sub-module with its dotted name, its parent and the parent's field holding it. */
function slots(root: Module): Slot[] {
  const out: Slot[] = [];
  const walk = (m: Module, prefix: string): void => {
    for (const [key, child] of m.namedChildren()) {
      const name = prefix + key;
      out.push({ name, parent: m, key, module: child });
      if (!(child instanceof LoRALinear)) walk(child, `${name}.`);
    }
  };
  walk(root, '');
  return out;
}

/**
 * Puts `m` in `parent`'s field `key`. A ModuleList (Sequential) also keeps its items in an array
 * that forward() iterates, so that array is updated too.
 */
function replaceChild(parent: Module, key: string, m: Module): void {
  (parent as unknown as Record<string, Module>)[key] = m;
  if (parent instanceof ModuleList) (parent as unknown as { _items: Module[] })._items[Number(key)] = m;
}

/** The LoRA layers of a model with their names, in order. */
export function loraLayers(model: Module): [string, LoRALinear][] {
  return slots(model)
    .filter((s) => s.module instanceof LoRALinear)
    .map((s) => [s.name, s.module as LoRALinear]);
}

/**
 * Wraps the Linear layers of `model` named by `targets` in LoRALinear (rank r, scale α/r) and
 * freezes every other parameter. Returns the names of the wrapped layers. Refuses, with one line,
 * a pattern that matches no Linear, r larger than a layer, or a model that already has LoRA.
 */
export function applyLora<M extends Module>(model: M, opts: ApplyLoraOptions): string[] {
  let targets = opts.targets ?? DEFAULT_LORA_TARGETS;
  if (targets.length === 0) throw new LlmfsError('LoRA: give at least one target module pattern');
  if (loraLayers(model).length > 0)
    throw new LlmfsError('LoRA: the model already has LoRA layers (merge or reload it first)');
  const all = slots(model);
  const linears = all.filter((s) => s.module instanceof Linear);
  const has = (t: string): boolean => linears.some((s) => matchesTarget(s.name, t));
  const swiglu = has('mlp.c_gate');
  targets = targets.map((t) => (!has(t) && swiglu && LLAMA_NAMES[t] !== undefined ? LLAMA_NAMES[t] : t));
  for (const t of targets) {
    if (has(t)) continue;
    if (swiglu && ['q_proj', 'k_proj', 'v_proj'].includes(t))
      throw new LlmfsError(
        `LoRA: target '${t}': in our layout q_proj, k_proj and v_proj are row blocks of one layer, ` +
          'attn.c_attn; target c_attn (saved in PEFT format as q_proj, k_proj and v_proj adapters)',
      );
    const tied = t === 'lm_head' && all.every((s) => s.name !== 'lm_head');
    throw new LlmfsError(
      tied
        ? "LoRA: target 'lm_head' matches nothing: this model's output layer is tied to wte (no lm_head)"
        : `LoRA: target '${t}' matches no Linear layer of the model ` +
            `(e.g. ${linears
              .slice(0, 4)
              .map((s) => s.name)
              .join(', ')})`,
    );
  }
  const chosen = linears.filter((s) => targets.some((t) => matchesTarget(s.name, t)));
  const wrapped = chosen.map((s) => {
    const lin = s.module as Linear;
    const { r, alpha } = opts.ranks?.get(s.name) ?? opts;
    if (r > Math.min(lin.inFeatures, lin.outFeatures)) {
      throw new LlmfsError(
        `LoRA: r = ${r} is larger than layer ${s.name} (${lin.inFeatures} -> ${lin.outFeatures}); ` +
          `r must be at most ${Math.min(lin.inFeatures, lin.outFeatures)}`,
      );
    }
    return new LoRALinear(lin, { r, alpha, dropout: opts.dropout, rng: opts.rng });
  });
  model.freeze();
  chosen.forEach((s, i) => {
    const lora = wrapped[i];
    lora.lora_A.weight.requiresGrad = true;
    lora.lora_B.weight.requiresGrad = true;
    lora.train(model.training);
    replaceChild(s.parent, s.key, lora);
  });
  return chosen.map((s) => s.name);
}

/** Folds every adapter into its layer's weight (inference at the base model's cost). */
export function mergeLora(model: Module): void {
  for (const [, l] of loraLayers(model)) l.merge();
}

/** Takes every merged adapter out again, restoring the base weights exactly. */
export function unmergeLora(model: Module): void {
  for (const [, l] of loraLayers(model)) l.unmerge();
}

/**
 * Merges every adapter and puts the plain Linear back in its place (PEFT's merge_and_unload):
 * the model then has the base model's parameter names and no LoRA layers. Parameters stay as
 * frozen or trainable as they were; the adapters' A and B are dropped.
 */
export function mergeAndUnloadLora(model: Module): void {
  for (const s of slots(model)) {
    if (!(s.module instanceof LoRALinear)) continue;
    s.module.merge({ keepCopy: false }); // for good: no copy of W to undo it
    replaceChild(s.parent, s.key, s.module.base);
    s.module.lora_A.dispose(); // the adapter's own storage; W is the base layer's and stays
    s.module.lora_B.dispose();
  }
}
