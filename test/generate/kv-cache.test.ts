// The KV cache changes speed, never results: cached and uncached generation give the same
// next-token logits at every step (to float tolerance) and the same greedy tokens, for the GPT
// (learned positions; RoPE with grouped-query attention) and for the encoder-decoder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, beamSearch, seq2seqLm, Stepper, gptLm } from '../../src/generate/index.js';
import { assertClose } from '../helpers/assert.js';
import * as T from '../../src/tensor/index.js';
import { randomGpt, randomSeq2seq } from './models.js';

const variants = [
  { name: 'learned positions', extra: {} },
  { name: 'RoPE + GQA (2 kv heads)', extra: { positions: 'rope' as const, nKvHead: 2 } },
];

for (const { name, extra } of variants) {
  test(`GPT (${name}): cached and uncached greedy generation give the same logits at every step and the same tokens`, () => {
    const model = randomGpt(1, extra);
    const prompt = [3, 1, 4, 1, 5];
    const opts = { maxNewTokens: 18, keepLogits: true, repetitionPenalty: 3 }; // the penalty keeps the output varied
    const cached = generate(model, prompt, opts);
    const uncached = generate(model, prompt, { ...opts, useCache: false });
    assert.equal(cached.logits!.length, 18);
    cached.logits!.forEach((l, i) => assertClose(l, uncached.logits![i], 1e-4, 1e-4, `step ${i}`));
    assert.deepEqual(cached.ids, uncached.ids);
    assert.ok(new Set(cached.ids).size > 12, `a non-trivial continuation: ${cached.ids}`);
    assert.ok(cached.cacheFloats > 0);
    assert.equal(uncached.cacheFloats, 0);
  });

  test(`GPT (${name}): sliding past the context window, the rebuilt cache matches the uncached window`, () => {
    const model = randomGpt(2, extra); // blockSize 24
    for (const keep of [24, 16]) {
      const opts = {
        maxNewTokens: 40,
        keepLogits: true,
        overflow: 'slide' as const,
        keep,
        repetitionPenalty: 3,
      };
      const cached = generate(model, [7, 8, 9], opts);
      const uncached = generate(model, [7, 8, 9], { ...opts, useCache: false });
      assert.equal(cached.ids.length, 40);
      cached.logits!.forEach((l, i) =>
        assertClose(l, uncached.logits![i], 1e-4, 1e-4, `keep ${keep}, step ${i}`),
      );
      assert.deepEqual(cached.ids, uncached.ids);
    }
    const stepper = new Stepper(gptLm(model), { overflow: 'slide', keep: 16 });
    stepper.start([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]]);
    stepper.append([1]);
    assert.equal(stepper.windowStart, 25 - 16);
    assert.equal(stepper.cache!.length, 16);
    assert.equal(stepper.rebuilds, 1);
  });
}

test("context overflow with the 'error' policy is one clear error, before anything is generated", () => {
  const model = randomGpt(3);
  assert.throws(
    () => generate(model, Array(20).fill(1), { maxNewTokens: 10 }),
    /prompt of 20 tokens plus 10 new tokens needs 29 positions, more than the context window of 24; use fewer tokens or the 'slide' overflow policy/,
  );
  assert.equal(generate(model, Array(20).fill(1), { maxNewTokens: 5 }).ids.length, 5); // 24 positions fit
  assert.throws(
    () => new Stepper(gptLm(model)).start([Array(25).fill(1)]),
    /25 tokens exceed the model's context window of 24/,
  );
});

test('encoder-decoder: cached and uncached decoding agree at every step (cross-attention k/v computed once)', () => {
  const model = randomSeq2seq(4);
  const src = [5, 6, 7, 8, 9, 2];
  const lm = seq2seqLm(model, src);
  const opts = { maxNewTokens: 15, keepLogits: true, repetitionPenalty: 3 };
  const cached = generate(lm, [1], opts);
  const uncached = generate(lm, [1], { ...opts, useCache: false });
  cached.logits!.forEach((l, i) => assertClose(l, uncached.logits![i], 1e-4, 1e-4, `step ${i}`));
  assert.deepEqual(cached.ids, uncached.ids);
  // Beam search reorders the cache rows; it must agree with the uncached search too.
  const b1 = beamSearch(lm, [1], { beams: 3, maxNewTokens: 10, numReturnSequences: 3 });
  const b2 = beamSearch(lm, [1], { beams: 3, maxNewTokens: 10, numReturnSequences: 3, useCache: false });
  assert.deepEqual(
    b1.map((h) => h.ids),
    b2.map((h) => h.ids),
  );
  b1.forEach((h, i) => assert.ok(Math.abs(h.score - b2[i].score) < 1e-4));
});

test('GPT beam search: the cache, reordered between beams, gives the same hypotheses as no cache', () => {
  const model = randomGpt(5, { positions: 'rope', nKvHead: 2 });
  const o = { beams: 4, maxNewTokens: 12, eosId: 0, earlyStopping: 'never' as const, numReturnSequences: 4 };
  const a = beamSearch(model, [2, 3], o);
  const b = beamSearch(model, [2, 3], { ...o, useCache: false });
  assert.deepEqual(
    a.map((h) => h.ids),
    b.map((h) => h.ids),
  );
  a.forEach((h, i) => assert.ok(Math.abs(h.logprob - b[i].logprob) < 1e-4));
});

test('GPT forward with lastOnly gives the last row of the full logits, shape (B, 1, V)', () => {
  const model = randomGpt(6);
  const ids = T.tensor([
    [1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10],
  ]);
  const full = model.forward(ids).logits; // (2, 5, 40)
  const last = model.forward(ids, { lastOnly: true }).logits;
  assert.deepEqual(last.shape, [2, 1, 40]);
  assertClose(last.data, full.narrow(1, 4, 1).data, 1e-6, 1e-6);
});
