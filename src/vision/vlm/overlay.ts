// An attention map drawn over its image: one generated word's weights over the hp x wp patches
// (a row of attentionToPatches) become a spotlight, as the attention figures of Xu et al. (2015,
// "Show, Attend and Tell", fig. 2) show where a captioner looked. Each pixel is blended toward a
// dark neutral gray: it keeps a = 0.15 + 0.85 · w/max(w) of itself (w its patch's weight), so the
// most-attended patch keeps its exact colours (no tint that would make a blue square look purple),
// and unattended ones fade to gray.

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
  const GRAY = 24; // neutral, so fading darkens and greys a colour without shifting its hue
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const heat = max > 0 ? weights[Math.floor(y / ph) * wp + Math.floor(x / pw)] / max : 0; // 0..1
      const keep = 0.15 + 0.85 * heat;
      const p = 3 * (y * W + x);
      for (let c = 0; c < 3; c++) data[p + c] = Math.round(image.data[p + c] * keep + GRAY * (1 - keep));
    }
  return { width: W, height: H, channels: 3, data };
}
