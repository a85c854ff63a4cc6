// Netpbm PPM reading: P6 (binary) and P3 (ASCII), maxval 1..65535 (two big-endian bytes per
// sample above 255), scaled to 8 bits as round(v * 255 / maxval). Comments (# to end of line)
// may sit anywhere in the header. The format: netpbm.sourceforge.net/doc/ppm.html.

import { LlmfsError } from '../errors.js';
import { type Image, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, scaleSample } from './image.js';

/** True when the bytes start like a PPM ("P3" or "P6" and whitespace). */
export function isPpm(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 3 && bytes[0] === 0x50 && (bytes[1] === 0x33 || bytes[1] === 0x36) && isSpace(bytes[2])
  );
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Reads whitespace-separated decimal numbers, skipping comments; `pos` advances. */
class Tokens {
  pos = 0;
  constructor(
    private bytes: Uint8Array,
    private name: string,
  ) {}

  number(what: string): number {
    const b = this.bytes;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos])) this.pos++;
      if (b[this.pos] !== 0x23) break; // '#'
      while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
    }
    if (this.pos >= b.length) throw new LlmfsError(`${this.name}: truncated PPM (ends before the ${what})`);
    let v = 0;
    const start = this.pos;
    while (this.pos < b.length && b[this.pos] >= 0x30 && b[this.pos] <= 0x39 && this.pos - start < 9)
      v = v * 10 + b[this.pos++] - 0x30;
    if (this.pos === start || (this.pos < b.length && !isSpace(b[this.pos]) && b[this.pos] !== 0x23))
      throw new LlmfsError(`${this.name}: corrupt PPM (the ${what} is not a decimal number)`);
    return v;
  }
}

/** Decodes a P6 or P3 PPM file's bytes to RGB; `name` (the file) starts every error line. */
export function decodePpm(bytes: Uint8Array, name = 'PPM'): Image {
  if (!isPpm(bytes)) throw new LlmfsError(`${name}: not a PPM file (it must start with P6 or P3)`);
  const ascii = bytes[1] === 0x33;
  const t = new Tokens(bytes, name);
  t.pos = 2;
  const width = t.number('width');
  const height = t.number('height');
  const maxval = t.number('maxval');
  if (width < 1 || height < 1 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new LlmfsError(`${name}: PPM size ${width}x${height} is outside 1..${MAX_IMAGE_SIDE} per side`);
  if (width * height > MAX_IMAGE_PIXELS)
    throw new LlmfsError(`${name}: PPM size ${width}x${height} exceeds ${MAX_IMAGE_PIXELS} pixels`);
  if (maxval < 1 || maxval > 65535) throw new LlmfsError(`${name}: PPM maxval ${maxval} is outside 1..65535`);
  const n = width * height * 3;
  const out = new Uint8Array(n);
  if (ascii) {
    for (let i = 0; i < n; i++) {
      const v = t.number(`sample ${i} of ${n}`);
      if (v > maxval)
        throw new LlmfsError(`${name}: corrupt PPM (sample ${i} is ${v}, above maxval ${maxval})`);
      out[i] = scaleSample(v, maxval);
    }
    return { width, height, channels: 3, data: out };
  }
  const start = t.pos + 1; // exactly one whitespace byte after maxval
  const wide = maxval > 255 ? 2 : 1;
  if (bytes.length < start + n * wide)
    throw new LlmfsError(
      `${name}: truncated PPM (${bytes.length - start} bytes of pixels, ${n * wide} expected for ` +
        `${width}x${height})`,
    );
  for (let i = 0; i < n; i++) {
    const v = wide === 2 ? (bytes[start + 2 * i] << 8) | bytes[start + 2 * i + 1] : bytes[start + i];
    if (v > maxval)
      throw new LlmfsError(`${name}: corrupt PPM (sample ${i} is ${v}, above maxval ${maxval})`);
    out[i] = scaleSample(v, maxval);
  }
  return { width, height, channels: 3, data: out };
}
