// The on-disk layout of a quantized checkpoint (portable: bytes in, bytes out). It is an ordinary
// checkpoint directory (config.json + model.safetensors + tokenizer.json) with two additions:
//
// config.json gains  "quantization": { "method": "llmfs-absmax", "bits": 8 | 4,
//                                      "group_size": G (int4) | null, "zero_point": bool,
//                                      "modules": ["h.0.attn.c_attn", ..., "wte", "wpe"] }
// model.safetensors holds, for each listed module N with a weight of shape (out, in):
//   bits 8   N.weight        I8  (out, in)       q = round(w / s) in [-127, 127]
//            N.weight_scale  F32 (out)           s = max |row| / 127
//   bits 4   N.weight        U8  (out, in / 2)   two codes per byte, low nibble = even column
//            N.weight_scale  F32 (out, in / G)   one scale per group of G columns
//            N.weight_zero   U8  (out, in / G)   zero points (zero_point only; else codes are q + 8)
// and every other parameter (biases, norms, positions) as F32 under its usual name. A reader that
// knows safetensors but not this layout sees integer tensors and the config block that explains
// them; `llmfs quantize` writes it and every command that takes --model reads it.

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { Embedding, Linear } from '../nn/layers.js';
import { isInt8, type QuantWeight } from '../quant/qmatmul.js';
import { QuantizedLinear } from '../quant/quantized-linear.js';
import { QuantizedEmbedding } from '../quant/quantized-embedding.js';
import { getModule, quantizedModules, setModule } from '../quant/quantize-model.js';
import type { IntTensor } from './safetensors.js';

export const QUANT_KEY = 'quantization';
export const QUANT_METHOD = 'llmfs-absmax';

export interface QuantizationConfig {
  method: typeof QUANT_METHOD;
  bits: 8 | 4;
  group_size: number | null;
  zero_point: boolean;
  modules: string[];
}

/** The config block describing a model's quantized modules, or null for a float model. */
export function quantizationConfig(model: Module): QuantizationConfig | null {
  const mods = quantizedModules(model);
  if (mods.length === 0) return null;
  const first = mods[0][1].weightQ;
  const kinds = new Set(mods.map(([, m]) => describe(m.weightQ)));
  if (kinds.size > 1) throw new LlmfsError(`save: quantized modules mix formats (${[...kinds].join(', ')})`);
  return {
    method: QUANT_METHOD,
    bits: isInt8(first) ? 8 : 4,
    group_size: isInt8(first) ? null : first.groupSize,
    zero_point: !isInt8(first) && first.zeros !== null,
    modules: mods.map(([name]) => name),
  };
}

function describe(w: QuantWeight): string {
  return isInt8(w) ? 'int8' : `int4 g${w.groupSize}${w.zeros ? ' zero point' : ''}`;
}

/** Every tensor to save: float parameters plus each quantized module's codes and scales. */
export function quantizedWeights(model: Module): Record<string, Tensor | IntTensor> {
  const out: Record<string, Tensor | IntTensor> = { ...model.stateDict() };
  for (const [name, m] of quantizedModules(model)) {
    const w = m.weightQ;
    if (isInt8(w)) {
      out[`${name}.weight`] = { dtype: 'I8', shape: [w.rows, w.cols], data: w.q };
      out[`${name}.weight_scale`] = new Tensor(w.scales, [w.rows]);
    } else {
      const groups = w.cols / w.groupSize;
      out[`${name}.weight`] = { dtype: 'U8', shape: [w.rows, w.cols / 2], data: w.packed };
      out[`${name}.weight_scale`] = new Tensor(w.scales, [w.rows, groups]);
      if (w.zeros) out[`${name}.weight_zero`] = { dtype: 'U8', shape: [w.rows, groups], data: w.zeros };
    }
  }
  return out;
}

