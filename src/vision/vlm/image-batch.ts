// Images as the vision-language models take them: one image (3, H, W) or (1, 3, H, W) for
// decoding, and the encoded image repeated for a batch of rows (beam search's beams share it).

import type { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { LlmfsError } from '../../errors.js';
import type { VlmConfig } from './config.js';

/** (3, H, W) or (1, 3, H, W) -> (1, 3, H, W), checked against the model's image size. */
export function oneImage(image: Tensor, c: VlmConfig): Tensor {
  const { channels: C, imageHeight: H, imageWidth: W } = c.vit;
  const x = image.ndim === 3 ? image.reshape(1, ...image.shape) : image;
  if (x.ndim !== 4 || x.shape[0] !== 1 || x.shape[1] !== C || x.shape[2] !== H || x.shape[3] !== W)
    throw new LlmfsError(
      `vlm: the image must be (${C}, ${H}, ${W}), got ${fmtShape(image.shape)}; ` +
        "resize it to the model's size",
    );
  return x;
}

/** One encoded image (1, N, C) -> a function giving it repeated for B rows (B, N, C), kept per B. */
export function patchRows(one: Tensor): (B: number) => Tensor {
  const byRows = new Map<number, Tensor>([[1, one]]);
  return (B) => {
    let t = byRows.get(B);
    if (!t) byRows.set(B, (t = one.indexSelect(0, new Array<number>(B).fill(0)))); // (B, N, C)
    return t;
  };
}
