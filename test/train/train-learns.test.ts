// End-to-end training: the tiny preset, char-level, on a slice of the default corpus, drives
// the validation loss well below the slice's unigram entropy (what a model that ignores
// context can reach at best); a NaN loss stops the run with a clear message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GPT, gptPreset, denseMlp } from '../../src/model/index.js';
import { CharTokenizer } from '../../src/tokenizer/index.js';
import { defaultCorpusSlice } from '../../src/data/index.js';
import { train, splitTrainVal, toTokenArray } from '../../src/train/index.js';
import { quickConfig } from '../helpers/train-config.js';
import { LlmfsError } from '../../src/errors.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';

// Training-heavy tests run on the fast backend (the kernel tests prove it equals the reference).
await useFastBackend();

/** Entropy in nats of the token frequencies: the loss floor of a context-free model. */
function unigramEntropy(ids: ArrayLike<number>, V: number): number {
  const counts = new Float64Array(V);
  for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log(c / ids.length);
  return h;
}

test('tiny, char-level, on 200k characters of the default corpus: val loss < unigram entropy - 0.4 nats', () => {
  const text = defaultCorpusSlice(200_000);
  const tok = CharTokenizer.fromCorpus(text);
  const tokens = toTokenArray(tok.encode(text), tok.vocabSize);
  const data = splitTrainVal(tokens, 0.1);
  const h = unigramEntropy(data.val, tok.vocabSize);
  T.manualSeed(7);
  const model = new GPT(gptPreset('tiny', { vocabSize: tok.vocabSize }));
  const r = train(model, data, quickConfig);
  if (process.env.DEBUG_TRAIN) console.log({ unigram: h, ...r });
  assert.ok(h > 2.5 && h < 3.5, `unigram entropy ${h} of English characters should be near 3 nats`);
  assert.ok(
    r.valLoss < h - 0.4,
    `val loss ${r.valLoss} should be below ${h - 0.4} (unigram entropy ${h} - 0.4)`,
  );
});

test('a NaN loss stops training with an error naming the step and the last checkpoint', () => {
  const tok = CharTokenizer.fromCorpus('abcdefgh');
  const tokens = toTokenArray(tok.encode('abcdefgh'.repeat(50)), tok.vocabSize);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 8 });
  let saved = 0;
  const cb = {
    onCheckpoint() {
      saved++;
    },
    lastCheckpointPath: () => (saved > 0 ? 'out/x/last' : null),
    onStep(info: { step: number }) {
      if (info.step === 2) denseMlp(model.h.at(0), 'test').c_fc.weight.data[0] = NaN; // poison the weights
    },
  };
  assert.throws(
    () =>
      train(
        model,
        { train: tokens, val: tokens },
        { ...quickConfig, steps: 10, evalInterval: 1, batchSize: 2, warmupSteps: 0, decaySteps: 10 },
        cb,
      ),
    (e: Error) =>
      e instanceof LlmfsError &&
      /training stopped at step 3: the loss is NaN; the last good checkpoint is out\/x\/last/.test(e.message),
  );
});
