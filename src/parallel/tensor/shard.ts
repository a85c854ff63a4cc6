// Splitting a full GPT's weights into the N ranks' shards of Megatron-LM tensor parallelism
// (Shoeybi et al., 2019, section 3) and gathering them back: column-parallel layers (attn.c_attn,
// mlp.c_fc) keep rows of W (out, in) and of b, row-parallel layers (attn.c_proj, mlp.c_proj) keep
// columns of W and the whole b; everything else (embeddings, norms) is replicated.

import type { GPTConfig } from '../../model/config.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

export type Weights = Record<string, Float32Array>;

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'column-row-split' (chapter 18): rank `rank`'s shard of W (rows, cols) (PyTorch's
     * (out, in)): 'column' keeps rows/n rows, 'row' keeps cols/n columns.
     */
    shardLinear(
      w: Float32Array,
      rows: number,
      cols: number,
      n: number,
      rank: number,
      split: 'column' | 'row',
    ): Float32Array;
  }
}

/** Megatron's split of one Linear's W (rows, cols): a block of rows ('column'), of columns ('row'). */
export const shardLinear = exercisable(
  'shardLinear',
  (w: Float32Array, rows: number, cols: number, n: number, rank: number, split: 'column' | 'row') => {
    if (split === 'column') return w.slice((rank * rows * cols) / n, ((rank + 1) * rows * cols) / n);
    const k = cols / n; // columns per rank
    const out = new Float32Array(rows * k);
    for (let i = 0; i < rows; i++) out.set(w.subarray(i * cols + rank * k, i * cols + (rank + 1) * k), i * k);
    return out;
  },
);

/** How one parameter is split. `runs`: [offset, length] row runs of a column-parallel shard. */
type Split =
  | { kind: 'replicated' }
  | { kind: 'rows'; inner: number; runs: (rank: number) => [number, number][] }
  | { kind: 'cols'; rows: number; cols: number };

/** How the parameter `name` of a GPT with config `c` is split over `n` ranks. */
export function splitOf(name: string, c: GPTConfig, n: number): Split {
  const C = c.nEmbd;
  const w = (c.nHead / n) * c.headDim; // this rank's slice of q (and of k, and of v)
  const full = c.nHead * c.headDim;
  const h = c.mlpHidden / n;
  if (/\.attn\.c_attn\.(weight|bias)$/.test(name)) {
    // Rows [q | k | v], each nh·hs: rank r keeps rows r·w..(r+1)·w of each of the three.
    const inner = name.endsWith('weight') ? C : 1;
    return { kind: 'rows', inner, runs: (r) => [0, 1, 2].map((j) => [j * full + r * w, w]) };
  }
  if (/\.mlp\.c_fc\.(weight|bias)$/.test(name)) {
    const inner = name.endsWith('weight') ? C : 1;
    return { kind: 'rows', inner, runs: (r) => [[r * h, h]] };
  }
  if (/\.attn\.c_proj\.weight$/.test(name)) return { kind: 'cols', rows: C, cols: full };
  if (/\.mlp\.c_proj\.weight$/.test(name)) return { kind: 'cols', rows: C, cols: c.mlpHidden };
  return { kind: 'replicated' };
}

/** Rank `rank`'s shard of one parameter (a copy). */
export function shardOf(
  name: string,
  full: Float32Array,
  c: GPTConfig,
  n: number,
  rank: number,
): Float32Array {
  const s = splitOf(name, c, n);
  if (s.kind === 'replicated') return Float32Array.from(full);
  if (s.kind === 'rows') {
    const runs = s.runs(rank);
    if (runs.length === 1) return shardLinear(full, full.length / s.inner, s.inner, n, rank, 'column');
    const out = new Float32Array(runs.reduce((a, [, len]) => a + len, 0) * s.inner);
    let o = 0;
    for (const [start, len] of runs) {
      out.set(full.subarray(start * s.inner, (start + len) * s.inner), o);
      o += len * s.inner;
    }
    return out;
  }
  return shardLinear(full, s.rows, s.cols, n, rank, 'row');
}

/** Every parameter's shard for rank `rank`. */
export function shardWeights(full: Weights, c: GPTConfig, n: number, rank: number): Weights {
  return Object.fromEntries(Object.entries(full).map(([name, w]) => [name, shardOf(name, w, c, n, rank)]));
}

/**
 * The full weights from the N ranks' shards (shards[r] is rank r's); replicated parameters are
 * taken from rank 0. `size(name)` gives a parameter's full length.
 */
export function gatherWeights(shards: Weights[], c: GPTConfig, size: (name: string) => number): Weights {
  const n = shards.length;
  const out: Weights = {};
  for (const name of Object.keys(shards[0])) {
    const s = splitOf(name, c, n);
    const full = new Float32Array(size(name));
    if (s.kind === 'replicated') full.set(shards[0][name]);
    for (let r = 0; r < n && s.kind !== 'replicated'; r++) {
      const part = shards[r][name];
      if (!part) throw new LlmfsError(`tensor parallel: rank ${r} has no shard of '${name}'`);
      if (s.kind === 'rows') {
        let o = 0;
        for (const [start, len] of s.runs(r)) {
          full.set(part.subarray(o, o + len * s.inner), start * s.inner);
          o += len * s.inner;
        }
      } else {
        const k = s.cols / n;
        for (let i = 0; i < s.rows; i++) full.set(part.subarray(i * k, (i + 1) * k), i * s.cols + r * k);
      }
    }
    out[name] = full;
  }
  return out;
}
