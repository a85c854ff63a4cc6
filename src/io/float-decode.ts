// Little-endian raw bytes -> Float32Array for the float dtypes of safetensors: F32, F64, F16
// (IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits) and BF16 (the top 16 bits of a
// float32: 1 sign, 8 exponent, 7 mantissa bits). float32 is exact for F16 and BF16; F64 rounds.

import { LlmfsError } from '../errors.js';

/** True on little-endian hosts, where the file's bytes can be viewed as floats directly. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** binary16 -> number: (-1)^s * 2^(e-15) * 1.m, subnormals 2^-14 * 0.m, e=31 is inf/NaN. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let halfTable: Float32Array | null = null;

/** All 65536 binary16 values, built once (256 KB): decoding is then one lookup per element. */
function halfLookup(): Float32Array {
  if (halfTable === null) {
    halfTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) halfTable[b] = halfToFloat(b);
  }
  return halfTable;
}

/**
 * Decodes `raw` (exactly numel * itemsize bytes) as float32. F32 returns a view sharing `raw`'s
 * memory when the host is little-endian and the bytes are 4-byte aligned; everything else copies.
 */
export function decodeFloats(dtype: string, raw: Uint8Array, what: string): Float32Array {
  const le = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32': {
      const n = raw.byteLength / 4;
      if (HOST_IS_LITTLE_ENDIAN && raw.byteOffset % 4 === 0)
        return new Float32Array(raw.buffer, raw.byteOffset, n);
      if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(raw.slice().buffer, 0, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = le.getFloat32(4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(raw.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = le.getFloat64(8 * i, true);
      return out;
    }
    case 'F16': {
      const table = halfLookup();
      const out = new Float32Array(raw.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = table[raw[2 * i] | (raw[2 * i + 1] << 8)];
      return out;
    }
    case 'BF16': {
      // A bfloat16 is a float32 with the low 16 mantissa bits cut off: shift them back in.
      const out = new Float32Array(raw.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = ((raw[2 * i] | (raw[2 * i + 1] << 8)) << 16) >>> 0;
      return out;
    }
    default:
      throw new LlmfsError(
        `${what}: dtype ${dtype} cannot be read as floats (supported: F32, F16, BF16, F64)`,
      );
  }
}

/** The little-endian F32 bytes of `data` (a view of it when the host is little-endian). */
export function encodeFloat32(data: Float32Array | Float64Array): Uint8Array {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  const out = new Uint8Array(f32.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f32.length; i++) view.setFloat32(4 * i, f32[i], true);
  return out;
}
