// Structured pruning: remove whole attention heads (Michel et al., 2019) or MLP neurons, so the
// weight matrices really shrink and the pruned model is an ordinary, smaller GPT (faster, and its
// config says so). For head h of size hs in a block (fused c_attn rows are [q | k | v]):
//   c_attn loses rows h·hs..h·hs+hs-1 of the q, the k and the v part (and those bias entries);
//   c_proj loses the same hs input columns.
// For neuron j: c_fc (and c_gate) lose row j, c_proj loses column j.
// The same number is removed from every layer (the least important in that layer), so the config
// keeps one nHead and one mlpHidden; a global ranking would need per-layer counts in the config.
// The head size is kept (config.headDim), so nHead·headDim < nEmbd after heads are removed.

import { GPT } from '../model/gpt.js';
import { Tensor } from '../tensor/tensor.js';
import type { StateDict } from '../nn/module.js';
import { LlmfsError } from '../errors.js';
import { linearOf } from './importance.js';
import { denseMlp } from '../model/block.js';

/** Indices of the `n` smallest scores (ties: the earlier index), ascending. */
export function leastImportant(scores: readonly number[], n: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}

/** The rows `keep` of a row-major (rows, cols) tensor (a 1-D tensor: its entries). */
function takeRows(t: Tensor, keep: readonly number[]): Tensor {
  const cols = t.shape.length === 2 ? t.shape[1] : 1;
  const out = new Float32Array(keep.length * cols);
  keep.forEach((r, i) => out.set(t.data.subarray(r * cols, (r + 1) * cols), i * cols));
  return new Tensor(out, t.shape.length === 2 ? [keep.length, cols] : [keep.length]);
}

/** The columns `keep` of a row-major (rows, cols) tensor. */
function takeCols(t: Tensor, keep: readonly number[]): Tensor {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * keep.length);
  for (let r = 0; r < rows; r++) keep.forEach((c, i) => (out[r * keep.length + i] = t.data[r * cols + c]));
  return new Tensor(out, [rows, keep.length]);
}

/** A new GPT with `config` changes and the given state dict (entries not given are copied). */
function rebuilt(model: GPT, change: Partial<GPT['config']>, sd: StateDict): GPT {
  const pruned = new GPT({ ...model.config, ...change });
  pruned.loadStateDict({ ...model.stateDict(), ...sd });
  return pruned.eval();
}

/** Every projection must be a float Linear (a quantized model's are not: prune first, then quantize). */
function checkFloat(model: GPT): void {
  for (const blk of model.h) {
    for (const [m, what] of [
      [blk.attn.c_attn, 'attn.c_attn'],
      [blk.attn.c_proj, 'attn.c_proj'],
      [denseMlp(blk, 'prune').c_fc, 'mlp.c_fc'],
      [denseMlp(blk, 'prune').c_proj, 'mlp.c_proj'],
    ] as const)
      linearOf(m, what);
  }
}

/**
 * Removes `n` heads from every layer: in layer l those with the smallest `scores[l][h]`. Returns a
 * new model with nHead - n heads of the same size. Grouped-query models (nKvHead < nHead) are
 * refused: a key/value head serves several query heads, so removing one query head frees nothing.
 */
export function removeHeads(model: GPT, n: number, scores: number[][]): { model: GPT; removed: number[][] } {
  checkFloat(model);
  const { nHead: nh, nKvHead: nkv, headDim: hs, nLayer } = model.config;
  if (nkv !== nh)
    throw new LlmfsError(
      `prune: --heads on a grouped-query model (nKvHead ${nkv} < nHead ${nh}) is not supported`,
    );
  // ALiBi's slopes follow the head count: fewer heads would give the kept ones other slopes (issue 18)
  if (model.config.positions === 'alibi')
    throw new LlmfsError('prune: --heads on an ALiBi model is not supported (the slopes depend on nHead)');
  if (!Number.isInteger(n) || n < 0)
    throw new LlmfsError(`prune: the number of heads to remove must be a whole number >= 0, got ${n}`);
  if (n >= nh)
    throw new LlmfsError(
      `prune: cannot remove ${n} heads per layer: each layer has ${nh}, at least one must stay`,
    );
  if (scores.length !== nLayer || scores.some((s) => s.length !== nh))
    throw new LlmfsError(`prune: head scores must be ${nLayer} layers x ${nh} heads`);
  const removed = scores.map((s) => leastImportant(s, n));
  const sd: StateDict = {};
  const params = new Map(model.namedParameters());
  removed.forEach((gone, l) => {
    const keptHeads = Array.from({ length: nh }, (_, h) => h).filter((h) => !gone.includes(h));
    const cols = keptHeads.flatMap((h) => Array.from({ length: hs }, (_, d) => h * hs + d)); // in q (or k, v)
    const rows = [0, 1, 2].flatMap((part) => cols.map((c) => part * nh * hs + c)); // [q | k | v] rows kept
    const p = `h.${l}.attn.`;
    sd[`${p}c_attn.weight`] = takeRows(params.get(`${p}c_attn.weight`)!, rows); // (3·nh'·hs, C)
    if (params.has(`${p}c_attn.bias`)) sd[`${p}c_attn.bias`] = takeRows(params.get(`${p}c_attn.bias`)!, rows);
    sd[`${p}c_proj.weight`] = takeCols(params.get(`${p}c_proj.weight`)!, cols); // (C, nh'·hs)
  });
  return { model: rebuilt(model, { nHead: nh - n, nKvHead: nh - n, headDim: hs }, sd), removed };
}

/** How many neurons a fraction of `hidden` removes: round(f·H), and at least one must stay. */
export function neuronsToRemove(fraction: number, hidden: number): number {
  if (!(fraction >= 0 && fraction < 1))
    throw new LlmfsError(`prune: the neuron fraction must be in [0, 1), got ${fraction}`);
  return Math.min(Math.round(fraction * hidden), hidden - 1);
}

/** Removes round(f·H) MLP neurons from every layer (the smallest `scores[l][j]`); returns a new model. */
export function removeNeurons(
  model: GPT,
  fraction: number,
  scores: number[][],
): { model: GPT; removed: number[][] } {
  checkFloat(model);
  const { mlpHidden: H, nLayer } = model.config;
  const n = neuronsToRemove(fraction, H);
  if (scores.length !== nLayer || scores.some((s) => s.length !== H))
    throw new LlmfsError(`prune: neuron scores must be ${nLayer} layers x ${H} neurons`);
  const removed = scores.map((s) => leastImportant(s, n));
  const sd: StateDict = {};
  const params = new Map(model.namedParameters());
  removed.forEach((gone, l) => {
    const drop = new Set(gone);
    const keep = Array.from({ length: H }, (_, j) => j).filter((j) => !drop.has(j));
    const p = `h.${l}.mlp.`;
    for (const up of ['c_fc', 'c_gate']) {
      if (params.has(`${p}${up}.weight`))
        sd[`${p}${up}.weight`] = takeRows(params.get(`${p}${up}.weight`)!, keep); // (H', C)
      if (params.has(`${p}${up}.bias`)) sd[`${p}${up}.bias`] = takeRows(params.get(`${p}${up}.bias`)!, keep);
    }
    sd[`${p}c_proj.weight`] = takeCols(params.get(`${p}c_proj.weight`)!, keep); // (C, H')
  });
  return { model: rebuilt(model, { mlpHidden: H - n }, sd), removed };
}
