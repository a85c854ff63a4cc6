// Image files on disk (Node): readImageFile picks the decoder by the file's magic bytes (PNG or
// PPM; any other format gets one line naming it), writeImageFile writes a PNG atomically, and
// readModelImage reads a file straight into a model's input tensor.

import { readFileSync } from 'node:fs';
import { LlmfsError } from '../errors.js';
import type { Image } from '../vision/image.js';
import { decodePng, encodePng, isPng } from '../vision/png.js';
import { decodePpm, isPpm } from '../vision/ppm.js';
import { type ImageForModelOptions, type ModelImageConfig, imageForModel } from '../vision/input.js';
import type { Tensor } from '../tensor/tensor.js';
import { atomicWriteFile, fsReason } from './atomic-write.js';

/** Formats we recognise but do not read, by their first bytes, so the error can name them. */
const OTHER_FORMATS: { name: string; magic: number[] }[] = [
  { name: 'JPEG', magic: [0xff, 0xd8, 0xff] },
  { name: 'GIF', magic: [0x47, 0x49, 0x46, 0x38] },
  { name: 'BMP', magic: [0x42, 0x4d] },
  { name: 'TIFF', magic: [0x49, 0x49, 0x2a, 0x00] },
  { name: 'TIFF', magic: [0x4d, 0x4d, 0x00, 0x2a] },
  { name: 'WebP (RIFF)', magic: [0x52, 0x49, 0x46, 0x46] },
  { name: 'PGM', magic: [0x50, 0x35] },
  { name: 'PBM', magic: [0x50, 0x34] },
  { name: 'PGM (ASCII)', magic: [0x50, 0x32] },
  { name: 'PBM (ASCII)', magic: [0x50, 0x31] },
];

/** The image in `bytes`, decoded by its magic bytes; `name` starts every error line. */
export function decodeImageBytes(bytes: Uint8Array, name: string): Image {
  if (isPng(bytes)) return decodePng(bytes, name);
  if (isPpm(bytes)) return decodePpm(bytes, name);
  const other = OTHER_FORMATS.find((f) => f.magic.every((b, i) => bytes[i] === b));
  if (other)
    throw new LlmfsError(
      `${name}: is a ${other.name} image; only PNG and PPM (P3/P6) are read (convert it to PNG)`,
    );
  if (bytes.length === 0) throw new LlmfsError(`${name}: is empty, not an image`);
  throw new LlmfsError(`${name}: unknown image format (not PNG or PPM by its first bytes)`);
}

/** Reads a PNG or PPM file as 8-bit RGB. */
export function readImageFile(path: string): Image {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new LlmfsError(`${path}: cannot read image (${fsReason(err)})`);
  }
  return decodeImageBytes(bytes, path);
}

/** Writes the image as a PNG, atomically (a reader never sees half a file). */
export function writeImageFile(path: string, image: Image): void {
  atomicWriteFile(path, encodePng(image));
}

/**
 * A model's input from an image file: read (PNG or PPM; others named and refused), then
 * imageForModel (vision/input.ts): RGB, resized or refused by size, normalised; (1, 3, S, S).
 */
export function readModelImage(
  path: string,
  cfg: ModelImageConfig,
  options: ImageForModelOptions = {},
): Tensor {
  return imageForModel(readImageFile(path), cfg, { name: path, ...options });
}
