// Chapter 3's exercises: each stub is reported as not written yet, each reference solution passes,
// planted mistakes are rejected with a message that names them, and solutions written
// differently (a one-hot matmul, loops) pass too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findExercise } from '../../src/exercises/catalog.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { Tensor, cat, zeros } from '../../src/tensor/index.js';

function check(id: string, fn: unknown) {
  const spec = findExercise(id);
  assert.ok(spec, `exercise ${id} is in the catalog`);
  return runExercise(spec, fn as LearnerFn);
}

const IDS = [
  ['embedding-backward', 'embeddingBackward'],
  ['sinusoidal-table', 'sinusoidalTable'],
  ['rope', 'rope'],
] as const;

for (const [id, name] of IDS) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/03-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message ?? '', /not written .* yet/);
  });

  test(`${id}: the reference solution passes every check`, async () => {
    const sol = (await import(`../../exercises/solutions/03-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.ok(r.passed, JSON.stringify(r.checks.filter((c) => !c.passed)));
    assert.ok(r.checks.some((c) => c.kind === 'integration'));
  });
}

test('positions exercises carry a compare note (researcher path)', () => {
  for (const id of ['sinusoidal-table', 'rope']) {
    const spec = findExercise(id)!;
    assert.ok(spec.topics.includes('positions'));
    assert.ok((spec.compare ?? '').length > 40, id);
  }
});

test('embedding-backward: assignment instead of += for a repeated id is named', () => {
  const r = check('embedding-backward', (g: Tensor, ids: Int32Array, V: number) => {
    const C = g.shape[1]!;
    const dW = zeros([V, C]);
    for (let n = 0; n < ids.length; n++)
      for (let c = 0; c < C; c++) dW.data[ids[n]! * C + c] = g.data[n * C + c]!; // = where += belongs
    return dW;
  });
  assert.equal(r.passed, false);
  assert.equal(r.checks.find((c) => !c.passed)?.name, 'a repeated id (1 four times)');
  assert.match(r.message ?? '', /assigned \(=\) where the rows must add \(\+=\)/);
});

test('embedding-backward: a one-hot matrix product, onehotᵀ · grad, passes', () => {
  const r = check('embedding-backward', (g: Tensor, ids: Int32Array, V: number) => {
    const onehot = zeros([ids.length, V]); // (N, V)
    ids.forEach((v, n) => (onehot.data[n * V + v] = 1));
    return onehot.transpose(0, 1).matmul(g); // (V, N) @ (N, C) -> (V, C)
  });
  assert.ok(r.passed, r.message);
});

test('sinusoidal-table: sines and cosines in two halves (tensor2tensor layout) is named', () => {
  const r = check('sinusoidal-table', (maxLen: number, d: number, base = 10000) => {
    const out = new Float32Array(maxLen * d);
    for (let pos = 0; pos < maxLen; pos++)
      for (let i = 0; i < d / 2; i++) {
        const a = pos / Math.pow(base, (2 * i) / d);
        out[pos * d + i] = Math.sin(a);
        out[pos * d + d / 2 + i] = Math.cos(a);
      }
    return new Tensor(out, [maxLen, d]);
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /first half .* interleaves/);
});

test('sinusoidal-table: sin and cos swapped is named', () => {
  const r = check('sinusoidal-table', (maxLen: number, d: number, base = 10000) => {
    const out = new Float32Array(maxLen * d);
    for (let pos = 0; pos < maxLen; pos++)
      for (let i = 0; i < d / 2; i++) {
        const a = pos / Math.pow(base, (2 * i) / d);
        out[pos * d + 2 * i] = Math.cos(a);
        out[pos * d + 2 * i + 1] = Math.sin(a);
      }
    return new Tensor(out, [maxLen, d]);
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /sin and cos are swapped/);
});

test('sinusoidal-table: frequencies from exp and log (float64 first) pass', () => {
  const r = check('sinusoidal-table', (maxLen: number, d: number, base = 10000) => {
    const out = new Float64Array(maxLen * d);
    for (let i = 0; i < d / 2; i++) {
      const freq = Math.exp((-2 * i * Math.log(base)) / d);
      for (let pos = 0; pos < maxLen; pos++) {
        out[pos * d + 2 * i] = Math.sin(pos * freq);
        out[pos * d + 2 * i + 1] = Math.cos(pos * freq);
      }
    }
    return new Tensor(Float32Array.from(out), [maxLen, d]);
  });
  assert.ok(r.passed, r.message);
});

test('rope: rotating adjacent pairs (2i, 2i+1) instead of halves is named', () => {
  const r = check('rope', (x: Tensor, cos: Tensor, sin: Tensor) => {
    const hs = x.shape[x.ndim - 1]!;
    const c = x.mul(0).add(cos).data;
    const s = x.mul(0).add(sin).data;
    const out = new Float32Array(x.size);
    for (let r0 = 0; r0 < x.size; r0 += hs)
      for (let j = 0; j < hs / 2; j++) {
        const [a, b] = [x.data[r0 + 2 * j]!, x.data[r0 + 2 * j + 1]!];
        out[r0 + 2 * j] = a * c[r0 + j]! - b * s[r0 + j]!;
        out[r0 + 2 * j + 1] = b * c[r0 + j]! + a * s[r0 + j]!;
      }
    return new Tensor(out, x.shape);
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /adjacent pairs.*rotate_half/);
});

test('rope: rotating the wrong way is named', () => {
  const r = check('rope', (x: Tensor, cos: Tensor, sin: Tensor) => {
    const h = x.shape[x.ndim - 1]! / 2;
    const rot = cat([x.narrow(-1, h, h), x.narrow(-1, 0, h).neg()], -1); // [x2, −x1]
    return x.mul(cos).add(rot.mul(sin));
  });
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /wrong way/);
});

test('rope: the two halves rotated separately (x1 cos − x2 sin, x2 cos + x1 sin) pass', () => {
  const r = check('rope', (x: Tensor, cos: Tensor, sin: Tensor) => {
    const h = x.shape[x.ndim - 1]! / 2;
    const [x1, x2] = [x.narrow(-1, 0, h), x.narrow(-1, h, h)];
    const [c, s] = [cos.narrow(-1, 0, h), sin.narrow(-1, 0, h)]; // the halves repeat
    return cat([x1.mul(c).sub(x2.mul(s)), x2.mul(c).add(x1.mul(s))], -1);
  });
  assert.ok(r.passed, r.message);
});
