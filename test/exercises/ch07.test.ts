// Chapter 7's exercises: each stub fails as "not written yet", each reference solution passes, a
// correct solution written another way passes, and planted mistakes (coupled weight decay, no bias
// correction, an off-by-one warm-up, per-array clipping, dampened momentum) are named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter7 } from '../../src/exercises/catalog/ch07.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import type { AdamWStepOptions } from '../../src/train/adamw.js';
import type { CosineScheduleOptions } from '../../src/train/schedule.js';
import type { SGDStepOptions } from '../../src/train/sgd.js';

const spec = (id: string) => chapter7.find((e) => e.id === id)!;
const check = (id: string, fn: unknown) => runExercise(spec(id), fn as LearnerFn);
const file = (id: string) => `07-${id}.ts`;

for (const e of chapter7) {
  test(`${e.id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/${file(e.id)}`)) as Record<string, unknown>;
    const r0 = check(e.id, stub[e.exportName]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, /not written .* yet/);
    const sol = (await import(`../../exercises/solutions/${file(e.id)}`)) as Record<string, unknown>;
    const r = check(e.id, sol[e.exportName]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('adamw-step: a pure version that returns new arrays (float64 maths) passes', () => {
  const pure = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, o: AdamWStepOptions) => {
    const m2 = m.map((x, i) => o.beta1 * x + (1 - o.beta1) * g[i]!);
    const v2 = v.map((x, i) => o.beta2 * x + (1 - o.beta2) * g[i]! ** 2);
    const mHat = Array.from(m2, (x) => x / (1 - o.beta1 ** o.step));
    const vHat = Array.from(v2, (x) => x / (1 - o.beta2 ** o.step));
    const p2 = p.map(
      (x, i) => x * (1 - o.lr * o.weightDecay) - (o.lr * mHat[i]!) / (Math.sqrt(vHat[i]!) + o.eps),
    );
    return { param: p2, m: m2, v: v2 };
  };
  const r = check('adamw-step', pure);
  assert.equal(r.passed, true, r.message);
});

test('adamw-step: coupled (L2) weight decay is named', () => {
  const coupled = (
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    o: AdamWStepOptions,
  ) => {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]! + o.weightDecay * p[i]!; // the mistake: decay inside the gradient
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi;
      p[i] -=
        (o.lr * (m[i]! / (1 - o.beta1 ** o.step))) / (Math.sqrt(v[i]! / (1 - o.beta2 ** o.step)) + o.eps);
    }
    return { param: p, m, v };
  };
  const r = check('adamw-step', coupled);
  assert.equal(r.passed, false);
  assert.match(r.message!, /coupled .*L2.*decouples/);
});

test('adamw-step: a missing bias correction is named', () => {
  const raw = (p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, o: AdamWStepOptions) => {
    for (let i = 0; i < p.length; i++) {
      p[i] -= o.lr * o.weightDecay * p[i]!;
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g[i]!;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      p[i] -= (o.lr * m[i]!) / (Math.sqrt(v[i]!) + o.eps); // the mistake: m and v used raw
    }
    return { param: p, m, v };
  };
  const r = check('adamw-step', raw);
  assert.equal(r.passed, false);
  assert.match(r.message!, /no bias correction/);
});

test('cosine-schedule: a warm-up that starts at 0 (lr·s/W) is named as off by one', () => {
  const fromZero = (s: number, o: CosineScheduleOptions) => {
    if (s < o.warmupSteps) return (o.lr * s) / o.warmupSteps; // the mistake
    if (s >= o.totalSteps) return o.minLr;
    const r = (s - o.warmupSteps) / (o.totalSteps - o.warmupSteps);
    return o.minLr + 0.5 * (1 + Math.cos(Math.PI * r)) * (o.lr - o.minLr);
  };
  const r = check('cosine-schedule', fromZero);
  assert.equal(r.passed, false);
  assert.match(r.message!, /^step 0.*warm-up off by one: step s gets lr·\(s\+1\)\/W/);
});

