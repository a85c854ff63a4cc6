// Head scores against hand-computed values: patterns written out by hand (uniform, previous-token,
// first-token), a hand-built two-layer induction circuit (src/exercises/catalog/ch14-circuit.ts) whose scores follow
// from its construction, and random-init models, whose heads attend almost uniformly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionStats, type Pattern } from '../../src/diagnose/attention-stats.js';
import {
  classifyHead,
  inductionScore,
  repeatedRandomTokens,
  uniformScores,
} from '../../src/diagnose/head-scores.js';
import { inspectModel } from '../../src/diagnose/inspect.js';
import { GPT } from '../../src/model/gpt.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { inductionCircuit } from '../../src/exercises/catalog/ch14-circuit.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const causal = (T: number, f: (i: number, j: number) => number): number[][] =>
  Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j <= i ? f(i, j) : 0)));
const harmonic = (n: number) => Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);

test('uniform causal attention: entropy log(i+1) per query, normalised 1, scores 1/(i+1)', () => {
  const T = 6;
  const s = attentionStats(causal(T, (i) => 1 / (i + 1)));
  const qs = [1, 2, 3, 4, 5];
  close(s.entropy, qs.reduce((a, i) => a + Math.log(i + 1), 0) / 5);
  close(s.entropyNormalised, 1);
  close(s.previous, qs.reduce((a, i) => a + 1 / (i + 1), 0) / 5);
  close(s.sink, s.previous);
  close(s.local, (4 / 5 + 4 / 6) / 2); // queries 4 and 5: 4 keys of i + 1 in the window
});

test('a head on key i-1 scores previous 1, entropy 0; a head on key 0 scores sink 1, local 0', () => {
  const T = 8;
  const prev = attentionStats(causal(T, (i, j) => (j === Math.max(0, i - 1) ? 1 : 0)));
  assert.deepEqual([prev.previous, prev.entropy, prev.local], [1, 0, 1]);
  close(prev.sink, 1 / 7); // only query 1's previous token is the first token
  const sink = attentionStats(causal(T, (_, j) => (j === 0 ? 1 : 0)));
  assert.deepEqual([sink.sink, sink.local, sink.entropyNormalised], [1, 0, 0]);
  close(sink.previous, 1 / 7);
});

test('uniform baselines: previous and sink mean 1/(i+1), induction (H(2R) - H(R)) / R', () => {
  const u = uniformScores(6, 10);
  close(u.previous, (1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6) / 5);
  close(u.sink, u.previous);
  close(u.local, (4 / 5 + 4 / 6) / 2);
  close(u.induction, (harmonic(20) - harmonic(10)) / 10);
});

test('inductionScore reads the stripe i -> i - R + 1 in the second half', () => {
  const R = 4;
  const A = causal(2 * R, (i, j) =>
    i >= R ? (j === i - R + 1 ? 0.75 : j === 0 ? 0.25 : 0) : j === 0 ? 1 : 0,
  );
  close(inductionScore(A, R), 0.75);
  assert.throws(() => inductionScore(A, 3), /expected 2R = 6/);
});

test('the induction sequence: R distinct usable ids, repeated, the same for the same seed', () => {
  const usable = (id: number) => id % 3 !== 0;
  const s = repeatedRandomTokens(20, 64, 7, usable);
  assert.equal(s.length, 40);
  assert.deepEqual(s.slice(20), s.slice(0, 20));
  assert.equal(new Set(s.slice(0, 20)).size, 20);
  assert.ok(s.every(usable));
  assert.deepEqual(repeatedRandomTokens(20, 64, 7, usable), s);
  assert.notDeepEqual(repeatedRandomTokens(20, 64, 8, usable), s);
  assert.throws(() => repeatedRandomTokens(30, 40, 0, usable), /30 distinct tokens are needed but .* has 26/);
});

test('classes: the highest specific score >= 0.4, else local >= 0.7, else mixed', () => {
  assert.equal(classifyHead({ induction: 0.5, previous: 0.6, sink: 0.1, local: 0.9 }), 'previous-token');
  assert.equal(classifyHead({ induction: 0.7, previous: 0.6, sink: 0.1, local: 0.9 }), 'induction');
  assert.equal(classifyHead({ induction: 0, previous: 0.1, sink: 0.45, local: 0 }), 'sink');
  assert.equal(classifyHead({ induction: 0, previous: 0.3, sink: 0.1, local: 0.8 }), 'local');
  assert.equal(classifyHead({ induction: 0.1, previous: 0.3, sink: 0.3, local: 0.6 }), 'mixed');
});

test('hand-built induction circuit: previous-token head scores 1, induction head (R - 1/2)/R', () => {
  const R = 10;
  const d = inspectModel(inductionCircuit(), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3], String, { seqLen: R });
  const [prev, uniform0, induction, uniform1] = d.heads;
  close(prev.previous, 1, 1e-4);
  close(prev.entropy, 0, 1e-3);
  assert.equal(prev.class, 'previous-token');
  // Query R (the second x[0]) matches key 1 (previous token x[0]) and key 0, whose layer-0 head can
  // only copy x[0] itself: half its attention goes to the induction target, all the others' does.
  close(induction.induction, (R - 0.5) / R, 1e-4);
  assert.equal(induction.class, 'induction');
  assert.deepEqual([d.induction.best.layer, d.induction.best.head], [1, 0]);
  // Zero-weight heads attend uniformly: query i puts 1/(i + 1) on its target, mean over i = R..2R-1.
  for (const h of [uniform0, uniform1]) {
    close(h.induction, (harmonic(2 * R) - harmonic(R)) / R, 1e-5);
    close(h.entropyNormalised, 1, 1e-5);
    assert.equal(h.class, 'mixed');
  }
});

test('random-init models have no induction head (every score < 0.2)', () => {
  for (const seed of [1, 2, 3]) {
    manualSeed(seed);
    const model = new GPT({ vocabSize: 96, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 32 });
    const d = inspectModel(model, [5, 6, 7, 8, 9, 10], String, { seqLen: 30, seed });
    const max = Math.max(...d.heads.map((h) => h.induction));
    assert.ok(max < 0.2, `seed ${seed}: induction ${max}`);
    assert.ok(d.heads.every((h) => h.class !== 'induction' && h.class !== 'previous-token'));
  }
});
