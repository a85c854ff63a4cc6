// An attention map drawn over its image: one generated word's weights over the hp x wp patches
// (a row of attentionToPatches) become a spotlight, as the attention figures of Xu et al. (2015,
// "Show, Attend and Tell", fig. 2) show where a captioner looked. Each pixel keeps
// 0.2 + 0.8 · w/max(w) of its brightness (w its patch's weight) and is tinted red by the same
// share, so the most-attended patch is plain and bright, and unattended ones fade to dark.

import { LlmfsError } from '../../errors.js';
import type { Image } from '../image.js';

/** image (H x W RGB), weights (hp·wp, row by row) -> a new image of the same size. */
export function attentionOverlay(image: Image, weights: ArrayLike<number>, hp: number, wp: number): Image {
  const { width: W, height: H } = image;
  if (weights.length !== hp * wp)
    throw new LlmfsError(`overlay: ${weights.length} weights for a ${hp}x${wp} patch grid`);
  if (H % hp !== 0 || W % wp !== 0)
    throw new LlmfsError(`overlay: a ${W}x${H} image does not split into a ${hp}x${wp} grid of patches`);
  let max = 0;
  for (let i = 0; i < weights.length; i++) max = Math.max(max, weights[i]);
  const ph = H / hp;
  const pw = W / wp;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const heat = max > 0 ? weights[Math.floor(y / ph) * wp + Math.floor(x / pw)] / max : 0; // 0..1
      const keep = 0.2 + 0.8 * heat;
      const p = 3 * (y * W + x);
      const tint = [255, 0, 0];
      for (let c = 0; c < 3; c++) {
        const v = image.data[p + c] * keep * (1 - 0.3 * heat) + tint[c] * 0.3 * heat * keep;
        data[p + c] = Math.min(255, Math.round(v));
      }
    }
  return { width: W, height: H, channels: 3, data };
}
