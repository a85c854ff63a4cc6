// Unstructured magnitude pruning (Han et al., 2015, "Learning both Weights and Connections for
// Efficient Neural Networks"): the weights of smallest |w| matter least, so set a fraction s of
// them to zero and keep a 0/1 mask that says which survived (for a recovery fine-tune).
//   global:    one threshold over all prunable weights, so layers lose different fractions;
//   per layer: each weight matrix loses exactly the fraction s of its own entries.
// Which tensors are prunable: the Linear weights of attention and MLP (c_attn, c_proj, c_fc, c_gate),
// where nearly all the parameters are. Not pruned: the token embedding (tied to the output head here,
// so a zero there deletes a feature of a token from both input and output; Han et al. prune it, most
// LLM pruning (e.g. Wanda, SparseGPT) does not), position embeddings, norm gains and biases (1-D,
// under 1% of the parameters, and each scales or shifts a whole feature for every token).

import type { GPT } from '../model/gpt.js';
import type { Parameter } from '../nn/parameter.js';
import { LlmfsError } from '../errors.js';
import { applyMasks, type PruneMasks } from './masks.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'magnitude-mask' (chapter 13): one 0/1 mask per array, over the arrays taken
     * together, with 0 for exactly round(s·n) entries of smallest |w| (ties: earlier first).
     */
    smallestMask(arrays: Float32Array[], sparsity: number): Uint8Array[];
  }
}

export type PruneScope = 'global' | 'layer';

/** The prunable weights by parameter name: every `.weight` of an attention or MLP Linear. */
export function prunableWeights(model: GPT): [string, Parameter][] {
  return model
    .namedParameters()
    .filter(([name, p]) => /\.(attn|mlp)\.[a-z_]+\.weight$/.test(name) && p.shape.length === 2);
}

/**
 * Masks that remove exactly round(s·n) entries of smallest |w|: over all n prunable weights at once
 * (global), or round(s·n_t) from each weight matrix t of n_t entries (per layer). Ties at the
 * threshold are broken by position, so the count is exact even when many weights are equal.
 */
export function magnitudeMasks(model: GPT, sparsity: number, scope: PruneScope = 'global'): PruneMasks {
  if (!(sparsity >= 0 && sparsity < 1))
    throw new LlmfsError(`prune: sparsity must be in [0, 1), got ${sparsity}`);
  const weights = prunableWeights(model);
  if (weights.length === 0) throw new LlmfsError('prune: the model has no attention or MLP weight to prune');
  const masks: PruneMasks = new Map();
  if (scope === 'layer') {
    for (const [name, p] of weights) masks.set(name, smallestMask([p.data as Float32Array], sparsity)[0]);
    return masks;
  }
  const all = smallestMask(
    weights.map(([, p]) => p.data as Float32Array),
    sparsity,
  );
  weights.forEach(([name], i) => masks.set(name, all[i]));
  return masks;
}

/**
 * One mask per array over the arrays taken together: 0 for the k = round(s·n) entries of smallest
 * |w| (n = total length), 1 for the rest.
 */
export const smallestMask = exercisable('smallestMask', (arrays, sparsity): Uint8Array[] => {
  const n = arrays.reduce((a, x) => a + x.length, 0);
  const k = Math.round(sparsity * n);
  const masks = arrays.map((x) => new Uint8Array(x.length).fill(1));
  if (k === 0) return masks;
  // The k-th smallest magnitude is the threshold t: prune every |w| < t, then |w| = t in order.
  const mags = new Float32Array(n);
  let o = 0;
  for (const x of arrays) for (let i = 0; i < x.length; i++) mags[o++] = Math.abs(x[i]);
  const t = mags.sort()[k - 1];
  let left = k;
  arrays.forEach((x, a) => {
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) < t) ((masks[a][i] = 0), left--);
  });
  arrays.forEach((x, a) => {
    for (let i = 0; i < x.length && left > 0; i++) if (Math.abs(x[i]) === t) ((masks[a][i] = 0), left--);
  });
  return masks;
});

export interface MagnitudePruneResult {
  masks: PruneMasks;
  /** Weights set to zero, and the prunable weights in all. */
  pruned: number;
  total: number;
  /** Fraction zeroed per weight matrix, by name (global pruning spreads unevenly). */
  perTensor: Record<string, number>;
}

/** Prunes `model` in place at `sparsity` and returns the masks (1 = kept) for a recovery fine-tune. */
export function magnitudePrune(
  model: GPT,
  sparsity: number,
  scope: PruneScope = 'global',
): MagnitudePruneResult {
  const masks = magnitudeMasks(model, sparsity, scope);
  applyMasks(model, masks);
  let pruned = 0;
  let total = 0;
  const perTensor: Record<string, number> = {};
  for (const [name, m] of masks) {
    let z = 0;
    for (let i = 0; i < m.length; i++) z += 1 - m[i];
    perTensor[name] = z / m.length;
    pruned += z;
    total += m.length;
  }
  return { masks, pruned, total, perTensor };
}
