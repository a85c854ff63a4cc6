// An RGB image as the model's input: a float32 Tensor of shape (3, H, W), channels first as in
// PyTorch, each sample normalised as (v / 255 - mean[c]) / std[c]. The default mean = std = 0.5
// per channel maps 0..255 to -1..1 (torchvision's Normalize((0.5,)*3, (0.5,)*3) after ToTensor).

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/creation.js';
import type { Image } from './image.js';

export interface NormalizeOptions {
  /** Per-channel mean of the 0..1 samples (default 0.5 each). */
  mean?: readonly [number, number, number];
  /** Per-channel standard deviation of the 0..1 samples (default 0.5 each). */
  std?: readonly [number, number, number];
}

export const DEFAULT_MEAN = [0.5, 0.5, 0.5] as const;
export const DEFAULT_STD = [0.5, 0.5, 0.5] as const;

/** (3, H, W) float32: x[c, y, x] = (image[y, x, c] / 255 - mean[c]) / std[c]. */
export function imageToTensor(image: Image, options: NormalizeOptions = {}): Tensor {
  const mean = options.mean ?? DEFAULT_MEAN;
  const std = options.std ?? DEFAULT_STD;
  for (const s of std)
    if (!(s > 0) || !Number.isFinite(s))
      throw new LlmfsError(`imageToTensor: std ${s} must be a positive number`);
  const { width: W, height: H, data } = image;
  const out = new Float32Array(3 * H * W); // (3, H, W)
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < H * W; p++) out[c * H * W + p] = (data[3 * p + c] / 255 - mean[c]) / std[c];
  return fromArray(out, [3, H, W]);
}

/** The inverse of imageToTensor for a (3, H, W) tensor: back to 8-bit RGB (rounded, clamped). */
export function tensorToImage(t: Tensor, options: NormalizeOptions = {}): Image {
  if (t.shape.length !== 3 || t.shape[0] !== 3)
    throw new LlmfsError(`tensorToImage: expected shape (3, H, W), got (${t.shape.join(', ')})`);
  const mean = options.mean ?? DEFAULT_MEAN;
  const std = options.std ?? DEFAULT_STD;
  const [, H, W] = t.shape;
  const src = t.data;
  const data = new Uint8Array(H * W * 3);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < H * W; p++) {
      const v = (src[c * H * W + p] * std[c] + mean[c]) * 255;
      data[3 * p + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
    }
  return { width: W, height: H, channels: 3, data };
}
