// An image as the vision code sees it: 8-bit RGB, row-major, interleaved (H, W, 3). Every reader
// (PNG, PPM) converts to this one form, so the rest of the code has a single case to handle.

import { LlmfsError } from '../errors.js';

export interface Image {
  width: number;
  height: number;
  /** Always 3: red, green, blue. Grayscale and alpha are converted on reading. */
  channels: 3;
  /** width * height * 3 bytes; pixel (x, y) starts at 3 * (y * width + x). */
  data: Uint8Array;
}

/** The largest side, and area, any reader accepts (guards against hostile headers). */
export const MAX_IMAGE_SIDE = 16384;
export const MAX_IMAGE_PIXELS = 1 << 26;

/** A new image filled with one colour (white by default). */
export function makeImage(width: number, height: number, fill: readonly number[] = [255, 255, 255]): Image {
  checkSize('image', width, height);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(fill, i);
  return { width, height, channels: 3, data };
}

/** Throws one line unless width and height are in 1..MAX_IMAGE_SIDE, their product <= MAX_IMAGE_PIXELS. */
export function checkSize(what: string, width: number, height: number): void {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > MAX_IMAGE_SIDE)
      throw new LlmfsError(`${what}: ${name} ${v} is not a whole number in 1..${MAX_IMAGE_SIDE}`);
  if (width * height > MAX_IMAGE_PIXELS)
    throw new LlmfsError(`${what}: ${width}x${height} exceeds ${MAX_IMAGE_PIXELS} pixels`);
}

/** The RGB triple at (x, y). */
export function getPixel(image: Image, x: number, y: number): [number, number, number] {
  const i = 3 * (y * image.width + x);
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

/** Rounds half up and clamps to 0..255 (the one rounding rule every conversion here uses). */
export function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
}

/** A sample scaled from 0..maxval to 0..255: round(v * 255 / maxval). */
export function scaleSample(v: number, maxval: number): number {
  return maxval === 255 ? v : toByte((v * 255) / maxval);
}

/**
 * Alpha compositing on a white background, the documented conversion for images with alpha:
 * out = c * a + 255 * (1 - a), with c in 0..255 and a in 0..1 (a = alpha / maxval). Learners' PNG
 * exports usually have a transparent background, and white is what a viewer shows behind it.
 */
export function overWhite(c: number, a: number): number {
  return toByte(c * a + 255 * (1 - a));
}
