// The key/value cache for autoregressive decoding: each layer keeps the keys and values of the
// positions already seen, so a new token costs one row of attention instead of recomputing the
// whole prefix. Keys and values are kept as (B, T, nKvHead·hs).
// Memory: 2 · nLayer · B · nKvHead · T · hs floats.
// Appending does not copy the past on every step: for one row (B = 1) the keys live in a buffer
// with room to grow (doubling, as a dynamic array), and each step writes its new rows after the
// old ones; the cached tensor is a view of the filled prefix. Buffers are ordinary arrays, made
// outside any buffer arena, because they outlive the step that made them.

import { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/layout.js';
import { isGradEnabled } from '../tensor/autograd.js';
import { exercisable } from '../exercises/registry.js';
import type { LinearAttentionState } from './linear-attention.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'kv-cache-append' (chapter 8): the cached keys (or values) `past` (B, Tp, W), null
     * before the first step, followed along time by this step's `x` (B, T, W): (B, Tp + T, W).
     */
    kvCacheAppend(past: Tensor | null, x: Tensor): Tensor;
  }
}

/** Per-layer cache of past keys and values, (B, Tpast, nkv·hs) each (heads side by side). */
export interface LayerKvCache {
  k: Tensor | null;
  v: Tensor | null;
  /** Positions a rolling cache dropped from the front (sliding window: model/rolling-kv-cache.ts). */
  dropped?: number;
  /** Linear attention keeps a fixed-size recurrent state instead of keys and values (issue 18). */
  linear?: LinearAttentionState | null;
}

export class KVCache {
  readonly layers: LayerKvCache[];

  constructor(nLayer: number) {
    this.layers = Array.from({ length: nLayer }, () => ({ k: null, v: null }));
  }

  /** Number of positions seen: those cached, and those a rolling cache dropped. */
  get length(): number {
    const l = this.layers[0];
    return l?.k ? (l.dropped ?? 0) + l.k.shape[1] : (l?.linear?.length ?? 0);
  }

  /** Floats held, summed over layers. */
  get size(): number {
    const linear = (l: LayerKvCache) => (l.linear ? l.linear.S.size + l.linear.z.size : 0);
    return this.layers.reduce((n, l) => n + (l.k?.size ?? 0) + (l.v?.size ?? 0) + linear(l), 0);
  }

  clear(): void {
    for (const l of this.layers) {
      l.k = l.v = null;
      l.dropped = 0;
      l.linear = null;
    }
  }
}

/** A buffer with spare room behind a layer's cached tensors, and how much of it is filled. */
interface Store {
  data: Float32Array | Float64Array;
  filled: number;
}
const stores = new WeakMap<Tensor, Store>();

/** past (B, Tp, W) followed by x (B, T, W) along time, as cat([past, x], 1) computes it. */
const append = exercisable('kvCacheAppend', (past: Tensor | null, x: Tensor): Tensor => {
  if (past === null) past = new Tensor(x.data.subarray(0, 0), [x.shape[0], 0, x.shape[2]]);
  if (isGradEnabled() && (past.requiresGrad || x.requiresGrad)) return cat([past, x], 1); // keeps the graph
  const [B, Tp, W] = past.shape;
  const T = x.shape[1];
  const n = B * (Tp + T) * W;
  const store = stores.get(past);
  // Grow in place only when `past` is the newest view of its buffer: extending an older view
  // (a branch) would overwrite rows another cache still uses, so that case copies.
  const grows =
    B === 1 &&
    store !== undefined &&
    store.filled === past.size &&
    store.data.length >= n &&
    store.data.constructor === x.data.constructor;
  if (grows) {
    // the prefix (what `past` views) is never written again
    store.data.set(x.data.subarray(0, T * W), Tp * W);
    store.filled = n;
    const out = new Tensor(store.data.subarray(0, n), [B, Tp + T, W]);
    stores.set(out, store);
    return out;
  }
  const cap = B === 1 ? Math.max(2 * n, 64 * W) : n;
  const data = x.data instanceof Float64Array ? new Float64Array(cap) : new Float32Array(cap);
  for (let b = 0; b < B; b++) {
    data.set(past.data.subarray(b * Tp * W, (b + 1) * Tp * W), b * (Tp + T) * W);
    data.set(x.data.subarray(b * T * W, (b + 1) * T * W), (b * (Tp + T) + Tp) * W);
  }
  const out = new Tensor(cap === n ? data : data.subarray(0, n), [B, Tp + T, W]);
  if (B === 1) stores.set(out, { data, filled: n });
  return out;
});

/** Appends this step's keys and values (B, T, kvWidth) to a layer's cache; returns the full ones. */
export function appendKv(layer: LayerKvCache, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
  layer.k = append(layer.k, k);
  layer.v = append(layer.v, v);
  return { k: layer.k, v: layer.v };
}
