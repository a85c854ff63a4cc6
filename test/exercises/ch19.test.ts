// Chapter 19's exercises (the lab): each stub fails as "not written yet", each reference solution
// passes (with its integration step: the entropy equals the frequency model's cross-entropy, and a
// tiny GPT samples the same tokens with the learner's min-p, a tiny GPT's embedding maps the same
// through the learner's PCA), the library's references give the closed-form values, and planted
// mistakes are named: bits instead of nats, a threshold on logits, no centring, 1 / n, a flipped sign.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter19 } from '../../src/exercises/catalog/ch19.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { unigramEntropy } from '../../src/eval/unigram-entropy.js';
import { minP } from '../../src/generate/min-p.js';
import { unigramEntropy as solEntropy } from '../../exercises/solutions/19-unigram-entropy.js';
import { minPFilter as solMinP } from '../../exercises/solutions/19-min-p.js';
import { pca2d as solPca } from '../../exercises/solutions/19-pca-2d.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter19.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['unigram-entropy', 'unigramEntropy'],
  ['min-p', 'minPFilter'],
  ['pca-2d', 'pca2d'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/19-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/19-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 5);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('unigram entropy: closed forms (0, log 4, the entropy of 1/4 and 3/4)', () => {
  assert.equal(unigramEntropy([2, 2, 2], 3), 0);
  assert.ok(Math.abs(unigramEntropy([0, 1, 2, 3], 4) - Math.log(4)) < 1e-12);
  const h = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
  assert.ok(Math.abs(unigramEntropy(Int32Array.from([1, 0, 0, 0]), 7) - h) < 1e-12);
  assert.equal(unigramEntropy([], 5), 0);
});

test('unigram-entropy: bits instead of nats, and a flipped sign, are named', () => {
  const bits = (ids: ArrayLike<number>, V: number) => solEntropy(ids, V) / Math.LN2;
  assert.match(check('unigram-entropy', bits).message!, /bits/);
  const flipped = (ids: ArrayLike<number>, V: number) => -solEntropy(ids, V);
  assert.match(check('unigram-entropy', flipped).message!, /sign/);
});

test('min-p: keeps p >= p_min · p_max (worked example), and the processor uses the slot', () => {
  // p ∝ (4, 2, 1, 1) / 8: p_max = 0.5; p_min 0.3 keeps p >= 0.15: ids 0 and 1 (0.25), not 2, 3 (0.125)
  const z = Float64Array.from([4, 2, 1, 1].map(Math.log));
  const out = Float64Array.from(z);
  minP(0.3)(out, { tokens: [], generated: [] });
  assert.deepEqual(
    Array.from(out, (v) => v > -Infinity),
    [true, true, false, false],
  );
  assert.deepEqual(Array.from(solMinP(Float64Array.from(z), 0.3)), Array.from(out));
});

test('min-p: a threshold on the logits instead of the probabilities is named', () => {
  const onLogits = (z: Float64Array, p: number) => {
    const m = Math.max(...z);
    return z.map((v) => (v >= p * m ? v : -Infinity));
  };
  assert.match(check('min-p', onLogits).message!, /on probabilities/);
});

test('chapter 19: the exercises sit under the chapter’s section headings', () => {
  assert.deepEqual(
    chapter19.map((e) => e.section),
    ['Train', 'Look inside', 'Next token'],
  );
});

test('pca-2d: no centring, the 1 / n covariance and a flipped component are named', () => {
  type Pca = ReturnType<typeof solPca>;
  const uncentred = (x: ArrayLike<number>, n: number, d: number): Pca => {
    // the rows and their negatives: mean 0, and the directions of Xᵀ X
    const both = Float64Array.from([...Array.from(x), ...Array.from(x, (v) => -v)]);
    return solPca(both, 2 * n, d);
  };
  assert.match(check('pca-2d', uncentred).message!, /subtract each column’s mean/);
  const population = (x: ArrayLike<number>, n: number, d: number): Pca => {
    const r = solPca(x, n, d);
    return { ...r, variances: [(r.variances[0] * (n - 1)) / n, (r.variances[1] * (n - 1)) / n] };
  };
  assert.match(check('pca-2d', population).message!, /n - 1/);
  const flipped = (x: ArrayLike<number>, n: number, d: number): Pca => {
    const r = solPca(x, n, d);
    return {
      ...r,
      points: r.points.map(([a, b]) => [-a, b]),
      components: [r.components[0].map((v) => -v), r.components[1]],
    };
  };
  assert.match(check('pca-2d', flipped).message!, /other way/);
});
