// ggml's number formats as GGUF stores them (io/gguf/ggml-quants.ts): float16 conversions equal
// NumPy's (test/fixtures/gguf/f16.json, made by scripts/make-gguf-f16-fixture.py), and Q8_0 /
// Q4_0 blocks have llama.cpp's byte layout and decode within half a scale step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeF16,
  dequantizeQ4_0,
  dequantizeQ8_0,
  encodeF16,
  f16BitsToF32,
  f32ToF16Bits,
  quantizeQ4_0,
  quantizeQ8_0,
} from '../../src/io/gguf/ggml-quants.js';
import { LlmfsError } from '../../src/errors.js';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'gguf', 'f16.json'), 'utf8'),
) as { encode: [number, number][]; decode: [number, number][] };

const bitsToF32 = (u: number): number => new Float32Array(new Uint32Array([u]).buffer)[0];
const f32ToBits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

test('f16: float32 -> float16 rounds exactly as NumPy (ties to even, subnormals, overflow to inf)', () => {
  let checked = 0;
  for (const [x, h] of fixture.encode) {
    const got = f32ToF16Bits(bitsToF32(x));
    assert.equal(
      got,
      h,
      `0x${x.toString(16)} (${bitsToF32(x)}) -> 0x${got.toString(16)}, NumPy 0x${h.toString(16)}`,
    );
    checked++;
  }
  assert.ok(checked > 1500);
});

test('f16: float16 -> float32 equals NumPy for finite bit patterns, normal and subnormal', () => {
  for (const [h, x] of fixture.decode) assert.equal(f32ToBits(f16BitsToF32(h)), x, `0x${h.toString(16)}`);
});

test('f16: every float16 survives decode -> encode, NaN stays NaN', () => {
  for (let h = 0; h < 0x10000; h++) {
    const x = f16BitsToF32(h);
    if (Number.isNaN(x)) assert.ok(Number.isNaN(f16BitsToF32(f32ToF16Bits(x))));
    else assert.equal(f32ToF16Bits(x), h);
  }
  const bytes = encodeF16([1, -2, 0.5]);
  assert.deepEqual([...bytes], [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38], 'little-endian 0x3c00, 0xc000, 0x3800');
  assert.deepEqual([...decodeF16(bytes, 3)], [1, -2, 0.5]);
});

test('q8_0: a block is the fp16 scale then 32 int8 codes, the largest magnitude coded ±127', () => {
  const x = Array.from({ length: 32 }, (_, j) => (j - 16) / 16);
  x[0] = 127 / 16; // max |x|: d = 1/16 exactly, so every code is exact
  const b = quantizeQ8_0(x);
  assert.equal(b.length, 34);
  assert.equal(b[0] | (b[1] << 8), 0x2c00, 'd = 0.0625 as float16');
  const codes = [...new Int8Array(b.buffer, 2, 32)];
  assert.deepEqual(codes, [127, ...Array.from({ length: 31 }, (_, j) => j + 1 - 16)]);
  assert.deepEqual([...dequantizeQ8_0(b, 32)], x);
});

test("q4_0: codes are x/d + 8 with d = m/−8, element j in byte j's low nibble and j+16 in its high", () => {
  // m = 8 (largest magnitude) gives d = −1, so x = −(c − 8), c = 8 − x: choose x to make c known.
  const x = [
    ...Array.from({ length: 16 }, (_, j) => 8 - j), // codes 0..15
    ...Array.from({ length: 16 }, (_, j) => 8 - (15 - j)), // codes 15..0
  ];
  const b = quantizeQ4_0(x);
  assert.equal(b.length, 18);
  assert.equal(b[0] | (b[1] << 8), 0xbc00, 'd = −1 as float16');
  for (let j = 0; j < 16; j++) assert.equal(b[2 + j], j | ((15 - j) << 4), `byte ${j}`);
  assert.deepEqual(
    [...dequantizeQ4_0(b, 32)].map((v) => v || 0),
    x,
    '(−1)·0 is −0: compared as 0',
  );
});

/** Deterministic test data: blocks of very different scales, a zero block, an outlier. */
function data(n: number, seed: number): Float32Array {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rand() * 10 ** Math.floor(((i / 32) % 7) - 4);
  x.fill(0, 64, 96);
  x[200] = 1e3;
  return x;
}

const scaleOf = (b: Uint8Array, off: number): number => Math.abs(f16BitsToF32(b[off] | (b[off + 1] << 8)));

test('q8_0: every value decodes within half its block scale, on blocks of every size', () => {
  const x = data(32 * 40, 3);
  const b = quantizeQ8_0(x);
  const y = dequantizeQ8_0(b, x.length);
  for (let i = 0; i < x.length; i++) {
    const d = scaleOf(b, Math.floor(i / 32) * 34);
    assert.ok(
      Math.abs(x[i] - y[i]) <= d / 2 + 1e-12 * Math.abs(x[i]),
      `x[${i}] = ${x[i]}, got ${y[i]}, d ${d}`,
    );
  }
  assert.deepEqual([...y.subarray(64, 96)], new Array(32).fill(0), 'a zero block stays zero');
});

test('q4_0: values decode within half a step; only a value clamped at code 15 may be a whole step off', () => {
  const x = data(32 * 40, 5);
  const b = quantizeQ4_0(x);
  const y = dequantizeQ4_0(b, x.length);
  for (let i = 0; i < x.length; i++) {
    const d = scaleOf(b, Math.floor(i / 32) * 18);
    const clamped = x[i] / -d > 7.5 || x[i] / d > 7.5; // wants code 16, gets 15
    const bound = clamped ? d : d / 2;
    assert.ok(Math.abs(x[i] - y[i]) <= bound * (1 + 1e-6), `x[${i}] = ${x[i]}, got ${y[i]}, d ${d}`);
  }
});

test('q8_0 / q4_0 refuse a length that is not whole 32-value blocks', () => {
  assert.throws(() => quantizeQ8_0(new Float32Array(33)), LlmfsError);
  assert.throws(() => quantizeQ4_0(new Float32Array(48)), /not a whole number of 32-value blocks/);
});
