// PNG in and out through fast-png (a pure-JS codec), converted to and from our 8-bit RGB Image.
// Every colour type is accepted: grayscale (1/2/4/8/16 bits), RGB, palette (with tRNS alpha),
// grayscale+alpha and RGBA; 16-bit samples are scaled to 8 bits (round(v * 255 / 65535)) and
// alpha is composited on white (see overWhite in image.ts). The PNG spec: www.w3.org/TR/png-3/.

import { decode, encode, type DecodedPng } from 'fast-png';
import { LlmfsError } from '../errors.js';
import { type Image, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, checkSize, overWhite, scaleSample } from './image.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Decodes a PNG file's bytes to RGB; `name` (the file) starts every error line. */
export function decodePng(bytes: Uint8Array, name = 'PNG'): Image {
  if (!isPng(bytes)) throw new LlmfsError(`${name}: not a PNG file (the 8-byte PNG signature is missing)`);
  if (bytes.length < 33)
    throw new LlmfsError(`${name}: truncated PNG (${bytes.length} bytes, no full header)`);
  // Check the header's size before the codec allocates anything from it.
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR')
    throw new LlmfsError(`${name}: corrupt PNG (the first chunk is not IHDR)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width < 1 || height < 1 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new LlmfsError(`${name}: PNG size ${width}x${height} is outside 1..${MAX_IMAGE_SIDE} per side`);
  if (width * height > MAX_IMAGE_PIXELS)
    throw new LlmfsError(`${name}: PNG size ${width}x${height} exceeds ${MAX_IMAGE_PIXELS} pixels`);
  // fast-png 8.0.0 unpacks Adam7-interlaced rows only at 8 and 16 bits per sample.
  if (bytes[28] === 1 && bytes[24] < 8)
    throw new LlmfsError(
      `${name}: interlaced PNG with ${bytes[24]}-bit samples is not supported (save it without interlacing)`,
    );
  checkChunks(bytes, name);
  let png: DecodedPng;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (e) {
    if (e instanceof RangeError && /offset|bounds/i.test(e.message))
      throw new LlmfsError(`${name}: truncated PNG (the file ends before its IEND chunk)`);
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new LlmfsError(`${name}: corrupt PNG (${cause.split('\n')[0].replace(/[^\x20-\x7e]/g, '?')})`);
  }
  return toRgb(png, name);
}

/**
 * Walks the chunk list (length, type, data, CRC) so a cut file is named as such before the
 * codec reads past its end: every chunk must fit in the file, and IEND must come.
 */
function checkChunks(bytes: Uint8Array, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; ;) {
    if (at + 8 > bytes.length)
      throw new LlmfsError(
        `${name}: truncated PNG (the file ends at byte ${bytes.length}, before its IEND chunk)`,
      );
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8)).replace(/[^\x20-\x7e]/g, '?');
    if (at + 12 + length > bytes.length)
      throw new LlmfsError(
        `${name}: truncated PNG (chunk ${type} at byte ${at} needs ${length + 12} bytes, ` +
          `${bytes.length - at} remain)`,
      );
    if (type === 'IEND') return;
    at += 12 + length;
  }
}

/** The length fast-png's data must have: packed bytes at 1/2/4 bits, else one entry per sample. */
function expectedLength(png: DecodedPng): number {
  const rowBits = png.width * png.channels * png.depth;
  return png.depth < 8 ? Math.ceil(rowBits / 8) * png.height : png.width * png.height * png.channels;
}

function toRgb(png: DecodedPng, name: string): Image {
  const { width, height, channels, depth } = png;
  checkSize(name, width, height);
  const want = expectedLength(png);
  if (png.data.length !== want)
    throw new LlmfsError(`${name}: truncated PNG image data (${png.data.length} samples, ${want} expected)`);
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const palette = png.palette;
  const maxval = (1 << depth) - 1;
  // A sample of pixel p, channel c, unpacking 1/2/4-bit rows (each row starts on a byte).
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const sample = (p: number, c: number): number => {
    if (depth >= 8) return png.data[p * channels + c];
    const y = Math.floor(p / width);
    const bit = ((p - y * width) * channels + c) * depth;
    const byte = png.data[y * rowBytes + (bit >> 3)];
    return (byte >> (8 - depth - (bit & 7))) & maxval;
  };
  // tRNS on grayscale/RGB names one colour (in the file's own scale) that is fully transparent.
  const key = png.transparency;
  for (let p = 0; p < n; p++) {
    let r: number, g: number, b: number;
    let a = 1;
    if (palette) {
      const entry = palette[sample(p, 0)];
      if (entry === undefined)
        throw new LlmfsError(
          `${name}: corrupt PNG (palette index ${sample(p, 0)} past its ${palette.length} colours)`,
        );
      [r, g, b] = entry;
      if (entry.length === 4) a = entry[3] / 255;
    } else if (channels <= 2) {
      const v = sample(p, 0);
      if (key && key.length === 1 && v === key[0]) a = 0;
      r = g = b = scaleSample(v, maxval);
      if (channels === 2) a = sample(p, 1) / maxval;
    } else {
      const [R, G, B] = [sample(p, 0), sample(p, 1), sample(p, 2)];
      if (key && key.length === 3 && R === key[0] && G === key[1] && B === key[2]) a = 0;
      [r, g, b] = [scaleSample(R, maxval), scaleSample(G, maxval), scaleSample(B, maxval)];
      if (channels === 4) a = sample(p, 3) / maxval;
    }
    if (a < 1) [r, g, b] = [overWhite(r, a), overWhite(g, a), overWhite(b, a)];
    out[3 * p] = r;
    out[3 * p + 1] = g;
    out[3 * p + 2] = b;
  }
  return { width, height, channels: 3, data: out };
}

/** Encodes an RGB image as an 8-bit truecolour PNG. */
export function encodePng(image: Image): Uint8Array {
  checkSize('encodePng', image.width, image.height);
  if (image.data.length !== image.width * image.height * 3)
    throw new LlmfsError(
      `encodePng: ${image.data.length} bytes do not fit ${image.width}x${image.height} RGB ` +
        `(${image.width * image.height * 3} needed)`,
    );
  return encode({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8 });
}
