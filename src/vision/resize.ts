// Bilinear resizing, the same sampling as PyTorch's F.interpolate(mode='bilinear',
// align_corners=False, antialias=False): output pixel i samples the input at
// s = (i + 0.5) * in / out - 0.5 (clamped below at 0), mixing the two nearest pixels by the
// fraction of s on each axis. Shrinking by a large factor aliases (no low-pass filter first).

import { LlmfsError } from '../errors.js';
import { type Image, checkSize, toByte } from './image.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'bilinear-resize' (chapter 17): F.interpolate(mode='bilinear', align_corners=False). */
    resizeBilinear(
      src: ArrayLike<number>,
      H: number,
      W: number,
      C: number,
      outH: number,
      outW: number,
    ): Float64Array;
  }
}

/** For each output index: the two input indices and the weight of the second. */
function axisWeights(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; w1: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.max((o + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(s), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w1[o] = s - lo;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear resize of interleaved (H, W, C) float samples to (outH, outW, C): the reference loop
 * (exercisable: chapter 17's 'bilinear-resize').
 * out = (1 - wy) * ((1 - wx) * p00 + wx * p01) + wy * ((1 - wx) * p10 + wx * p11).
 */
export const resizeBilinear = exercisable(
  'resizeBilinear',
  (src: ArrayLike<number>, H: number, W: number, C: number, outH: number, outW: number): Float64Array => {
    if (src.length !== H * W * C)
      throw new LlmfsError(`resizeBilinear: ${src.length} samples do not fit (${H}, ${W}, ${C})`);
    const ys = axisWeights(H, outH);
    const xs = axisWeights(W, outW);
    const out = new Float64Array(outH * outW * C);
    for (let y = 0; y < outH; y++) {
      const r0 = ys.i0[y] * W;
      const r1 = ys.i1[y] * W;
      const wy = ys.w1[y];
      for (let x = 0; x < outW; x++) {
        const c0 = xs.i0[x];
        const c1 = xs.i1[x];
        const wx = xs.w1[x];
        for (let c = 0; c < C; c++) {
          const top = (1 - wx) * src[(r0 + c0) * C + c] + wx * src[(r0 + c1) * C + c];
          const bottom = (1 - wx) * src[(r1 + c0) * C + c] + wx * src[(r1 + c1) * C + c];
          out[(y * outW + x) * C + c] = (1 - wy) * top + wy * bottom;
        }
      }
    }
    return out;
  },
);

/** An RGB image resized bilinearly to width x height (each sample rounded half up to a byte). */
export function resizeImage(image: Image, width: number, height: number): Image {
  checkSize('resizeImage', width, height);
  if (width === image.width && height === image.height)
    return { ...image, data: Uint8Array.from(image.data) };
  const f = resizeBilinear(image.data, image.height, image.width, 3, height, width);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = toByte(f[i]);
  return { width, height, channels: 3, data };
}

export interface FitOptions {
  /** 'resize' (default): bilinear resize to the wanted size; 'error': refuse with one line. */
  onMismatch?: 'resize' | 'error';
  /** The image's name (its file) for the error line. */
  name?: string;
}

/** The image at exactly width x height: as it is, resized, or refused (options.onMismatch). */
export function fitImage(image: Image, width: number, height: number, options: FitOptions = {}): Image {
  if (image.width === width && image.height === height) return image;
  if (options.onMismatch === 'error')
    throw new LlmfsError(
      `${options.name ?? 'image'}: is ${image.width}x${image.height}, the model takes ${width}x${height} ` +
        '(resize it, or allow resizing)',
    );
  return resizeImage(image, width, height);
}
