// The loop's stop signal and evaluation progress (portable: no process, no files): a stopped run
// saves a 'last' checkpoint of the steps since the last one; trainAsync gives the same losses as
// train; a validation split shorter than one window is refused with its size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { train, trainAsync, type TrainCallbacks } from '../../src/train/trainer.js';
import { toTokenArray, splitTrainVal } from '../../src/train/data.js';
import { LlmfsError } from '../../src/errors.js';

const text = 'the cat sat on the mat; the dog sat on the log. '.repeat(20);
const vocab = [...new Set(text)];
const tokens = toTokenArray(
  [...text].map((ch) => vocab.indexOf(ch)),
  vocab.length,
);
const config = { steps: 8, batchSize: 2, evalInterval: 4, evalBatches: 3, warmupSteps: 1, seed: 3 };
function model(): GPT {
  manualSeed(5);
  return new GPT(gptPreset('tiny', { vocabSize: vocab.length, blockSize: 8 }));
}

test('stop signal: the loop ends after the current step and saves last/ for the steps since the last checkpoint', () => {
  const stop = new AbortController();
  const saved: [string, number][] = [];
  const cb: TrainCallbacks = {
    signal: stop.signal,
    onStep: (info) => void (info.step === 6 && stop.abort()),
    onCheckpoint: (kind, state) => void saved.push([kind, state.step]),
  };
  const r = train(model(), splitTrainVal(tokens, 0.2), config, cb);
  assert.equal(r.stopped, true);
  assert.equal(r.steps, 6);
  assert.deepEqual(saved, [
    ['last', 4],
    ['best', 4],
    ['last', 6],
  ]);
  // Stopped right after an evaluation: that checkpoint is the stop's, no second save.
  const again = new AbortController();
  const saved2: number[] = [];
  train(model(), splitTrainVal(tokens, 0.2), config, {
    signal: again.signal,
    onStep: (info) => void (info.step === 4 && again.abort()),
    onCheckpoint: (kind, state) => void (kind === 'last' && saved2.push(state.step)),
  });
  assert.deepEqual(saved2, [4]);
  // Aborted before the first step: nothing trained, nothing saved.
  const early = new AbortController();
  early.abort();
  const none = train(model(), splitTrainVal(tokens, 0.2), config, {
    signal: early.signal,
    onCheckpoint: () => assert.fail('no checkpoint without a step'),
  });
  assert.equal(none.steps, 0);
  assert.equal(none.stopped, true);
});

test('evaluation progress: one call per batch scored, train then validation, up to the total', () => {
  const calls: string[] = [];
  train(model(), splitTrainVal(tokens, 0.2), config, {
    onEvalProgress: (done, total) => void calls.push(`${done}/${total}`),
  });
  const one = ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6'];
  assert.deepEqual(calls, [...one, ...one], 'two evaluations of 3 train + 3 validation batches');
});

test('trainAsync gives the same losses as train', async () => {
  const a: number[] = [];
  const b: number[] = [];
  train(model(), splitTrainVal(tokens, 0.2), config, { onStep: (i) => void a.push(i.loss) });
  const r = await trainAsync(model(), splitTrainVal(tokens, 0.2), config, {
    onStep: (i) => void b.push(i.loss),
  });
  assert.deepEqual(b, a);
  assert.equal(r.stopped, false);
});

test('a validation split shorter than one window is refused with its size, not scored as NaN', () => {
  const data = { train: tokens.subarray(0, 900), val: tokens.subarray(900, 905) };
  assert.throws(
    () => train(model(), data, config),
    (e: Error) =>
      e instanceof LlmfsError &&
      /validation split has 5 tokens, fewer than one window of blockSize \+ 1 = 9/.test(e.message),
  );
});
