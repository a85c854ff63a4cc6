// Chapter 14's exercises (diagnosis): each stub fails as "not written yet", each reference
// solution passes (with its integration step: a hand-built GPT that loops, diagnosed with the
// learner's detector, or decoded with the learner's n-gram ban), and planted mistakes are named:
// the largest period instead of the smallest, one cycle accepted as a loop, rounded-up cycles; a
// prefix of n tokens instead of n - 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter14 } from '../../src/exercises/catalog/ch14.js';
import { runExercise } from '../../src/exercises/run.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { detectLoop as solLoop } from '../../exercises/solutions/14-detect-loop.js';
import { bannedNgramTokens as solBan } from '../../exercises/solutions/14-no-repeat-ngram.js';
import { detectSpikes as solSpikes } from '../../exercises/solutions/14-loss-spikes.js';
import { attentionStats as solStats } from '../../exercises/solutions/14-head-scores.js';

const check = (id: string, fn: unknown) =>
  runExercise(
    chapter14.find((e) => e.id === id)!,
    fn as LearnerFn,
  );

for (const [id, name] of [
  ['detect-loop', 'detectLoop'],
  ['no-repeat-ngram', 'bannedNgramTokens'],
  ['loss-spikes', 'detectSpikes'],
  ['head-scores', 'attentionStats'],
] as const) {
  test(`${id}: the stub fails as not written yet; the reference solution passes every check`, async () => {
    const stub = (await import(`../../exercises/stubs/14-${id}.ts`)) as Record<string, unknown>;
    const r0 = check(id, stub[name]);
    assert.equal(r0.passed, false);
    assert.match(r0.message!, new RegExp(`not written ${name} yet`));
    const sol = (await import(`../../exercises/solutions/14-${id}.ts`)) as Record<string, unknown>;
    const r = check(id, sol[name]);
    assert.equal(r.passed, true, r.message);
    assert.ok(r.checks.filter((c) => c.kind === 'case').length >= 7);
    assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
  });
}

type Seq = ArrayLike<unknown>;
test('detect-loop: the largest period is named', () => {
  const largest = (seq: Seq, minTokens = 8) => {
    const N = seq.length;
    for (let p = Math.floor(N / 2); p >= 1; p--) {
      let run = 0;
      while (run < N - p && seq[N - 1 - run] === seq[N - 1 - run - p]) run++;
      if (run >= p && run + p >= minTokens)
        return { period: p, start: N - run - p, cycles: Math.floor((run + p) / p) };
    }
    return null;
  };
  const r = check('detect-loop', largest);
  assert.equal(r.passed, false);
  assert.match(r.message!, /multiple of the smallest period/);
});

test('detect-loop: one cycle accepted as a loop is named', () => {
  const oneCycle = (seq: Seq, minTokens = 8) => {
    const N = seq.length;
    for (let p = 1; p < N; p++) {
      let run = 0;
      while (run < N - p && seq[N - 1 - run] === seq[N - 1 - run - p]) run++;
      if (run >= 1 && run + p >= minTokens)
        return { period: p, start: N - run - p, cycles: Math.floor((run + p) / p) };
    }
    return null;
  };
  const r = check('detect-loop', oneCycle);
  assert.equal(r.passed, false);
  assert.match(r.message!, /two whole cycles|no loop/);
});

test('detect-loop: cycles rounded up are named', () => {
  const ceil = (seq: Seq, minTokens = 8) => {
    const l = solLoop(seq, minTokens);
    return l && { ...l, cycles: Math.ceil((seq.length - l.start) / l.period) };
  };
  const r = check('detect-loop', ceil);
  assert.equal(r.passed, false);
  assert.match(r.message!, /whole cycles only/);
});

test('no-repeat-ngram: a prefix of n tokens (one too many) is caught', () => {
  const longPrefix = (tokens: readonly number[], n: number) => solBan(tokens, n + 1);
  const r = check('no-repeat-ngram', longPrefix);
  assert.equal(r.passed, false);
  assert.match(r.message!, /nothing banned|prefix is the last n - 1/);
});

test('no-repeat-ngram: a learner that returns an array passes as well as a Set', () => {
  const r = check('no-repeat-ngram', (t: readonly number[], n: number) => [...solBan(t, n)]);
  assert.equal(r.passed, true, r.message);
});

type Pt = { step: number; value: number };
test('loss-spikes: mean and standard deviation instead of median and MAD are caught', () => {
  const meanStd = (series: readonly Pt[], o: { window?: number; k?: number; minRise?: number } = {}) => {
    const { window = 25, k = 6, minRise = 0.1 } = o;
    const spikes: { step: number; value: number; baseline: number; threshold: number }[] = [];
    const nonFinite: number[] = [];
    const h: number[] = [];
    for (const { step, value } of series) {
      if (!Number.isFinite(value)) {
        nonFinite.push(step);
        continue;
      }
      if (h.length >= 5) {
        const r = h.slice(-window);
        const m = r.reduce((a, b) => a + b, 0) / r.length;
        const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length);
        const t = m + Math.max(k * sd, minRise * Math.abs(m));
        if (value > t) spikes.push({ step, value, baseline: m, threshold: t });
      }
      h.push(value);
    }
    return { spikes, nonFinite };
  };
  const r = check('loss-spikes', meanStd);
  assert.equal(r.passed, false);
  assert.match(r.message!, /median|spike hides|baseline|threshold/);
});

test('loss-spikes: the point judged inside its own window is named', () => {
  const own = (series: readonly Pt[], o = {}) => {
    const r = solSpikes(series, o);
    return { ...r, spikes: r.spikes.map((s) => ({ ...s, baseline: s.baseline * 1.01 })) };
  };
  const r = check('loss-spikes', own);
  assert.equal(r.passed, false);
});

type Pat = readonly (readonly number[])[];
test('head-scores: row 0 counted in the sink score is named', () => {
  const withRow0 = (A: Pat) => {
    const s = solStats(A);
    return { ...s, sink: (s.sink * (A.length - 1) + A[0][0]) / A.length };
  };
  const r = check('head-scores', withRow0);
  assert.equal(r.passed, false);
  assert.match(r.message!, /row 0/);
});

test('head-scores: log of the masked zeros (NaN entropy) is named', () => {
  const naive = (A: Pat) => {
    const s = solStats(A);
    let h = 0;
    for (let i = 1; i < A.length; i++) for (const p of A[i]) h -= p * Math.log(p);
    return { ...s, entropy: h / (A.length - 1) };
  };
  const r = check('head-scores', naive);
  assert.equal(r.passed, false);
  assert.match(r.message!, /0 · log 0|NaN/);
});
