// The sampler, the probability helpers and the streaming text buffer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { assertClose } from '../helpers/assert.js';
import {
  sampleIndex,
  chooseToken,
  softmaxRow,
  logSoftmaxRow,
  entropy,
  topIds,
  argmaxRow as argmax,
  TextStream,
} from '../../src/generate/index.js';

test('the sampler draws ids with their probabilities, and never a zero-probability id', () => {
  const rng = new Rng(5);
  const p = [0.1, 0, 0.6, 0.3];
  const counts = [0, 0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[sampleIndex(p, rng)]++;
  assert.equal(counts[1], 0);
  p.forEach((pi, i) => assert.ok(Math.abs(counts[i] / N - pi) < 0.015, `id ${i}: ${counts[i] / N} vs ${pi}`));
});

test('a fixed seed reproduces the same draws; greedy ignores the Rng', () => {
  const z = [0.3, 1.2, -0.5, 0.9, 0.1];
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: 20 }, () => chooseToken(z, 'sample', r));
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.equal(chooseToken(z, 'greedy', new Rng(0)), 1);
});

test('softmax, log-softmax, entropy and top ids on a row', () => {
  const p = softmaxRow([0, 0, -Infinity, 0]);
  assertClose(p, [1 / 3, 1 / 3, 0, 1 / 3], 1e-15, 0);
  assert.equal(p[2], 0);
  assert.ok(Math.abs(entropy(p) - Math.log(3)) < 1e-12);
  assert.equal(entropy([0, 1, 0]), 0);
  const lp = logSoftmaxRow([1000, 1000]); // no overflow
  assertClose(lp, [-Math.LN2, -Math.LN2], 0, 1e-12);
  assert.deepEqual(topIds([0.1, 0.7, 0.2, 0.7], 3), [1, 3, 2]);
  const big = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  assert.deepEqual(topIds(big, 70), topIds(big, 3).concat(topIds(big, 70).slice(3)));
  assert.deepEqual(topIds(big, 3), [27, 54, 81]);
  assert.equal(argmax([1, 5, 5]), 1);
});

test('text stream: a stop sequence is never shown and the text is cut before it', () => {
  const pieces = ['Hel', 'lo', ' E', 'N', 'D', ' more'];
  const s = new TextStream((ids) => ids.map((i) => pieces[i]).join(''), [' END']);
  const out = [0, 1, 2, 3].map((_, i, a) => s.push(a.slice(0, i + 1)));
  assert.deepEqual(out, ['Hel', 'lo', '', '']); // ' E', ' EN' may still become ' END'
  assert.equal(s.push([0, 1, 2, 3, 4]), '');
  assert.equal(s.stopped, true);
  assert.equal(s.text, 'Hello');
});

test('text stream: a held-back tail is released when it stops matching, and at the end', () => {
  const pieces = ['a', ' E', 'x', ' E'];
  const s = new TextStream((ids) => ids.map((i) => pieces[i]).join(''), [' END']);
  assert.equal(s.push([0]), 'a');
  assert.equal(s.push([0, 1]), '');
  assert.equal(s.push([0, 1, 2]), ' Ex');
  assert.equal(s.push([0, 1, 2, 3]), '');
  assert.equal(s.flush(), ' E');
  assert.equal(s.text, 'a Ex E');
});

test('text stream: an incomplete UTF-8 character (U+FFFD at the end) waits for its next byte', () => {
  const texts = ['caf', 'caf\uFFFD', 'café'];
  const s = new TextStream((ids) => texts[ids.length - 1]);
  assert.deepEqual([s.push([0]), s.push([0, 1]), s.push([0, 1, 2])], ['caf', '', 'é']);
});
