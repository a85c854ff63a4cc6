// The number formats ggml stores tensors in, as GGUF files carry them (ggml docs/gguf.md;
// llama.cpp ggml-quants.c for the block layouts). Encoders and decoders, written as plain loops.
//   F16:  IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits), round to nearest, ties to even.
//   Q8_0: blocks of 32 values -> one fp16 scale d and 32 int8 codes q; x ≈ d·q, d = max|x| / 127.
//   Q4_0: blocks of 32 values -> one fp16 scale d and 32 4-bit codes; x ≈ d·(c − 8), where
//         d = m / −8 for m the value of largest magnitude (so m itself is exactly code 0), and the
//         codes packed two per byte: element j in the low nibble of byte j, element j+16 in the high.

import { LlmfsError } from '../../errors.js';

/** Values per Q8_0 / Q4_0 block. */
export const QK = 32;
/** Bytes per block: fp16 scale + 32 int8 codes; fp16 scale + 16 bytes of nibbles. */
export const Q8_0_BLOCK_BYTES = 2 + QK;
export const Q4_0_BLOCK_BYTES = 2 + QK / 2;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> binary16 bits, round to nearest even; overflow -> ±Inf, NaN stays NaN. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff; // biased by 127
  let mant = b & 0x7fffff; // 23 fraction bits
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf, or a quiet NaN
  const e = exp - 127 + 15; // the exponent biased for binary16
  if (e >= 0x1f) return sign | 0x7c00; // too large: Inf
  if (e <= 0) {
    // Subnormal in binary16 (value = m · 2^-24): shift the full 24-bit significand right.
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    mant |= 0x800000; // the implicit leading 1
    const shift = 14 - e; // 24-bit significand -> 10-bit subnormal fraction
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m++; // a carry into the exponent is right
    return sign | m;
  }
  // Normal: keep 10 of 23 fraction bits; round on the 13 dropped bits. A carry out of the fraction
  // increments the exponent, and from the largest finite value gives Inf: both are correct.
  const rest = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/** binary16 bits -> the number: (−1)^s · 2^(e−15) · (1 + f/1024), or 2^−14 · f/1024 if e = 0. */
export function f16BitsToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 0x1f) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The nearest binary16 value to x, as a number. */
export const f16Round = (x: number): number => f16BitsToF32(f32ToF16Bits(x));

/** n values -> 2n bytes of little-endian binary16. */
export function encodeF16(x: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(2 * x.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) view.setUint16(2 * i, f32ToF16Bits(x[i]), true);
  return out;
}

export function decodeF16(bytes: Uint8Array, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f16BitsToF32(view.getUint16(2 * i, true));
  return out;
}

function checkBlocks(n: number, what: string): number {
  if (n % QK !== 0) throw new LlmfsError(`${what}: ${n} values are not a whole number of ${QK}-value blocks`);
  return n / QK;
}

/**
 * A block scale as fp16 bits, rounded away from zero when rounding to nearest would make
 * |d|·steps < amax (then the largest value would need a code past the end and be clamped). This
 * matters for tiny blocks, whose scales are fp16 subnormals with few significant bits.
 */
function scaleBits(d: number, amax: number, steps: number): number {
  const bits = f32ToF16Bits(d);
  return Math.abs(f16BitsToF32(bits)) * steps < amax ? bits + 1 : bits; // +1 ulp in magnitude
}

/**
 * Q8_0. The scale is rounded to fp16 (up, if needed, by scaleBits) before dividing by it, so every
 * value decodes within half the stored scale: |x − d·q| ≤ d/2. (llama.cpp's reference divides by
 * the unrounded scale; the decoding, which is all the format fixes, is the same.)
 */
export function quantizeQ8_0(x: ArrayLike<number>): Uint8Array {
  const nb = checkBlocks(x.length, 'Q8_0');
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[b * QK + j]));
    const dBits = scaleBits(amax / 127, amax, 127);
    const d = f16BitsToF32(dBits);
    view.setUint16(o, dBits, true);
    for (let j = 0; j < QK; j++) {
      const q = d === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x[b * QK + j] / d)));
      view.setInt8(o + 2 + j, q);
    }
  }
  return out;
}

/** Q8_0 bytes -> n values: x = d·q per block. */
export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n, 'Q8_0');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let b = 0; b < nb; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    const d = f16BitsToF32(view.getUint16(o, true));
    for (let j = 0; j < QK; j++) out[b * QK + j] = d * view.getInt8(o + 2 + j);
  }
  return out;
}

/**
 * Q4_0. Codes c = round(x/d) + 8 in [0, 15]; the value of largest magnitude m gets c = 0 exactly.
 * A value of the opposite sign and nearly the same size would want c = 16 and is clamped to 15,
 * so the bound is |x − d·(c−8)| ≤ |d|/2 except there, where it is ≤ |d|.
 */
export function quantizeQ4_0(x: ArrayLike<number>): Uint8Array {
  const nb = checkBlocks(x.length, 'Q4_0');
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    let m = 0; // the value (with its sign) of largest magnitude
    for (let j = 0; j < QK; j++) if (Math.abs(x[b * QK + j]) > Math.abs(m)) m = x[b * QK + j];
    const dBits = scaleBits(m / -8, Math.abs(m), 8);
    const d = f16BitsToF32(dBits);
    view.setUint16(o, dBits, true);
    const code = (j: number): number =>
      d === 0 ? 8 : Math.max(0, Math.min(15, Math.floor(x[b * QK + j] / d + 8.5)));
    for (let j = 0; j < QK / 2; j++) out[o + 2 + j] = code(j) | (code(j + QK / 2) << 4);
  }
  return out;
}

/** Q4_0 bytes -> n values: x = d·(c − 8), c from the nibbles as quantizeQ4_0 packs them. */
export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n, 'Q4_0');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    const d = f16BitsToF32(view.getUint16(o, true));
    for (let j = 0; j < QK / 2; j++) {
      const byte = bytes[o + 2 + j];
      out[b * QK + j] = d * ((byte & 0x0f) - 8);
      out[b * QK + j + QK / 2] = d * ((byte >>> 4) - 8);
    }
  }
  return out;
}
