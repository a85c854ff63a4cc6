// The training memory estimate (src/train/memory-plan.ts): the same order as the buffers a real
// step allocates, parameters + gradients + AdamW moments exact, and a refusal that is one line
// with the figure and the largest batch size that fits (which does fit, while one more does not).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT, GPT_PRESETS, type GPTConfigInput } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { BufferArena } from '../../src/tensor/arena.js';
import { randint } from '../../src/tensor/creation.js';
import { Rng } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { resetBackend, setBackend } from '../../src/kernels/backend.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { LlmfsError } from '../../src/errors.js';
import {
  estimateTrainingMemory,
  checkTrainingMemory,
  largestBatchThatFits,
} from '../../src/train/memory-plan.js';

/**
 * Bytes of float32 storage one training step and one evaluation batch take (reference kernels):
 * parameters, optimizer moments and every buffer of the step's and evaluation's arenas come
 * from the backend's allocPersistent, which this counts. (Gradients come from the arena too, or
 * as ordinary arrays: both are counted, the second by the difference of arrayBuffers.)
 */
function measured(config: GPTConfigInput, B: number): number {
  let bytes = 0;
  setBackend({
    ...jsBackend,
    allocPersistent: (n: number) => {
      bytes += 4 * n;
      return new Float32Array(n);
    },
  });
  try {
    const model = new GPT(config);
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const [train, evaluation] = [new BufferArena(), new BufferArena()];
    const idx = randint(0, config.vocabSize, [B, config.blockSize], { rng: new Rng(1) });
    const targets = randint(0, config.vocabSize, [B, config.blockSize], { rng: new Rng(2) });
    for (let s = 0; s < 2; s++) {
      train.run(() => model.forward(idx, { targets }).loss!.backward());
      opt.step();
      opt.zeroGrad();
      evaluation.run(() => noGrad(() => model.forward(idx, { targets }).loss!.item()));
    }
    const grads = model.parameters().every((p) => p.grad === null) ? 4 * model.numParameters() : 0;
    return bytes + grads;
  } finally {
    resetBackend();
  }
}

const shapes: GPTConfigInput[] = [
  { vocabSize: 256, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 128 },
  { vocabSize: 2000, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 64 },
];
for (const config of shapes) {
  test(`memory plan: the estimate is within 25% of a measured step (V ${config.vocabSize}, C ${config.nEmbd})`, () => {
    const B = 8;
    const got = measured(config, B);
    const est = estimateTrainingMemory(config, { batchSize: B }).total;
    assert.ok(got > 0.75 * est && got < 1.25 * est, `measured ${got} bytes, estimated ${est}`);
  });
}

test('memory plan: parameters, gradients and AdamW moments are 4, 4 and 8 bytes per parameter', () => {
  const e = estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: 12 });
  assert.equal(e.parameters, 124_439_808 * 4);
  assert.equal(e.gradients, 124_439_808 * 4);
  assert.equal(e.optimizer, 124_439_808 * 8);
  assert.equal(estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: 12, optimizer: 'sgd' }).optimizer, 0);
  // activations grow with B·T, and gradient accumulation does not multiply them
  const half = estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: 6, gradAccum: 2 });
  assert.equal(half.activations * 2, e.activations);
  assert.equal(
    estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: 12, blockSize: 512 }).activations * 2,
    e.activations,
  );
});

test('memory plan: a run over budget is refused in one line with the figure and a batch size that fits', () => {
  const budget = 8e9;
  const o = { batchSize: 12 };
  const fits = largestBatchThatFits(GPT_PRESETS.gpt2, o, budget);
  assert.ok(fits >= 1 && fits < 12);
  assert.ok(estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: fits }).total <= budget);
  assert.ok(estimateTrainingMemory(GPT_PRESETS.gpt2, { batchSize: fits + 1 }).total > budget);
  assert.throws(
    () => checkTrainingMemory(GPT_PRESETS.gpt2, o, budget),
    (err: Error) =>
      err instanceof LlmfsError &&
      !err.message.includes('\n') &&
      /^train: this run needs about [\d.]+ GB of memory .* more than the 8\.00 GB available; /.test(
        err.message,
      ) &&
      err.message.includes(`--batch-size ${fits} fits`),
  );
  // not even one sequence of 100000 tokens fits: the message says what else to change
  assert.throws(
    () => checkTrainingMemory({ ...GPT_PRESETS['cpu-small'], blockSize: 100_000 }, o, budget),
    /not even --batch-size 1 fits: use a shorter --block-size or a smaller model/,
  );
  // within budget: the estimate comes back
  assert.equal(checkTrainingMemory(GPT_PRESETS['cpu-small'], o, budget).parameters > 0, true);
});