test('cosine-schedule: warming up through step W (s <= W) is named as off by one at its end', () => {
  const tooLong = (s: number, o: CosineScheduleOptions) => {
    if (s <= o.warmupSteps) return (o.lr * (s + 1)) / o.warmupSteps; // the mistake: <= instead of <
    if (s >= o.totalSteps) return o.minLr;
    const r = (s - o.warmupSteps) / (o.totalSteps - o.warmupSteps);
    return o.minLr + 0.5 * (1 + Math.cos(Math.PI * r)) * (o.lr - o.minLr);
  };
  const r = check('cosine-schedule', tooLong);
  assert.equal(r.passed, false);
  assert.match(r.message!, /^step W = 10.*off by one at its end/);
});

test('cosine-schedule: decaying to 0 instead of minLr is named; a version that interpolates with a cosine weight passes', () => {
  const toZero = (s: number, o: CosineScheduleOptions) => {
    if (s < o.warmupSteps) return (o.lr * (s + 1)) / o.warmupSteps;
    if (s >= o.totalSteps) return o.minLr;
    return 0.5 * (1 + Math.cos((Math.PI * (s - o.warmupSteps)) / (o.totalSteps - o.warmupSteps))) * o.lr;
  };
  assert.match(check('cosine-schedule', toZero).message!, /ends at minLr, not 0/);
  // Another correct form: interpolate with a cosine weight w going 1 -> 0.
  const lerp = (s: number, o: CosineScheduleOptions) => {
    const { lr, warmupSteps: W, totalSteps: N, minLr } = o;
    const t = Math.min(1, Math.max(0, (s - W) / (N - W)));
    const w = (1 + Math.cos(Math.PI * t)) / 2;
    return s < W ? (lr / W) * (s + 1) : w * lr + (1 - w) * minLr;
  };
  const r = check('cosine-schedule', lerp);
  assert.equal(r.passed, true, r.message);
});

test('clip-grad-norm: clipping each array by its own norm is named', () => {
  const perArray = (grads: Float32Array[], maxNorm: number) => {
    let total = 0;
    for (const g of grads) {
      const n = Math.hypot(...g);
      total += n * n;
      if (maxNorm > 0 && n > maxNorm) for (let i = 0; i < g.length; i++) g[i] *= maxNorm / (n + 1e-6);
    }
    return { norm: Math.sqrt(total), grads };
  };
  const r = check('clip-grad-norm', perArray);
  assert.equal(r.passed, false);
  assert.match(r.message!, /its own norm.*ONE norm over all/);
});

test('clip-grad-norm: returning the norm after clipping is named; a functional version passes', () => {
  const after = (grads: Float32Array[], maxNorm: number) => {
    const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));
    const k = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
    return { norm: norm * k, grads: grads.map((g) => g.map((x) => x * k)) };
  };
  assert.match(check('clip-grad-norm', after).message!, /after clipping/);
  const functional = (grads: Float32Array[], maxNorm: number) => {
    const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0));
    const k = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
    return { norm, grads: grads.map((g) => g.map((x) => x * k)) };
  };
  const r = check('clip-grad-norm', functional);
  assert.equal(r.passed, true, r.message);
});

test('sgd-momentum: the (1-μ) exponential-average convention is named', () => {
  const dampened = (p: Float32Array, g: Float32Array, v: Float32Array | null, o: SGDStepOptions) => {
    const vel = o.momentum > 0 ? (v ?? new Float32Array(p.length)) : null;
    for (let i = 0; i < p.length; i++) {
      let d = g[i]! + o.weightDecay * p[i]!;
      if (vel) {
        vel[i] = o.momentum * vel[i]! + (1 - o.momentum) * d; // the mistake
        d = o.nesterov ? d + o.momentum * vel[i]! : vel[i]!;
      }
      p[i] -= o.lr * d;
    }
    return { param: p, velocity: vel };
  };
  const r = check('sgd-momentum', dampened);
  assert.equal(r.passed, false);
  assert.match(r.message!, /exponential average.*full gradient/);
});
