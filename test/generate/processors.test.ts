// Each logits processor on hand-made logits, with exact expected values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  temperature,
  topK,
  topP,
  minP,
  repetitionPenalty,
  frequencyPresencePenalty,
  buildProcessors,
  applyProcessors,
  type ProcessorContext,
} from '../../src/generate/index.js';

const none: ProcessorContext = { tokens: [], generated: [] };
const run = (p: (z: Float64Array, c: ProcessorContext) => void, z: number[], ctx = none) => {
  const a = Float64Array.from(z);
  p(a, ctx);
  return [...a];
};
const logs = (ps: number[]) => ps.map(Math.log);
const NEG = -Infinity;

test('temperature divides every logit by T', () => {
  assert.deepEqual(run(temperature(2), [2, -4, 0, 1]), [1, -2, 0, 0.5]);
  assert.deepEqual(run(temperature(0.5), [2, -4]), [4, -8]);
  assert.throws(() => temperature(0), /positive number, got 0 \(use the greedy strategy/);
});

test('top-k keeps the k largest logits and removes the rest; ties with the k-th survive', () => {
  assert.deepEqual(run(topK(2), [1, 3, 2, 0]), [NEG, 3, 2, NEG]);
  assert.deepEqual(run(topK(1), [1, 3, 3, 0]), [NEG, 3, 3, NEG]);
  assert.deepEqual(run(topK(10), [1, 3]), [1, 3]);
  assert.throws(() => topK(0), /top-k must be a positive integer, got 0/);
});

test('top-p keeps the smallest most-likely set reaching p (Holtzman et al.), at least one token', () => {
  const z = logs([0.15, 0.5, 0.05, 0.3]);
  assert.deepEqual(run(topP(0.75), z), [NEG, z[1], NEG, z[3]]);
  assert.deepEqual(run(topP(0.85), z), [z[0], z[1], NEG, z[3]]);
  assert.deepEqual(run(topP(1e-9), z), [NEG, z[1], NEG, NEG]);
  assert.deepEqual(run(topP(1), z), z);
  assert.throws(() => topP(0), /top-p must be in \(0, 1\], got 0/);
});

test('min-p keeps tokens with probability >= p_min · p_max (Nguyen et al.)', () => {
  const z = logs([0.5, 0.3, 0.15, 0.05]);
  assert.deepEqual(run(minP(0.2), z), [z[0], z[1], z[2], NEG]); // threshold 0.1
  assert.deepEqual(run(minP(0.7), z), [z[0], NEG, NEG, NEG]); // threshold 0.35
  assert.deepEqual(run(minP(0), z), z);
  assert.throws(() => minP(1.5), /min-p must be in \[0, 1\], got 1.5/);
});

test('repetition penalty divides positive and multiplies negative logits of seen tokens, once each (CTRL)', () => {
  const ctx = { tokens: [0, 1, 1, 4], generated: [4] };
  assert.deepEqual(run(repetitionPenalty(2), [2, -1, 0.5, 3, 1], ctx), [1, -2, 0.5, 3, 0.5]);
  assert.deepEqual(run(repetitionPenalty(1), [2, -1], ctx), [2, -1]);
  assert.throws(() => repetitionPenalty(0), /repetition penalty must be a positive number, got 0/);
});

test('frequency/presence penalties subtract count·α_f + α_p for generated tokens only (OpenAI)', () => {
  const ctx = { tokens: [3, 3, 0, 0, 2], generated: [0, 0, 2] };
  assert.deepEqual(run(frequencyPresencePenalty(0.5, 1), [1, 1, 1, 1], ctx), [-1, 1, -0.5, 1]);
  assert.deepEqual(run(frequencyPresencePenalty(0.25, 0), [1, 1, 1, 1], ctx), [0.5, 1, 0.75, 1]);
});

test('processors compose in Hugging Face order: penalties, temperature, top-k, top-p, min-p', () => {
  const list = buildProcessors({ repetitionPenalty: 2, temperature: 0.5, topK: 2 });
  assert.equal(list.length, 3);
  const z = applyProcessors(list, Float64Array.from([4, 3, 1]), { tokens: [0], generated: [] });
  // repetition: [2, 3, 1]; temperature 0.5: [4, 6, 2]; top-2: [4, 6, -inf]
  assert.deepEqual([...z], [4, 6, NEG]);
  assert.deepEqual(buildProcessors({ temperature: 1, repetitionPenalty: 1 }), []);
});
