// Beam search on a trained sequence-to-sequence model: an encoder-decoder trained for a few
// seconds to reverse digit strings (test/helpers/seq2seq-reversal.ts) must find the reference
// output of held-out strings, with and without the decoder's KV cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { generate, beamSearch, seq2seqLm } from '../../src/generate/index.js';
import { trainReversal, sampleDigits, BOS, EOS } from '../helpers/seq2seq-reversal.js';

test('beam search on a trained digit-reversal model finds the reference output of held-out strings', () => {
  const { model, loss } = trainReversal({
    steps: 500,
    minLen: 3,
    maxLen: 5,
    lr: 5e-3,
    model: { nEncoderLayer: 1, nDecoderLayer: 1 },
  });
  assert.ok(loss < 0.05, `training loss ${loss}`);
  const held = new T.Rng(999);
  for (let i = 0; i < 40; i++) {
    const s = sampleDigits(held, 3, 5);
    const reference = [...s].reverse();
    const lm = seq2seqLm(model, [...s, EOS]);
    const hyps = beamSearch(lm, [BOS], { beams: 4, numReturnSequences: 4, maxNewTokens: 8, eosId: EOS });
    assert.deepEqual(hyps[0].ids, reference, `source ${s}`);
    assert.equal(hyps[0].finished, true);
    assert.ok(hyps[0].logprob > Math.log(0.5), 'the model is confident in the reversal');
    for (let h = 1; h < hyps.length; h++) assert.ok(hyps[h].score <= hyps[h - 1].score);
    if (i < 8) {
      const o = { beams: 4, numReturnSequences: 4, maxNewTokens: 8, eosId: EOS, useCache: false };
      const uncached = beamSearch(lm, [BOS], o);
      assert.deepEqual(
        uncached.map((x) => x.ids),
        hyps.map((x) => x.ids),
      );
      assert.deepEqual(generate(lm, [BOS], { maxNewTokens: 8, eosId: EOS }).ids, reference);
    }
  }
});
