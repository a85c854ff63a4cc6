// The rolling KV cache of sliding-window attention (Mistral's "rolling buffer cache", Jiang et
// al., 2023): a query sees only the last W positions, so a layer needs to keep no more than W
// keys and values. Each step appends its new ones, attends, and drops all but the newest W; the
// memory stays at W positions however long the text grows. `dropped` counts the positions gone,
// so the cache still knows the absolute position of what it holds (KVCache.length adds it).
// Held keys and values are copied into arrays of their own, outside any buffer arena, because
// they outlive the step that made them (as in kv-cache.ts).

import { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/layout.js';
import { isGradEnabled } from '../tensor/autograd.js';
import type { LayerKvCache } from './kv-cache.js';

/** The last n rows along time of `past` (B, Tp, C) followed by `x` (B, T, C), in fresh memory. */
function lastRows(past: Tensor | null, x: Tensor, n: number): Tensor {
  const [B, T, C] = x.shape;
  const Tp = past ? past.shape[1] : 0;
  const skip = Tp + T - n; // rows dropped from the front
  const data = x.data instanceof Float64Array ? new Float64Array(B * n * C) : new Float32Array(B * n * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < n; t++) {
      const src = skip + t; // row in the concatenation
      const from = src < Tp ? past!.data : x.data;
      const row = src < Tp ? b * Tp + src : b * T + src - Tp;
      data.set(from.subarray(row * C, (row + 1) * C), (b * n + t) * C);
    }
  }
  return new Tensor(data, [B, n, C]);
}

/**
 * Appends this step's keys and values (B, T, kvWidth) to a layer's rolling cache of width W.
 * Returns all keys and values this step's queries may need, (B, Tk, kvWidth) with Tk <= W + T, and
 * kStart, the absolute position of the first; afterwards the cache holds only the newest W.
 */
export function appendRolling(
  layer: LayerKvCache,
  k: Tensor,
  v: Tensor,
  window: number,
): { k: Tensor; v: Tensor; kStart: number } {
  const kStart = layer.dropped ?? 0;
  const Tp = layer.k ? layer.k.shape[1] : 0;
  const Tk = Tp + k.shape[1];
  const drop = Math.max(0, Tk - window);
  if (isGradEnabled() && (k.requiresGrad || v.requiresGrad)) {
    // Keep the graph (a loss through the cache): cat and narrow are differentiable.
    const kAll = layer.k ? cat([layer.k, k], 1) : k; // (B, Tk, kvWidth)
    const vAll = layer.v ? cat([layer.v, v], 1) : v;
    layer.k = kAll.narrow(1, drop, Tk - drop);
    layer.v = vAll.narrow(1, drop, Tk - drop);
    layer.dropped = kStart + drop;
    return { k: kAll, v: vAll, kStart };
  }
  // This step attends over the old cache and the new rows; only the newest W rows are kept.
  const kAll = layer.k ? lastRows(layer.k, k, Tk) : k; // (B, Tk, kvWidth)
  const vAll = layer.v ? lastRows(layer.v, v, Tk) : v;
  layer.k = lastRows(null, kAll, Tk - drop); // (B, min(Tk, W), kvWidth)
  layer.v = lastRows(null, vAll, Tk - drop);
  layer.dropped = kStart + drop;
  return { k: kAll, v: vAll, kStart };
}