/** Reads the config block (throws one line naming the fault). */
export function parseQuantizationConfig(raw: unknown, where: string): QuantizationConfig {
  const bad = (why: string): never => {
    throw new LlmfsError(`${where}: "${QUANT_KEY}": ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('must be an object');
  const q = raw as Record<string, unknown>;
  if (q.method !== QUANT_METHOD) bad(`method must be "${QUANT_METHOD}", got ${JSON.stringify(q.method)}`);
  if (q.bits !== 8 && q.bits !== 4) bad(`bits must be 8 or 4, got ${JSON.stringify(q.bits)}`);
  const g = q.group_size;
  if (q.bits === 4 && !(Number.isInteger(g) && (g as number) >= 2 && (g as number) % 2 === 0))
    bad(`int4 needs an even group_size >= 2, got ${JSON.stringify(g)}`);
  if (typeof (q.zero_point ?? false) !== 'boolean') bad('zero_point must be true or false');
  if (!Array.isArray(q.modules) || q.modules.some((m) => typeof m !== 'string') || q.modules.length === 0)
    bad('modules must be a non-empty list of module names');
  return {
    method: QUANT_METHOD,
    bits: q.bits as 8 | 4,
    group_size: q.bits === 4 ? (g as number) : null,
    zero_point: q.bits === 4 && q.zero_point === true,
    modules: q.modules as string[],
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Turns a freshly built float model into the quantized one a checkpoint describes: each listed
 * module is replaced by its quantized form built from the codes in `ints` and the scales in
 * `floats` (which are removed from `floats`; the caller then loads the rest as a state dict).
 */
export function applyQuantizedWeights(
  model: Module,
  qc: QuantizationConfig,
  floats: Record<string, Tensor>,
  ints: Record<string, IntTensor>,
  where: string,
): void {
  const used = new Set<string>();
  const take = <T>(store: Record<string, T>, key: string, what: string): T => {
    const t = store[key];
    if (t === undefined) throw new LlmfsError(`${where}: missing ${what} '${key}'`);
    used.add(key);
    delete store[key];
    return t;
  };
  for (const name of qc.modules) {
    const m = getModule(model, name);
    if (!(m instanceof Linear) && !(m instanceof Embedding))
      throw new LlmfsError(
        `${where}: quantized module '${name}' is not a Linear layer or an embedding table`,
      );
    const [rows, cols] = (m as Linear | Embedding).weight.shape as [number, number];
    const scales = take(floats, `${name}.weight_scale`, 'scales');
    if (scales.data.some((v) => !(Number.isFinite(v) && v >= 0)))
      throw new LlmfsError(`${where}: a scale of '${name}' is negative or not finite`);
    const codes = take(ints, `${name}.weight`, 'codes');
    const w = buildWeight(qc, codes, scales, ints, take, name, rows, cols, where);
    if (m instanceof Linear) {
      const bias = m.bias ? new Tensor(new Float32Array(rows), [rows]) : null; // filled by the state dict
      setModule(model, name, new QuantizedLinear(w, bias));
    } else setModule(model, name, new QuantizedEmbedding(w));
    m.dispose(); // the freshly built float weight is not needed: give its storage back
  }
  const extra = Object.keys(ints).filter((k) => !used.has(k));
  if (extra.length > 0)
    throw new LlmfsError(`${where}: integer tensor '${extra[0]}' belongs to no quantized module`);
}

function buildWeight(
  qc: QuantizationConfig,
  codes: IntTensor,
  scales: Tensor,
  ints: Record<string, IntTensor>,
  take: (store: Record<string, IntTensor>, key: string, what: string) => IntTensor,
  name: string,
  rows: number,
  cols: number,
  where: string,
): QuantWeight {
  const shapeError = (what: string, got: readonly number[], want: readonly number[]): never => {
    throw new LlmfsError(`${where}: ${what} of '${name}' has shape [${got}], expected [${want}]`);
  };
  if (qc.bits === 8) {
    if (codes.dtype !== 'I8')
      throw new LlmfsError(`${where}: '${name}.weight' must be I8 for int8, got ${codes.dtype}`);
    if (!sameShape(codes.shape, [rows, cols])) shapeError('the codes', codes.shape, [rows, cols]);
    if (!sameShape(scales.shape, [rows])) shapeError('the scales', scales.shape, [rows]);
    return { rows, cols, q: codes.data as Int8Array, scales: Float32Array.from(scales.data) };
  }
  const G = qc.group_size as number;
  if (cols % G !== 0)
    throw new LlmfsError(`${where}: a group of ${G} does not divide the ${cols} columns of '${name}'`);
  if (codes.dtype !== 'U8')
    throw new LlmfsError(`${where}: '${name}.weight' must be U8 for int4, got ${codes.dtype}`);
  if (!sameShape(codes.shape, [rows, cols / 2])) shapeError('the codes', codes.shape, [rows, cols / 2]);
  if (!sameShape(scales.shape, [rows, cols / G])) shapeError('the scales', scales.shape, [rows, cols / G]);
  let zeros: Uint8Array | null = null;
  if (qc.zero_point) {
    const z = take(ints, `${name}.weight_zero`, 'zero points');
    if (z.dtype !== 'U8' || !sameShape(z.shape, [rows, cols / G]))
      shapeError('the zero points', z.shape, [rows, cols / G]);
    if (z.data.some((v) => v > 15)) throw new LlmfsError(`${where}: a zero point of '${name}' is above 15`);
    zeros = z.data as Uint8Array;
  }
  return {
    rows,
    cols,
    groupSize: G,
    packed: codes.data as Uint8Array,
    scales: Float32Array.from(scales.data),
    zeros,
  };
}
