// Exercise repeat-kv (chapter 16, section "Attention: grouped-query heads").
// Check it with: llmfs exercise check repeat-kv

import type { Tensor } from 'llm-from-scratch';

/**
 * Grouped-query attention (Ainslie et al., 2023) keeps nkv key/value heads for nh query heads;
 * before the scores, each kv head is repeated for the group of nh / nkv query heads it serves:
 *
 *     x (B, nkv, T, hs) -> (B, nh, T, hs),   query head h reads kv head floor(h / (nh / nkv))
 *
 * (nkv = 2, nh = 4: heads 0 0 1 1). With nkv = nh return x unchanged. The result must carry
 * autograd's graph (training runs through it). Useful: x.indexSelect(axis, indices).
 */
export function repeatKv(x: Tensor, nHead: number): Tensor {
  // TODO: the kv head of every query head, then gather them along axis 1.
  throw new Error('not implemented yet');
}
