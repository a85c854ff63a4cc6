// The --overlay picture of `llmfs caption` and `llmfs ask`: one panel per generated word, each the
// model's view of the image with that word's attention over the patches drawn as a spotlight
// (attentionOverlay, after Xu et al. 2015, "Show, Attend and Tell", fig. 2), enlarged, with the
// word written under it in the project's bitmap font. Portable: pixels only, no files.

import { LlmfsError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { makeImage, type Image } from '../vision/image.js';
import { ADVANCE, GLYPH_HEIGHT, drawText } from '../vision/font.js';
import { attentionOverlay } from '../vision/vlm/index.js';

/** Each panel is the image enlarged this many times; the word is drawn at half that scale. */
export const PANEL_SCALE = 4;
/** White pixels between panels, and the strip under each one that holds its word. */
export const PANEL_GAP = 4;
export const LABEL_STRIP = GLYPH_HEIGHT * 2 + 6;

/** Nearest-neighbour enlargement: each pixel becomes a k x k square. */
function enlarge(image: Image, k: number): Image {
  const out = makeImage(image.width * k, image.height * k);
  for (let y = 0; y < out.height; y++)
    for (let x = 0; x < out.width; x++) {
      const src = 3 * (Math.floor(y / k) * image.width + Math.floor(x / k));
      out.data.set(image.data.subarray(src, src + 3), 3 * (y * out.width + x));
    }
  return out;
}

/** The size of the overlay for n words of an S x S image: [width, height]. */
export function overlaySize(n: number, size: number): [number, number] {
  const side = size * PANEL_SCALE;
  return [n * side + (n - 1) * PANEL_GAP, side + LABEL_STRIP];
}

/**
 * image (S x S, as the model saw it), attention (n, hp·wp): row i the weights of the query that
 * produced words[i] -> one picture of n panels side by side.
 */
export function overlayPanels(
  image: Image,
  attention: Tensor,
  words: readonly string[],
  hp: number,
  wp: number,
): Image {
  const n = words.length;
  if (n === 0) throw new LlmfsError('overlay: no words were generated, so there is no attention to draw');
  const [N] = [attention.shape[1]];
  if (attention.shape[0] !== n)
    throw new LlmfsError(`overlay: ${attention.shape[0]} attention rows for ${n} words`);
  const [W, H] = overlaySize(n, image.width);
  const out = makeImage(W, H);
  const side = image.width * PANEL_SCALE;
  words.forEach((word, i) => {
    const row = attention.data.subarray(i * N, (i + 1) * N);
    const panel = enlarge(attentionOverlay(image, row, hp, wp), PANEL_SCALE);
    const left = i * (side + PANEL_GAP);
    for (let y = 0; y < panel.height; y++)
      out.data.set(panel.data.subarray(3 * y * panel.width, 3 * (y + 1) * panel.width), 3 * (y * W + left));
    const scale = word.length * ADVANCE * 2 <= side ? 2 : 1; // a long word in the small font
    const x = left + Math.max(0, Math.floor((side - word.length * ADVANCE * scale) / 2));
    drawText(out, word, x, side + 3, [0, 0, 0], scale);
  });
  return out;
}
