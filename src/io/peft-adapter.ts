// LoRA adapters as Hugging Face PEFT writes them (Node): a directory with only the adapter,
//   adapter_model.safetensors  base_model.model.transformer.h.N.attn.c_attn.lora_A.weight (r, in)
//                              base_model.model.transformer.h.N.attn.c_attn.lora_B.weight (out, r)
//   adapter_config.json        peft_type "LORA", r, lora_alpha, lora_dropout, target_modules, ...
// GPT-2's layers are Conv1D (W stored (in, out)), hence fan_in_fan_out: true; A and B have the
// same shapes either way, so our (out, in) Linear uses them as they are: ΔW = (α/r)·B·A.
// loadPeftAdapter puts LoRA (nn/lora.ts, Hu et al., 2021) on exactly the layers the file names.
// Llama-layout models use HF's Llama names (base_model.model.model.layers.N.self_attn.q_proj...):
// peft-llama.ts maps them onto our fused c_attn.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import type { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { applyLora, loraLayers } from '../model/lora-apply.js';
import { parseJson } from '../tokenizer/json-parse.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { hasLlamaLayout, llamaLorasFromPeft, llamaPeftTensors, type OurLora } from './peft-llama.js';

export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const ADAPTER_CONFIG = 'adapter_config.json';
const PREFIX = 'base_model.model.';

/** Our parameter name -> PEFT's key (GPT2LMHeadModel: the body under `transformer.`). */
export function peftKey(name: string): string {
  return PREFIX + (name === 'lm_head' || name.startsWith('lm_head.') ? name : `transformer.${name}`);
}

/**
 * PEFT's key -> [module name, 'A' | 'B'], or null if it is not a LoRA A/B weight. The name is ours
 * for GPT-2 (`transformer.` dropped), HF's for a Llama-layout model (`model.layers.N...`).
 */
function parseKey(key: string, llama: boolean): [string, 'A' | 'B'] | null {
  const re = llama
    ? /^base_model\.model\.(.+)\.lora_([AB])(?:\.default)?\.weight$/
    : /^base_model\.model\.(?:transformer\.)?(.+)\.lora_([AB])(?:\.default)?\.weight$/;
  const m = re.exec(key);
  return m ? [m[1], m[2] as 'A' | 'B'] : null;
}

export interface SavePeftOptions {
  /** Written as base_model_name_or_path (the base model's directory or hub name). */
  baseModel?: string;
}

/** Writes the model's LoRA layers (only them) as a PEFT adapter directory; returns the paths. */
export function savePeftAdapter(dir: string, model: Module, opts: SavePeftOptions = {}): string[] {
  const layers = loraLayers(model);
  if (layers.length === 0) throw new LlmfsError(`adapter ${dir}: the model has no LoRA layers to save`);
  const [, first] = layers[0];
  for (const [name, l] of layers) {
    if (l.r !== first.r || l.alpha !== first.alpha || l.lora_dropout.p !== first.lora_dropout.p)
      throw new LlmfsError(
        `adapter ${dir}: layer ${name} has r ${l.r}, alpha ${l.alpha} but the first has r ${first.r}, ` +
          `alpha ${first.alpha}; one adapter file holds one setting`,
      );
  }
  const llama = hasLlamaLayout(model);
  let tensors: Record<string, Tensor> = {};
  let targets: string[];
  if (llama) ({ tensors, targets } = llamaPeftTensors(model, layers));
  else {
    for (const [name, l] of layers) {
      tensors[`${peftKey(name)}.lora_A.weight`] = l.lora_A.weight.detach(); // (r, in)
      tensors[`${peftKey(name)}.lora_B.weight`] = l.lora_B.weight.detach(); // (out, r)
    }
    targets = [...new Set(layers.map(([n]) => n.split('.').pop()!))].sort();
  }
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: opts.baseModel ?? null,
    r: first.r,
    lora_alpha: first.alpha,
    lora_dropout: first.lora_dropout.p,
    target_modules: targets,
    fan_in_fan_out: !llama, // GPT-2's Conv1D stores W as (in, out); Llama's nn.Linear as (out, in)
    bias: 'none',
    inference_mode: true,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
  makeDirs(dir, 'adapter');
  const written = [join(dir, ADAPTER_WEIGHTS), join(dir, ADAPTER_CONFIG)];
  writeSafetensorsFile(written[0], tensors, { format: 'pt' });
  atomicWriteFile(written[1], `${JSON.stringify(config, null, 2)}\n`);
  return written;
}

export interface PeftAdapterConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string[] | string;
  baseModel: string | null;
}

