// Chapter 8 exercises: each stub is reported as not written yet, each reference solution passes
// (cases and the integration step: a tiny GPT generates the same tokens), and planted mistakes
// (the last of equal maxima, multiplying by T, ties dropped at the k-th, the nucleus one token
// short, the batch rows interleaved wrongly, the beam's own log-probability forgotten) fail with a
// message that names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { findExercise } from '../../src/exercises/catalog.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import type { BeamCandidate } from '../../src/generate/beam-search.js';

const spec = (id: string) => {
  const s = findExercise(id);
  assert.ok(s, `exercise ${id} is in the catalog`);
  return s;
};
const check = (id: string, fn: unknown) => runExercise(spec(id), fn as LearnerFn);

const EXERCISES: [id: string, file: string, exportName: string][] = [
  ['greedy', '08-greedy', 'greedy'],
  ['temperature', '08-temperature', 'applyTemperature'],
  ['top-k', '08-top-k', 'topKFilter'],
  ['top-p', '08-top-p', 'topPFilter'],
  ['kv-cache-append', '08-kv-cache-append', 'kvCacheAppend'],
  ['beam-search-step', '08-beam-search-step', 'beamSearchStep'],
];

for (const [id, file, name] of EXERCISES) {
  test(`${id}: the stub is reported as not written yet`, async () => {
    const stub = (await import(`../../exercises/stubs/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, stub[name]);
    assert.equal(r.passed, false);
    assert.match(r.message ?? '', new RegExp(`not written ${name} yet`));
  });

  test(`${id}: the reference solution passes every case and the integration step`, async () => {
    const sol = (await import(`../../exercises/solutions/${file}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

test('greedy written with reduce passes', () => {
  const greedy = (z: Float64Array) => z.reduce((best, v, i) => (v > z[best]! ? i : best), 0);
  assert.equal(check('greedy', greedy).passed, true);
});

test('greedy: the last of equal maxima (>=) is rejected as a tie-breaking mistake', () => {
  const greedy = (z: Float64Array) => {
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i]! >= z[best]!) best = i;
    return best;
  };
  const r = check('greedy', greedy);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /ties/);
  assert.match(r.message ?? '', /first/);
});

test('temperature: dividing in place passes; multiplying by T is named', () => {
  const inPlace = (z: Float64Array, t: number) => {
    for (let i = 0; i < z.length; i++) z[i]! /= t;
    return z;
  };
  assert.equal(check('temperature', inPlace).passed, true);
  const r = check('temperature', (z: Float64Array, t: number) => z.map((v) => v * t));
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /multiplied by t/);
});

test('top-k: keeping exactly k ids (ties at the k-th dropped) is rejected', () => {
  const exactlyK = (z: Float64Array, k: number) => {
    const keep = new Set(
      Array.from(z, (_, i) => i)
        .sort((a, b) => z[b]! - z[a]! || a - b)
        .slice(0, k),
    );
    return z.map((v, i) => (keep.has(i) ? v : -Infinity));
  };
  const r = check('top-k', exactlyK);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /ties at the k-th/);
  assert.match(r.message ?? '', /tied with the k-th largest stay/);
});

test('top-p: the off-by-one that drops the token crossing p is rejected', () => {
  const offByOne = (z: Float64Array, p: number) => {
    if (p >= 1) return z;
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const probs = e.map((x) => x / s);
    const order = Array.from(z, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
    let sum = 0;
    let kept = 0;
    while (kept < z.length && sum + probs[order[kept]!]! < p) sum += probs[order[kept++]!]!; // stops short
    const out = Float64Array.from(z);
    for (let r = Math.max(kept, 1); r < z.length; r++) out[order[r]!] = -Infinity;
    return out;
  };
  const r = check('top-p', offByOne);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /off-by-one/);
  assert.match(r.message ?? '', /carries the running sum past p/);
});

test('top-p: a softmax without the max subtracted fails on logits of ±1000', () => {
  const naive = (z: Float64Array, p: number) => {
    if (p >= 1) return z;
    const e = z.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    const probs = e.map((x) => x / s);
    const order = Array.from(z, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
    let sum = 0;
    let kept = 0;
    while (kept < z.length && (kept === 0 || sum < p)) sum += probs[order[kept++]!]!;
    const out = Float64Array.from(z);
    for (let r = kept; r < z.length; r++) out[order[r]!] = -Infinity;
    return out;
  };
  const r = check('top-p', naive);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /large logits \(±1000\)/);
});

test('kv-cache-append written with loops passes', () => {
  const loops = (past: Tensor | null, x: Tensor) => {
    if (past === null) return x;
    const [B, Tp, W] = past.shape as [number, number, number];
    const T = x.shape[1]!;
    const out = new Float32Array(B * (Tp + T) * W);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < Tp + T; t++)
        for (let w = 0; w < W; w++)
          out[(b * (Tp + T) + t) * W + w] =
            t < Tp ? past.data[(b * Tp + t) * W + w]! : x.data[(b * T + t - Tp) * W + w]!;
    return new Tensor(out, [B, Tp + T, W]);
  };
  assert.equal(check('kv-cache-append', loops).passed, true);
});

test('kv-cache-append: all of past then all of x (wrong for B > 1) is named', () => {
  const flat = (past: Tensor | null, x: Tensor) => {
    if (past === null) return x;
    const out = new Float32Array(past.size + x.size);
    out.set(past.data);
    out.set(x.data, past.size);
    return new Tensor(out, [past.shape[0]!, past.shape[1]! + x.shape[1]!, past.shape[2]!]);
  };
  const r = check('kv-cache-append', flat);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /batch of 2/);
  assert.match(r.message ?? '', /each sequence's own rows/);
});

test("beam-search-step: forgetting the beam's own log-probability is named", async () => {
  const { beamSearchStep } = await import('../../exercises/solutions/08-beam-search-step.js');
  const forgetful = (logits: Float32Array[], lps: number[], perBeam: number): BeamCandidate[] =>
    beamSearchStep(
      logits,
      lps.map(() => 0),
      perBeam,
    );
  const r = check('beam-search-step', forgetful);
  assert.equal(r.passed, false);
  assert.match(r.message ?? '', /beam's own log-probability/);
});

test('top-k and top-p: a filter that removes nothing fails the cases (not only the integration step)', () => {
  for (const id of ['top-k', 'top-p']) {
    const r = check(id, (z: Float64Array) => z);
    assert.equal(r.passed, false);
    assert.equal(r.checks[0]!.kind, 'case');
    assert.equal(r.checks[0]!.passed, false, `${id}: the first case catches it`);
    assert.match(r.message ?? '', /you kept \d+ tokens, the reference \d+/);
  }
});
