// The readable int8 and int4 quantizers (issue 16's first step): exact codes and scales on cases
// worked by hand, the error bound |w - ŵ| <= scale / 2 on random matrices (with an outlier, which
// per-row and per-group scales confine), nibble packing, zero rows, and one-line errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { LlmfsError } from '../../src/errors.js';
import { dequantizeInt8, quantizeInt8 } from '../../src/quant/int8.js';
import { dequantizeInt4, packNibbles, quantizeInt4, unpackNibbles } from '../../src/quant/int4.js';

const f32 = Math.fround;

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LlmfsError, String(err));
    assert.ok(!err.message.includes('\n'));
    return err.message;
  }
  assert.fail('expected an error');
}

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const w = Float32Array.from({ length: rows * cols }, () => 0.05 * rng.normal());
  w[3] = 1.5; // an outlier in row 0 (and in group 0)
  return w;
}

test('int8: per-row absmax scale and codes, worked by hand', () => {
  // Row 0: max |w| = 2.54, s = 0.02: 2.54 -> 127, -1.27 -> -63.5 -> -63 (round half up: -63), 0.01 -> 0.5 -> 1.
  // Row 1: zeros: scale 0, codes 0.
  const m = quantizeInt8([2.54, -1.27, 0.01, 0, 0, 0], 2, 3);
  assert.equal(m.scales[0], f32(2.54 / 127));
  assert.equal(m.scales[1], 0);
  assert.deepEqual(Array.from(m.q), [
    127,
    Math.round(-1.27 / f32(2.54 / 127)),
    Math.round(0.01 / f32(2.54 / 127)),
    0,
    0,
    0,
  ]);
  const back = dequantizeInt8(m);
  assert.deepEqual(Array.from(back.subarray(3)), [0, 0, 0]);
  assert.ok(Math.abs(back[0] - 2.54) < 1e-6);
});

test('int8: |w - ŵ| <= s_r / 2 everywhere; an outlier costs precision only in its row', () => {
  const [rows, cols] = [8, 64];
  const w = randomMatrix(rows, cols, 1);
  const m = quantizeInt8(w, rows, cols);
  const back = dequantizeInt8(m);
  for (let i = 0; i < w.length; i++) {
    const s = m.scales[Math.floor(i / cols)];
    assert.ok(Math.abs(w[i] - back[i]) <= s / 2 + 1e-7, `element ${i}`);
  }
  assert.ok(m.scales[0] > 5 * m.scales[1], 'row 0 holds the outlier, so its scale is much larger');
  assert.ok(Math.max(...m.q) <= 127 && Math.min(...m.q) >= -127);
});

test('int4: nibbles pack two per byte, low first, and unpack exactly', () => {
  assert.deepEqual(Array.from(packNibbles([1, 2, 15, 0, 7])), [0x21, 0x0f, 0x07]);
  const codes = Array.from({ length: 33 }, (_, i) => (i * 7) % 16);
  assert.deepEqual(Array.from(unpackNibbles(packNibbles(codes), 33)), codes);
});

test('int4 symmetric: codes in [-8, 7] with s = max|w| / 7 per group, worked by hand', () => {
  // One row, groups of 4: [7, -7, 3.5, 0] -> s 1: q [7, -7, 4 (3.5 rounds up), 0]; [0.7, 0, 0, -0.35]
  // -> s 0.1: q [7, 0, 0, -3 (-3.5 rounds up to -3)].
  const m = quantizeInt4([7, -7, 3.5, 0, 0.7, 0, 0, -0.35], 1, 8, { groupSize: 4 });
  assert.deepEqual(Array.from(m.scales), [1, f32(0.7 / 7)]);
  assert.equal(m.zeros, null);
  const q = Array.from(unpackNibbles(m.packed, 8), (c) => c - 8);
  assert.deepEqual(q, [7, -7, 4, 0, 7, 0, 0, Math.round(-0.35 / f32(0.1))]);
  assert.equal(m.packed.length, 4);
});

test('int4 with a zero point: s = (max - min) / 15, z = round(-min / s), worked by hand', () => {
  // [0, 1.5, 3, 1] -> s 0.2, z 0: q = round(w / s) = [0, 7, 15, 5]: the scale is stored as float32,
  // 0.2000000030, so 1.5 / s = 7.4999999 rounds down, not up.
  const m = quantizeInt4([0, 1.5, 3, 1], 1, 4, { groupSize: 4, zeroPoint: true });
  assert.equal(m.scales[0], f32(0.2));
  assert.deepEqual(Array.from(m.zeros!), [0]);
  assert.deepEqual(Array.from(unpackNibbles(m.packed, 4)), [0, 7, 15, 5]);
  // A group on [-1, 2]: s 0.2, z 5.
  const n = quantizeInt4([-1, 2, 0, 0.5], 1, 4, { groupSize: 4, zeroPoint: true });
  assert.deepEqual(Array.from(n.zeros!), [5]);
  const back = dequantizeInt4(n);
  [-1, 2, 0, 0.5].forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= n.scales[0] / 2 + 1e-6));
});

test('int4: |w - ŵ| <= s_g / 2 in both forms; group scales confine an outlier to its group', () => {
  const [rows, cols] = [4, 128];
  const w = randomMatrix(rows, cols, 2);
  for (const zeroPoint of [false, true]) {
    const m = quantizeInt4(w, rows, cols, { zeroPoint });
    const back = dequantizeInt4(m);
    for (let i = 0; i < w.length; i++)
      assert.ok(Math.abs(w[i] - back[i]) <= m.scales[Math.floor(i / 32)] / 2 + 1e-6, `element ${i}`);
    assert.equal(m.scales.length, (rows * cols) / 32);
    assert.ok(m.scales[0] > 5 * m.scales[1], 'group 0 holds the outlier');
  }
});

test('quantizers: bad shapes, groups that do not divide, and non-finite weights are one line', () => {
  assert.match(
    message(() => quantizeInt8([1, 2, 3], 2, 2)),
    /3 values for a \(2, 2\) matrix/,
  );
  assert.match(
    message(() => quantizeInt8([1, NaN], 1, 2)),
    /the weight at \(0, 1\) is NaN/,
  );
  assert.match(
    message(() => quantizeInt4(new Float32Array(48), 1, 48)),
    /a group of 32 does not divide the 48 columns/,
  );
  assert.match(
    message(() => quantizeInt4([1, Infinity], 1, 2, { groupSize: 2 })),
    /\(0, 1\) is Infinity/,
  );
  assert.match(
    message(() => quantizeInt4([], 0, 0)),
    /is not a matrix/,
  );
});
