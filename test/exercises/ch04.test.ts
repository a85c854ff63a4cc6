// Chapter 4 exercises: each stub fails as "not written yet", each reference solution passes, and
// planted mistakes (an off-by-one mask, a missing 1/sqrt(hs), a reshape without the transpose)
// are rejected with a message that names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, causalMask as libCausalMask } from '../../src/index.js';
import { runExercise } from '../../src/exercises/run.js';
import { findExercise } from '../../src/exercises/catalog.js';
import type { LearnerFn } from '../../src/exercises/spec.js';

const spec = (id: string) => {
  const s = findExercise(id);
  assert.ok(s, `exercise ${id} is in the catalog`);
  return s;
};
const check = (id: string, fn: unknown) => runExercise(spec(id), fn as LearnerFn);

const EXERCISES: [id: string, file: string, exportName: string][] = [
  ['causal-mask', '04-causal-mask', 'causalMask'],
  ['attention-head', '04-attention-head', 'attentionHead'],
  ['split-heads', '04-split-heads', 'splitHeads'],
  ['merge-heads', '04-merge-heads', 'mergeHeads'],
  ['scaled-dot-product-attention', '04-scaled-dot-product-attention', 'scaledDotProductAttention'],
];

for (const [id, file, name] of EXERCISES) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message!, /not written .* yet/);
  });

  test(`${id}: the reference solution passes every check`, async () => {
    const sol = (await import(`../../exercises/solutions/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.ok(r.passed, JSON.stringify(r.checks, null, 1));
    assert.ok(r.checks.some((c) => c.kind === 'integration' || c.kind === 'gradcheck'));
  });
}

const maskWith = (allowed: (i: number, j: number, off: number) => boolean) => (Tq: number, Tk: number) => {
  const m = new Float32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) m[i * Tk + j] = allowed(i, j, Tk - Tq) ? 1 : 0;
  return new Tensor(m, [Tq, Tk]);
};

test('causal-mask: a mask that blocks the diagonal is rejected as off by one', () => {
  const r = check(
    'causal-mask',
    maskWith((i, j, off) => j < i + off),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /diagonal is blocked.*off by one/);
});

test('causal-mask: a mask that lets a query see the next position is rejected as a leak', () => {
  const r = check(
    'causal-mask',
    maskWith((i, j, off) => j <= i + off + 1),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /next position.*future leaks/);
});

test('causal-mask: a plain lower triangle that ignores the cache offset is rejected', () => {
  const r = check(
    'causal-mask',
    maskWith((i, j) => j <= i),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /Tk - Tq \+ i/);
});

test('causal-mask: a correct mask written with tensor ops instead of loops passes', () => {
  const r = check('causal-mask', (Tq: number, Tk: number) => {
    // ones where column j <= row i + (Tk - Tq): compare an index grid
    const rows = new Tensor(
      Float32Array.from({ length: Tq }, (_, i) => i + Tk - Tq),
      [Tq, 1],
    );
    const cols = new Tensor(
      Float32Array.from({ length: Tk }, (_, j) => j),
      [1, Tk],
    );
    return cols.sub(rows).relu().minimum(1).neg().add(1); // 1 where j - pos <= 0
  });
  assert.ok(r.passed, r.message);
});

test('attention-head: forgetting the 1/sqrt(hs) scale is rejected with a message about the scale', () => {
  const r = check('attention-head', (q: Tensor, k: Tensor, v: Tensor) => {
    const T = q.shape[1];
    const s = q.matmul(k.transpose(-2, -1)); // no scale
    return s.maskedFill(libCausalMask(T).neg().add(1), -Infinity).softmax(-1).matmul(v);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /scale 1\/sqrt\(hs\)/);
});

test('attention-head: a head written with loops over rows agrees on every case', () => {
  const r = check('attention-head', (q: Tensor, k: Tensor, v: Tensor) => {
    const [B, T, hs] = q.shape;
    const out = new Float32Array(B * T * hs);
    const [Q, K, V] = [q.data, k.data, v.data];
    for (let b = 0; b < B; b++)
      for (let i = 0; i < T; i++) {
        const s: number[] = [];
        for (let j = 0; j <= i; j++) {
          let d = 0;
          for (let c = 0; c < hs; c++) d += Q[(b * T + i) * hs + c]! * K[(b * T + j) * hs + c]!;
          s.push(d / Math.sqrt(hs));
        }
        const m = Math.max(...s);
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let j = 0; j <= i; j++)
          for (let c = 0; c < hs; c++) out[(b * T + i) * hs + c] += (e[j]! / z) * V[(b * T + j) * hs + c]!;
      }
    return new Tensor(out, [B, T, hs]);
  });
  // The values agree; the finite-difference step fails since loops over .data carry no gradient.
  assert.ok(
    r.checks.filter((c) => c.kind === 'case').every((c) => c.passed),
    r.message,
  );
});

test('split-heads: reshaping straight to (B, nh, T, hs) without the transpose is rejected', () => {
  const r = check('split-heads', (x: Tensor, n: number) => {
    const [B, T, C] = x.shape;
    return x.reshape(B, n, T, C / n);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /wrong place.*swap axes 1 and 2/);
});

test('merge-heads: a plain reshape without moving time back is rejected', () => {
  const r = check('merge-heads', (x: Tensor) => {
    const [B, n, T, hs] = x.shape;
    return x.reshape(B, T, n * hs);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /wrong place/);
});

test('scaled-dot-product-attention: a (Tq, Tq) triangle with a KV cache is rejected', () => {
  const r = check('scaled-dot-product-attention', (q: Tensor, k: Tensor, v: Tensor, causal: boolean) => {
    const [, , Tq, hs] = q.shape;
    const Tk = k.shape[2]!;
    let s = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hs!));
    if (causal) {
      const m = new Float32Array(Tq! * Tk);
      for (let i = 0; i < Tq!; i++) for (let j = 0; j < Tk; j++) m[i * Tk + j] = j > i ? 1 : 0;
      s = s.maskedFill(new Tensor(m, [Tq!, Tk]), -Infinity);
    }
    return s.softmax(-1).matmul(v);
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /cached: 2 queries.*causalMask\(Tq, Tk\)/);
});
