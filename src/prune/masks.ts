// Pruning masks: for each pruned weight (by parameter name) a 0/1 array of its size, 1 = kept.
// A pruned weight must stay zero while the model is fine-tuned to recover (Han et al., 2015, sec. 3):
// the optimizer would otherwise move it (Adam's moments, the gradient itself), so the masks are
// applied again after every optimizer step: w ← w ⊙ m.

import type { Module } from '../nn/module.js';
import { LlmfsError } from '../errors.js';

export type PruneMasks = Map<string, Uint8Array>;

/** w ← w ⊙ m for every masked parameter of `model`. */
export function applyMasks(model: Module, masks: PruneMasks): void {
  const params = new Map(model.namedParameters());
  for (const [name, m] of masks) {
    const p = params.get(name);
    if (!p) throw new LlmfsError(`prune: the mask names '${name}', which the model does not have`);
    if (p.size !== m.length)
      throw new LlmfsError(`prune: the mask of '${name}' has ${m.length} entries, the weight ${p.size}`);
    const w = p.data;
    for (let i = 0; i < m.length; i++) if (m[i] === 0) w[i] = 0;
  }
}

/** Exact zeros among the named parameters (or all parameters): what a sparsity claim is checked by. */
export function countZeros(model: Module, names?: Iterable<string>): { zeros: number; total: number } {
  const params = new Map(model.namedParameters());
  let zeros = 0;
  let total = 0;
  for (const name of names ?? params.keys()) {
    const w = params.get(name)!.data;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
    total += w.length;
  }
  return { zeros, total };
}
