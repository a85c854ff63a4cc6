// Reference solution of repeat-kv (chapter 16, section "Attention: grouped-query heads").

import type { Tensor } from 'llm-from-scratch';

/** (B, nkv, T, hs) -> (B, nh, T, hs): kv head floor(h / group) for query head h. */
export function repeatKv(x: Tensor, nHead: number): Tensor {
  const group = nHead / x.shape[1]!; // query heads per kv head
  const heads = Array.from({ length: nHead }, (_, h) => Math.floor(h / group)); // 0 0 1 1 ...
  return x.indexSelect(1, heads);
}
