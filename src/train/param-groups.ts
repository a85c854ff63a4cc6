// AdamW parameter groups as nanoGPT and GPT-2 practice: weight decay on the matrices that
// multiply activations (Linear weights), none on biases, normalisation gains and embeddings,
// where shrinking toward zero has no regularising meaning.

import type { Module } from '../nn/module.js';
import type { ParamGroup } from './optimizer.js';

export function isDecayed(name: string, ndim: number): boolean {
  if (ndim < 2) return false; // biases, LayerNorm/RMSNorm gains
  return !/(^|\.)(wte|wpe|src_embed|tgt_embed|src_pos|tgt_pos)\./.test(name); // embeddings
}

export function decayGroups(model: Module, weightDecay: number): ParamGroup[] {
  const decay: ParamGroup = { params: [], weightDecay };
  const noDecay: ParamGroup = { params: [], weightDecay: 0 };
  for (const [name, p] of model.namedParameters()) (isDecayed(name, p.ndim) ? decay : noDecay).params.push(p);
  return [decay, noDecay].filter((g) => g.params.length > 0);
}