/** Reads and checks adapter_config.json: a LoRA adapter we can apply. */
export function readPeftConfig(dir: string): PeftAdapterConfig {
  const path = join(dir, ADAPTER_CONFIG);
  if (!existsSync(dir)) throw new LlmfsError(`adapter ${dir}: directory not found`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(`${path}: ${reason === 'ENOENT' ? 'file not found (not a PEFT adapter)' : reason}`);
  }
  const raw = parseJson(text, path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(`${path}: must hold a JSON object`);
  const c = raw as Record<string, unknown>;
  const bad = (what: string): never => {
    throw new LlmfsError(`${path}: ${what}`);
  };
  if (c.peft_type !== 'LORA') bad(`peft_type is ${JSON.stringify(c.peft_type)}; only "LORA" is supported`);
  const r = c.r;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1) bad(`"r" must be a positive integer`);
  const alpha = c.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) bad(`"lora_alpha" must be a number`);
  const drop = c.lora_dropout ?? 0;
  if (typeof drop !== 'number' || !(drop >= 0 && drop <= 1)) bad(`"lora_dropout" must be in [0, 1]`);
  if (c.use_dora === true) bad('use_dora: DoRA adapters are not supported');
  if (c.use_rslora === true) bad('use_rslora: rank-stabilised scaling is not supported');
  if (c.bias !== undefined && c.bias !== 'none')
    bad(`bias ${JSON.stringify(c.bias)}: only "none" is supported`);
  for (const k of ['rank_pattern', 'alpha_pattern'])
    if (typeof c[k] === 'object' && c[k] !== null && Object.keys(c[k] as object).length > 0)
      bad(`${k}: per-layer ranks or alphas are not supported`);
  const tm = c.target_modules;
  const targets =
    typeof tm === 'string' ? tm : Array.isArray(tm) && tm.every((t) => typeof t === 'string') ? tm : null;
  if (targets === null) bad('"target_modules" must be a list of module names or a string');
  const base = typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null;
  return {
    r: r as number,
    loraAlpha: alpha as number,
    loraDropout: drop as number,
    targetModules: targets as string[] | string,
    baseModel: base,
  };
}

/**
 * Applies the PEFT LoRA adapter in `dir` to `model` (unmerged; everything but A and B frozen).
 * Every key must name a Linear layer of the model with matching shapes, else one clear error.
 */
export function loadPeftAdapter(model: Module, dir: string): PeftAdapterConfig & { layers: string[] } {
  const cfg = readPeftConfig(dir);
  const wPath = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(wPath)) {
    const bin = existsSync(join(dir, 'adapter_model.bin'));
    throw new LlmfsError(
      `adapter ${dir}: no ${ADAPTER_WEIGHTS}` +
        (bin ? ' (adapter_model.bin is a pickle, which we do not read)' : ''),
    );
  }
  const { tensors } = readSafetensorsFile(wPath);
  const llama = hasLlamaLayout(model);
  const pairs = new Map<string, { A?: Tensor; B?: Tensor }>();
  for (const [key, t] of Object.entries(tensors)) {
    const parsed = parseKey(key, llama);
    if (!parsed) throw new LlmfsError(`${wPath}: tensor '${key}' is not a LoRA A or B weight`);
    const [name, which] = parsed;
    const p = pairs.get(name) ?? {};
    p[which] = t;
    pairs.set(name, p);
  }
  if (pairs.size === 0) throw new LlmfsError(`${wPath}: holds no LoRA weights`);
  const moduleAt = (name: string): Module | null => {
    let m: Module | null = model;
    for (const part of name.split('.')) m = m?.namedChildren().find(([k]) => k === part)?.[1] ?? null;
    return m;
  };
  /** The Linear layer `name`, or one line saying why `key` cannot be put there. */
  const linearAt = (name: string, key: string): Linear => {
    const lin = moduleAt(name);
    if (!lin)
      throw new LlmfsError(
        `adapter ${dir}: '${key}' names layer '${name}', which the model does not have ` +
          `(was the adapter made for another base model?)`,
      );
    if (!(lin instanceof Linear))
      throw new LlmfsError(
        `adapter ${dir}: '${key}' names '${name}' (${lin.constructor.name}), not a Linear layer; ` +
          `LoRA wraps Linear layers only`,
      );
    return lin;
  };
  const complete = new Map<string, { A: Tensor; B: Tensor }>();
  for (const [name, { A, B }] of pairs) {
    const key = llama ? `${PREFIX}${name}` : peftKey(name);
    if (!llama) linearAt(name, key);
    if (!A || !B) throw new LlmfsError(`${wPath}: '${key}' has lora_${A ? 'B' : 'A'} missing`);
    complete.set(name, { A, B });
  }
  const loras: Map<string, OurLora> = llama
    ? llamaLorasFromPeft(model, complete, cfg.r, cfg.loraAlpha, dir)
    : new Map(
        [...complete].map(([name, ab]) => [
          name,
          { ...ab, r: cfg.r, alpha: cfg.loraAlpha, keys: [peftKey(name)] },
        ]),
      );
  for (const [name, { A, B, r, keys }] of loras) {
    const key = keys.join("', '");
    const lin = linearAt(name, key);
    const wantA = [r, lin.inFeatures];
    const wantB = [lin.outFeatures, r];
    for (const [t, want, which] of [
      [A, wantA, 'A'],
      [B, wantB, 'B'],
    ] as const) {
      if (t.shape.length !== 2 || t.shape[0] !== want[0] || t.shape[1] !== want[1])
        throw new LlmfsError(
          `adapter ${dir}: '${key}.lora_${which}.weight' is ${fmtShape(t.shape)} but layer ${name} ` +
            `(${lin.inFeatures} -> ${lin.outFeatures}, r ${r}) needs ${fmtShape(want)}; ` +
            `the adapter was made for another base model`,
        );
    }
  }
  const ranks = new Map([...loras].map(([name, l]) => [name, { r: l.r, alpha: l.alpha }]));
  const targets = [...loras.keys()];
  const layers = applyLora(model, {
    r: cfg.r,
    alpha: cfg.loraAlpha,
    dropout: cfg.loraDropout,
    targets,
    ranks,
  });
  for (const [name, l] of loraLayers(model)) {
    const p = loras.get(name)!;
    l.lora_A.weight.data.set(p.A.data);
    l.lora_B.weight.data.set(p.B.data);
  }
  return { ...cfg, layers };
}
