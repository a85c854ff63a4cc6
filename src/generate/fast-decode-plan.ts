// When the fused decoding step (fast-decode.ts) may stand in for the tensor forward, and the
// weights it reads: a GPT-2-style model (learned positions, pre-norm LayerNorm, dense GELU-tanh
// MLP, full softmax attention) in eval mode, float32 and unquantized, with no learner's exercise
// installed for a function the step skips. Anything else returns null: the plain path runs.

import type { GPT } from '../model/gpt.js';
import type { GPTConfig } from '../model/config.js';
import { Block } from '../model/block.js';
import { MLP } from '../model/mlp.js';
import { MultiHeadAttention } from '../model/multihead.js';
import type { KVCache } from '../model/kv-cache.js';
import { Embedding, LayerNorm, Linear } from '../nn/layers.js';
import type { Parameter } from '../nn/parameter.js';
import type { Module } from '../nn/module.js';
import { isImplemented, type ExercisableName } from '../exercises/registry.js';

/** A plain float32 Linear: y = x Wᵀ + b, W (out, in). */
export interface DenseLinear {
  weight: Parameter;
  bias: Parameter | null;
}

export interface DenseNorm {
  weight: Parameter | null;
  bias: Parameter | null;
  eps: number;
}

export interface LayerPlan {
  ln1: DenseNorm;
  /** c_attn, or q_proj, k_proj, v_proj: their outputs side by side are (nh·hs + 2·nkv·hs). */
  qkv: DenseLinear[];
  attnProj: DenseLinear;
  ln2: DenseNorm;
  fc: DenseLinear;
  mlpProj: DenseLinear;
}

export interface DecodePlan {
  wte: Parameter; // (V, C)
  wpe: Parameter; // (blockSize, C)
  layers: LayerPlan[];
  lnF: DenseNorm;
  /** lm_head, or wte as a bias-free Linear (tied). */
  head: DenseLinear;
}

/**
 * The exercisable functions on the plain cached decoding path that the fused step does not call;
 * with a learner's version of any installed, the plain path runs so their code is what runs.
 * (The gemm's `matmulKernel` is still reached: the step calls the backend's gemm.)
 */
const SKIPPED: readonly ExercisableName[] = [
  'preNormBlock',
  'layerNorm',
  'gelu',
  'kvCacheAppend',
  'scaledDotProductAttention',
];

/** Exactly this class (a subclass, e.g. LoRA or quantized, may compute something else). */
const exactly = (m: Module | null, cls: abstract new (...a: never[]) => Module): boolean =>
  m !== null && Object.getPrototypeOf(m) === cls.prototype;

/** Whether p is null, or float32 of shape (rows) or (rows, cols). */
function fits(p: Parameter | null, rows: number, cols?: number): boolean {
  if (p === null) return true;
  const s = p.shape;
  const shaped = cols === undefined ? s.length === 1 : s.length === 2 && s[1] === cols;
  return shaped && s[0] === rows && p.data instanceof Float32Array;
}

/** A plain Linear from `nIn` to `nOut` features. */
function dense(m: Module | null, nOut: number, nIn: number): DenseLinear | null {
  if (!exactly(m, Linear)) return null;
  const l = m as Linear;
  return fits(l.weight, nOut, nIn) && fits(l.bias, nOut) ? { weight: l.weight, bias: l.bias } : null;
}

function norm(m: Module, C: number): DenseNorm | null {
  if (!exactly(m, LayerNorm)) return null;
  const n = m as LayerNorm;
  return fits(n.weight, C) && fits(n.bias, C) ? { weight: n.weight, bias: n.bias, eps: n.eps } : null;
}

function layer(b: Block, c: GPTConfig): LayerPlan | null {
  if (!exactly(b, Block) || b.placement !== 'pre') return null;
  const a = b.attn;
  const m = b.mlp;
  if (!exactly(a, MultiHeadAttention) || !exactly(m, MLP)) return null;
  if (a.pattern || a.attention !== 'full' || a.alibiSlopes || a.q_norm || a.k_norm) return null;
  // the step's buffers are sized from the config: a layer pruned to other sizes falls back
  if (a.nHead !== c.nHead || a.nKvHead !== c.nKvHead || a.headSize !== c.headDim) return null;
  const mlp = m as MLP;
  if (mlp.c_gate || mlp.activation !== 'gelu_tanh') return null;
  const [C, H, qW, kvW] = [c.nEmbd, c.mlpHidden, c.nHead * c.headDim, c.nKvHead * c.headDim];
  const qkv = a.c_attn
    ? [dense(a.c_attn, qW + 2 * kvW, C)]
    : [dense(a.q_proj, qW, C), dense(a.k_proj, kvW, C), dense(a.v_proj, kvW, C)];
  const ln1 = norm(b.ln_1, C);
  const ln2 = norm(b.ln_2, C);
  const attnProj = dense(a.c_proj, C, qW);
  const fc = dense(mlp.c_fc, H, C);
  const mlpProj = dense(mlp.c_proj, C, H);
  if (qkv.some((q) => !q) || !ln1 || !ln2 || !attnProj || !fc || !mlpProj) return null;
  return { ln1, qkv: qkv as DenseLinear[], attnProj, ln2, fc, mlpProj };
}

/** The weights the fused step reads, or null when it does not apply to this model. */
export function decodePlan(model: GPT): DecodePlan | null {
  const c = model.config;
  if (model.training || c.positions !== 'learned' || c.norm !== 'layernorm') return null;
  if (c.mlp !== 'gelu' || c.activation !== 'gelu_tanh' || c.moeExperts > 0 || c.attention !== 'full')
    return null;
  if (c.qkNorm || SKIPPED.some((n) => isImplemented(n))) return null;
  if (!exactly(model.wte, Embedding) || !exactly(model.wpe, Embedding)) return null;
  const wte = (model.wte as Embedding).weight;
  const wpe = (model.wpe as Embedding).weight;
  if (!fits(wte, c.vocabSize, c.nEmbd) || !fits(wpe, c.blockSize, c.nEmbd)) return null;
  const layers: LayerPlan[] = [];
  for (const b of model.h) {
    const l = layer(b, c);
    if (!l) return null;
    layers.push(l);
  }
  const lnF = norm(model.ln_f, c.nEmbd);
  const head = model.lm_head ? dense(model.lm_head, c.vocabSize, c.nEmbd) : { weight: wte, bias: null };
  if (!lnF || !head) return null;
  return { wte, wpe, layers, lnF, head };
}

/** Whether a KVCache holds what the step continues from: (1, n, kvW) float32 keys and values per layer. */
export function cacheFits(kv: KVCache, model: GPT): boolean {
  const c = model.config;
  const n = kv.length;
  const w = c.nKvHead * c.headDim;
  return kv.layers.every(
    (l) =>
      !l.linear &&
      !l.dropped &&
      [l.k, l.v].every(
        (t) =>
          t !== null &&
          t.data instanceof Float32Array &&
          t.shape.length === 3 &&
          t.shape[0] === 1 &&
          t.shape[1] === n &&
          t.shape[2] === w &&
          t.data.length >= n * w,
      ),
  );
}
