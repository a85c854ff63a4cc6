// Chapter 11's exercises: each stub fails as "not written yet", each reference solution passes
// (with its integration step), a solution written differently passes, and planted mistakes
// (α instead of α/r, dropout on the base layer, a missing scale, a transposed B·A, the last
// position T - 1 regardless of padding, an off-by-one length) are rejected with a message naming them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter11 } from '../../src/exercises/catalog/ch11.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { matmul } from '../../src/tensor/ops/matmul.js';
import { stack } from '../../src/tensor/ops/layout.js';
import { lastTokenSelector } from '../../src/train/classify/head.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter11.find((e) => e.id === id)!,
    fn as LearnerFn,
  );
type Drop = (x: Tensor) => Tensor;
const T_ = (t: Tensor) => t.transpose(0, 1);

for (const [id, file, name] of [
  ['lora-forward', '11-lora-forward', 'loraForward'],
  ['lora-merge', '11-lora-merge', 'loraMerge'],
  ['last-token-pool', '11-last-token-pool', 'lastTokenPool'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/${file}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

// lora-forward

const loraWith =
  (o: { scaleTimesR?: boolean; dropBase?: boolean; detachB?: boolean }) =>
  (x: Tensor, W: Tensor, b: Tensor | null, A: Tensor, B: Tensor, scale: number, drop: Drop) => {
    const xb = o.dropBase ? drop(x) : x;
    const y = b ? xb.matmul(T_(W)).add(b) : xb.matmul(T_(W));
    const Bt = o.detachB ? new Tensor(B.data.slice(), B.shape) : B;
    const s = o.scaleTimesR ? scale * A.shape[0]! : scale;
    return y.add(drop(x).matmul(T_(A)).matmul(T_(Bt)).mul(s));
  };

test('lora-forward: a solution through the merged weight (x (W + s·BA)ᵀ + b) fails only the dropout case', () => {
  // Correct whenever dropout is the identity; the dropout case must reject it.
  const merged = (x: Tensor, W: Tensor, b: Tensor | null, A: Tensor, B: Tensor, s: number) => {
    const y = x.matmul(T_(W.add(B.matmul(A).mul(s))));
    return b ? y.add(b) : y;
  };
  const r = check('lora-forward', merged);
  assert.equal(r.passed, false);
  const failed = r.checks.filter((c) => !c.passed);
  assert.deepEqual(
    failed.map((c) => c.name.split(' ')[0]),
    ['dropout'],
  );
  assert.match(failed[0]!.message!, /dropout argument was not applied/);
});

test('lora-forward: scaling by α (scale · r) instead of α/r is named', () => {
  const r = check('lora-forward', loraWith({ scaleTimesR: true }));
  assert.equal(r.passed, false);
  assert.match(r.message!, /multiplied by α = scale · r: the scale argument is already α\/r/);
});

test('lora-forward: dropout applied to the base layer too is named', () => {
  const r = check('lora-forward', loraWith({ dropBase: true }));
  assert.equal(r.passed, false);
  assert.match(r.message!, /dropout went into the base layer too/);
});

test('lora-forward: B·A in the wrong order (x Bᵀ Aᵀ) is rejected', () => {
  const wrong = (x: Tensor, W: Tensor, b: Tensor | null, A: Tensor, B: Tensor, s: number, drop: Drop) =>
    x
      .matmul(T_(W))
      .add(b ?? 0)
      .add(drop(x).matmul(B).matmul(A).mul(s));
  const r = check('lora-forward', wrong);
  assert.equal(r.passed, false);
  assert.match(r.message!, /threw .*(shape|matmul)/i);
});

test('lora-forward: a B cut off from autograd is caught by the training step (B never changes)', () => {
  const r = check('lora-forward', loraWith({ detachB: true }));
  assert.equal(r.passed, false);
  assert.match(r.message!, /lora_B\.weight never changed: no gradient reached it/);
});

// lora-merge

test('lora-merge: a solution with tensor ops passes', () => {
  const r = check('lora-merge', (W: Tensor, A: Tensor, B: Tensor, s: number) => W.add(B.matmul(A).mul(s)));
  assert.equal(r.passed, true, r.message);
});

test('lora-merge: a missing scale is named', () => {
  const r = check('lora-merge', (W: Tensor, A: Tensor, B: Tensor) => W.add(B.matmul(A)));
  assert.equal(r.passed, false);
  assert.match(r.message!, /the update B·A is not scaled/);
});

test('lora-merge: a transposed product (Aᵀ Bᵀ) is named on the square layer', () => {
  const r = check('lora-merge', (W: Tensor, A: Tensor, B: Tensor, s: number) =>
    W.add(T_(A).matmul(T_(B)).mul(s)),
  );
  assert.equal(r.passed, false);
  const sq = r.checks.find((c) => c.name.startsWith('square'))!;
  assert.equal(sq.passed, false);
  assert.match(sq.message!, /the update is transposed/);
});

test('lora-merge: returning only the update, or changing W in place, is named', () => {
  const r = check('lora-merge', (_W: Tensor, A: Tensor, B: Tensor, s: number) => B.matmul(A).mul(s));
  assert.match(r.message!, /only the update/);
  const inPlace = (W: Tensor, A: Tensor, B: Tensor, s: number) => {
    const d = B.matmul(A).mul(s);
    for (let i = 0; i < W.size; i++) W.data[i] += d.data[i]!;
    return W;
  };
  const r2 = check('lora-merge', inPlace);
  assert.equal(r2.passed, false);
  assert.match(r2.message!, /changed its argument 1 in place/);
});

// last-token-pool

test('last-token-pool: a one-hot matmul solution passes', () => {
  const oneHot = (h: Tensor, lengths: readonly number[]) =>
    matmul(lastTokenSelector(lengths, h.shape[1]!), h).reshape(h.shape[0]!, h.shape[2]!);
  const r = check('last-token-pool', oneHot);
  assert.equal(r.passed, true, r.message);
});

/** Each row read at pos(len, T), with tensor ops (gradients flow) or copied out of .data. */
const pickAt =
  (pos: (len: number, T: number) => number, copy = false) =>
  (h: Tensor, lengths: readonly number[]) => {
    const [, T, C] = h.shape as [number, number, number];
    if (copy) {
      const out = new Float32Array(lengths.length * C);
      lengths.forEach((len, b) => out.set(h.data.subarray((b * T + pos(len, T)) * C).subarray(0, C), b * C));
      return new Tensor(out, [lengths.length, C]);
    }
    return stack(lengths.map((len, b) => h.narrow(0, b, 1).narrow(1, pos(len, T), 1).reshape(C)));
  };

test('last-token-pool: taking position T - 1 regardless of padding is named', () => {
  const r = check(
    'last-token-pool',
    pickAt((_len, T) => T - 1),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /every row was read at position T - 1: with right padding that is a pad/);
});

test('last-token-pool: reading position lengths[b] (off by one) is named', () => {
  const r = check(
    'last-token-pool',
    pickAt((len) => len),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /off by one: row b was read at position lengths\[b\]/);
});

test('last-token-pool: values copied out of .data (no gradient) are rejected', () => {
  const r = check(
    'last-token-pool',
    pickAt((len) => len - 1, true),
  );
  assert.equal(r.passed, false);
  assert.match(r.message!, /carries no gradient/);
});
