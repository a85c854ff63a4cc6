// Decoding strategies agree where the theory says they must (beam width 1, top-k 1 and top-p → 0
// are all greedy), a seed reproduces a sample, and end-of-text, stop sequences and streaming work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, beamSearch } from '../../src/generate/index.js';
import { randomGpt } from './models.js';

const prompt = [3, 1, 4, 1, 5];

test('beam search with width 1 is greedy decoding', () => {
  for (const seed of [1, 2, 3]) {
    const model = randomGpt(seed, seed === 2 ? { positions: 'rope', nKvHead: 1 } : {});
    const greedy = generate(model, prompt, { maxNewTokens: 15 });
    const [best] = beamSearch(model, prompt, { beams: 1, maxNewTokens: 15 });
    assert.deepEqual(best.ids, greedy.ids);
    const lp = greedy.tokens.reduce((s, t) => s + t.logprob, 0);
    assert.ok(Math.abs(best.logprob - lp) < 1e-9, `${best.logprob} vs ${lp}`);
    // With an end-of-text id that greedy reaches, beam 1 stops at the same place.
    const eos = greedy.ids[6];
    const g2 = generate(model, prompt, { maxNewTokens: 15, eosId: eos });
    const [b2] = beamSearch(model, prompt, { beams: 1, maxNewTokens: 15, eosId: eos });
    assert.equal(g2.finishReason, 'eos');
    assert.deepEqual(b2.ids, g2.ids);
    assert.equal(b2.finished, true);
  }
});

test('sampling with top-k 1, or with top-p close to 0, is greedy decoding', () => {
  const model = randomGpt(4);
  const greedy = generate(model, prompt, { maxNewTokens: 15, repetitionPenalty: 1.5 }).ids;
  for (const seed of [0, 1, 2]) {
    assert.deepEqual(
      generate(model, prompt, {
        maxNewTokens: 15,
        repetitionPenalty: 1.5,
        strategy: 'sample',
        topK: 1,
        temperature: 1.7,
        seed,
      }).ids,
      greedy,
    );
    assert.deepEqual(
      generate(model, prompt, {
        maxNewTokens: 15,
        repetitionPenalty: 1.5,
        strategy: 'sample',
        topP: 1e-6,
        temperature: 1.7,
        seed,
      }).ids,
      greedy,
    );
  }
  assert.deepEqual(
    generate(model, prompt, { maxNewTokens: 15, repetitionPenalty: 1.5, strategy: 'sample', temperature: 0 })
      .ids,
    greedy,
  );
});

test('a fixed seed reproduces the same sample; another seed gives another', () => {
  const model = randomGpt(5);
  const o = { maxNewTokens: 20, strategy: 'sample' as const, temperature: 1.3, topP: 0.95, minP: 0.01 };
  const a = generate(model, prompt, { ...o, seed: 7 });
  const b = generate(model, prompt, { ...o, seed: 7 });
  const c = generate(model, prompt, { ...o, seed: 8 });
  assert.deepEqual(a.ids, b.ids);
  assert.deepEqual(
    a.tokens.map((t) => t.logprob),
    b.tokens.map((t) => t.logprob),
  );
  assert.notDeepEqual(a.ids, c.ids);
});

test('streaming: onToken fires per token with its probability and entropy; onText carries the text', () => {
  const model = randomGpt(6);
  const decode = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + (i % 26))).join('');
  const seen: number[] = [];
  let streamed = '';
  const r = generate(model, prompt, {
    maxNewTokens: 12,
    decode,
    topAlternatives: 3,
    onToken: (t) => {
      seen.push(t.id);
      assert.ok(t.prob > 0 && t.prob <= 1 && Math.abs(Math.exp(t.logprob) - t.prob) < 1e-12);
      assert.ok(t.entropy >= 0 && t.entropy <= Math.log(40) + 1e-9);
      assert.equal(t.alternatives.length, 3);
      assert.ok(
        t.alternatives[0].prob >= t.alternatives[1].prob && t.alternatives[1].prob >= t.alternatives[2].prob,
      );
      assert.equal(t.alternatives[0].id, t.id, 'greedy picks the most likely');
    },
    onText: (s) => (streamed += s),
  });
  assert.deepEqual(seen, r.ids);
  assert.equal(streamed, r.text);
  assert.equal(r.text, decode(r.ids));
  assert.equal(r.finishReason, 'length');
});

test('a stop sequence ends generation and is cut from the text; the end-of-text id is not output', () => {
  const model = randomGpt(7);
  const decode = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + (i % 26))).join('');
  const full = generate(model, prompt, { maxNewTokens: 16, decode });
  const stop = full.text.slice(5, 7);
  let streamed = '';
  const r = generate(model, prompt, {
    maxNewTokens: 16,
    decode,
    stop: [stop],
    onText: (s) => (streamed += s),
  });
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.text, full.text.slice(0, full.text.indexOf(stop)));
  assert.equal(streamed, r.text);
  const e = generate(model, prompt, { maxNewTokens: 16, eosId: full.ids[3] });
  assert.equal(e.finishReason, 'eos');
  assert.deepEqual(e.ids, full.ids.slice(0, full.ids.indexOf(full.ids[3])));
});

test('beam search returns n-best hypotheses sorted by score: HF len^α, or GNMT on request', () => {
  const model = randomGpt(8);
  const o = { beams: 4, maxNewTokens: 8, lengthPenalty: 0.6 };
  const hyps = beamSearch(model, prompt, { ...o, numReturnSequences: 3 });
  assert.equal(hyps.length, 3);
  for (const h of hyps) {
    assert.equal(h.ids.length, 8);
    assert.ok(Math.abs(h.score - h.logprob / Math.pow(8, 0.6)) < 1e-12);
  }
  const gnmt = beamSearch(model, prompt, { ...o, lengthPenaltyFormula: 'gnmt' });
  assert.ok(Math.abs(gnmt[0].score - gnmt[0].logprob / Math.pow((5 + 8) / 6, 0.6)) < 1e-12);
  assert.ok(hyps[0].score >= hyps[1].score && hyps[1].score >= hyps[2].score);
  const greedy = generate(model, prompt, { maxNewTokens: 8 });
  const greedyLp = greedy.tokens.reduce((s, t) => s + t.logprob, 0);
  assert.ok(hyps[0].logprob >= greedyLp - 1e-9, 'the best beam is at least as probable as the greedy output');
});

test('bad generation settings are clear errors', () => {
  const model = randomGpt(9);
  assert.throws(() => generate(model, [], {}), /the prompt is empty/);
  assert.throws(
    () => generate(model, [99], { maxNewTokens: 5 }),
    /prompt token 99 is not an id of the model's vocabulary of 40/,
  );
  assert.throws(
    () => generate(model, [1], { maxNewTokens: 5, stop: ['x'] }),
    /stop sequences need a decode function/,
  );
  assert.throws(
    () => generate(model, [1], { strategy: 'beam' as never }),
    /strategy must be 'greedy' or 'sample'/,
  );
  assert.throws(
    () => generate(model, [1], { maxNewTokens: 5, strategy: 'sample', topP: 2 }),
    /top-p must be in \(0, 1\], got 2/,
  );
  assert.throws(() => beamSearch(model, [1], { beams: 0 }), /beams must be a positive integer, got 0/);
  const tooMany = { beams: 2, numReturnSequences: 3, maxNewTokens: 5 };
  assert.throws(() => beamSearch(model, [1], tooMany), /numReturnSequences must be in \[1, 2\] \(at most/);
  assert.equal(generate(model, [1], { maxNewTokens: 0 }).ids.length, 0);
});
