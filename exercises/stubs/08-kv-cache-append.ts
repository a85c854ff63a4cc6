// Exercise kv-cache-append (chapter 8, section "The KV cache").
// Check it with: llmfs exercise check kv-cache-append

import type { Tensor } from 'llm-from-scratch';

/**
 * The KV cache's append: each attention layer keeps the keys (and, separately, the values) of the
 * positions already seen, (B, Tp, W) with W = n_kv_head · hs (the heads side by side). A step
 * brings the keys of its new positions, (B, T, W); the cache becomes, along time,
 *
 *     cache ← [past ; x]     (B, Tp + T, W)
 *
 * for each sequence b: its Tp old rows, then its T new ones. Before the first step there is no
 * cache (`past` is null): the result is then x.
 *
 * Tensor functions you may use: cat([a, b], dim), or build a new Tensor from a Float32Array.
 */
export function kvCacheAppend(past: Tensor | null, x: Tensor): Tensor {
  // past: (B, Tp, W) or null, x: (B, T, W)
  // TODO: return (B, Tp + T, W).
  throw new Error('not implemented yet');
}
