// Reference solution of kv-cache-append (chapter 8, section "The KV cache").

import { cat, type Tensor } from 'llm-from-scratch';

/** past (B, Tp, W) then x (B, T, W) along time (dim 1): (B, Tp + T, W). */
export function kvCacheAppend(past: Tensor | null, x: Tensor): Tensor {
  return past === null ? x : cat([past, x], 1);
}
