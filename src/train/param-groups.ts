// AdamW parameter groups as nanoGPT and GPT-2 practice: weight decay on the matrices that
// multiply activations (Linear weights), none on biases, normalisation gains and embeddings,
// where shrinking toward zero has no regularising meaning. Each module marks its own parameters
// (`Parameter.noDecay`: Embedding, LayerNorm, RMSNorm, Linear's bias); a parameter with fewer than
// two dimensions is never decayed either. Frozen parameters (requiresGrad false) join no group.

import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { ParamGroup } from './optimizer.js';

export function isDecayed(p: Parameter): boolean {
  return !p.noDecay && p.ndim >= 2;
}

export function decayGroups(model: Module, weightDecay: number): ParamGroup[] {
  const decay: ParamGroup = { params: [], weightDecay };
  const noDecay: ParamGroup = { params: [], weightDecay: 0 };
  for (const p of model.parameters()) if (p.requiresGrad) (isDecayed(p) ? decay : noDecay).params.push(p);
  return [decay, noDecay].filter((g) => g.params.length > 0);
}
