// Chapter 13's exercises (quantization): each stub fails as "not written yet", each reference
// solution passes (with its integration step: a trained tiny GPT quantized with it scores as with
// the library's), and planted mistakes are rejected with a message naming them: max / 128, one
// scale for the whole matrix, truncation, NaN for a row of zeros; swapped nibbles, codes without
// the + 8, max / 8; pruning by signed value, per matrix, or floor(s·n).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter13 } from '../../src/exercises/catalog/ch13.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { quantizeInt8 as sol8 } from '../../exercises/solutions/13-quantize-int8.js';
import { quantizeInt4 as sol4 } from '../../exercises/solutions/13-quantize-int4.js';
import { smallestMask as solMask } from '../../exercises/solutions/13-magnitude-mask.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter13.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['quantize-int8', 'quantizeInt8'],
  ['quantize-int4', 'quantizeInt4'],
  ['magnitude-mask', 'smallestMask'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/13-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/13-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 5);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

type W = ArrayLike<number>;
/** The int8 solution with its scale rule changed. */
const int8With =
  (scaleOf: (w: W, r: number, rows: number, cols: number) => number, round = Math.round) =>
  (w: W, rows: number, cols: number) => {
    const out = sol8(w, rows, cols);
    for (let r = 0; r < rows; r++) {
      const s = Math.fround(scaleOf(w, r, rows, cols));
      out.scales[r] = s;
      for (let j = 0; j < cols; j++)
        out.q[r * cols + j] = s === 0 ? 0 : Math.max(-127, Math.min(127, round(w[r * cols + j] / s)));
    }
    return out;
  };
const rowMax = (w: W, r: number, _rows: number, cols: number) =>
  Math.max(...Array.from({ length: cols }, (_, j) => Math.abs(w[r * cols + j])));

test('quantize-int8: max / 128 is named', () => {
  const r = check(
    'quantize-int8',
    int8With((w, r, rows, cols) => rowMax(w, r, rows, cols) / 128),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /max \/ 128/);
});

test('quantize-int8: one scale for the whole matrix is named', () => {
  const r = check(
    'quantize-int8',
    int8With(
      (w, _r, rows, cols) => Math.max(...Array.from({ length: rows * cols }, (_, i) => Math.abs(w[i]))) / 127,
    ),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /one scale for the whole matrix/);
});

test('quantize-int8: truncation instead of rounding is named', () => {
  const r = check(
    'quantize-int8',
    int8With((w, r, rows, cols) => rowMax(w, r, rows, cols) / 127, Math.trunc),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /truncated toward 0/);
});

test('quantize-int8: a row of zeros divided 0 / 0 is named', () => {
  const r = check('quantize-int8', (w: W, rows: number, cols: number) => {
    const out = sol8(w, rows, cols);
    for (let r = 0; r < rows; r++) if (out.scales[r] === 0) out.scales[r] = NaN;
    return out;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /NaN or infinite: a row of zeros has scale 0/);
});

test('quantize-int4: swapped nibbles are named', () => {
  const r = check('quantize-int4', (w: W, rows: number, cols: number, o?: object) => {
    const out = sol4(w, rows, cols, o);
    out.packed = out.packed.map((b) => ((b & 15) << 4) | (b >> 4));
    return out;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /nibbles are swapped/);
});

test('quantize-int4: codes stored without the + 8 are named', () => {
  const r = check('quantize-int4', (w: W, rows: number, cols: number, o?: { zeroPoint?: boolean }) => {
    const out = sol4(w, rows, cols, o);
    if (!o?.zeroPoint)
      out.packed = out.packed.map((b) => (((b & 15) + 8) & 15) | ((((b >> 4) + 8) & 15) << 4));
    return out;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /the codes are q, not q \+ 8/);
});

test('quantize-int4: a solution written differently (codes first, then packing) passes', () => {
  const r = check(
    'quantize-int4',
    (w: W, rows: number, cols: number, o: { groupSize?: number; zeroPoint?: boolean } = {}) => {
      const ref = sol4(w, rows, cols, o);
      const codes: number[] = [];
      for (let i = 0; i < rows * cols; i++) codes.push((ref.packed[i >> 1] >> ((i & 1) * 4)) & 15);
      const packed = new Uint8Array(codes.length / 2);
      for (let i = 0; i < codes.length; i += 2) packed[i / 2] = codes[i] + 16 * codes[i + 1];
      return { ...ref, packed };
    },
  );
  assert.equal(r.passed, true, r.message);
});

/** The mask solution with its ranking or count changed. */
const maskWith =
  (key: (v: number) => number, count: (x: number) => number, perArray = false) =>
  (arrays: Float32Array[], s: number) => {
    const groups = perArray ? arrays.map((_, a) => [a]) : [arrays.map((_, a) => a)];
    const masks = arrays.map((x) => new Uint8Array(x.length).fill(1));
    for (const g of groups) {
      const all = g.flatMap((a) => Array.from(arrays[a], (v, i) => ({ k: key(v), a, i })));
      all.sort((p, q) => p.k - q.k || p.a - q.a || p.i - q.i);
      for (const { a, i } of all.slice(0, count(s * all.length))) masks[a][i] = 0;
    }
    return masks;
  };

test('magnitude-mask: pruning by signed value (most negative first) is named', () => {
  const r = check(
    'magnitude-mask',
    maskWith((v) => v, Math.round),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /rank by magnitude \|w\|, not by w/);
});

test('magnitude-mask: one threshold per matrix instead of one over all is named', () => {
  const r = check('magnitude-mask', maskWith(Math.abs, Math.round, true));
  assert.equal(r.passed, false);
  assert.match(r.message!, /one threshold over all the matrices together/);
});

test('magnitude-mask: floor(s·n) instead of round(s·n) is named', () => {
  const r = check('magnitude-mask', maskWith(Math.abs, Math.floor));
  assert.equal(r.passed, false);
  assert.match(r.message!, /not floor\(s · n\)/);
});

test('magnitude-mask: the library reference and the sort-based solution agree', () => {
  const r = check('magnitude-mask', solMask);
  assert.equal(r.passed, true, r.message);
});
