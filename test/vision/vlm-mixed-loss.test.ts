// The 'mixed' task's two losses (src/vision/vlm/train.ts): 'per-token' (the default) is one mean
// over every scored token of sceneBatch's alternate caption and question rows; 'per-task' averages
// each task's mean loss (captions in the first half of the batch, one question per scene in the
// second half). Both are checked against the loss recomputed by hand from the same batches, with
// the learning rate 0 so the weights stay put.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { WordTokenizer } from '../../src/vision/index.js';
import { createVlm, sceneBatch, trainVlm, type VisionLanguageModel } from '../../src/vision/vlm/index.js';

const tok = new WordTokenizer();
const SCENES = { size: 24, maxObjects: 2 };
const B = 6;

function tiny(): VisionLanguageModel {
  const vit = { imageSize: 24, patchSize: 8, dModel: 16, nHead: 2, nLayer: 1 };
  return createVlm(
    { kind: 'prefix', vocabSize: tok.vocabSize, nEmbd: 16, nHead: 2, nLayer: 1, maxText: 40, vit },
    3,
  );
}

/** The first step's loss as trainVlm reports it (lr 0: no update before it is read). */
function firstLoss(m: VisionLanguageModel, mixedLoss?: 'per-task' | 'per-token'): number {
  const o = { task: 'mixed' as const, steps: 2, batchSize: B, lr: 0, seed: 4, scenes: SCENES, mixedLoss };
  return trainVlm(m, tok, o).losses[0];
}

function lossOf(m: VisionLanguageModel, b: ReturnType<typeof sceneBatch>): number {
  m.train();
  return noGrad(() => m.forward(b.images, b.ids, b.targets).loss!.item());
}

test("mixed 'per-task' loss: the mean of the captions' mean loss and the answers' mean loss", () => {
  const m = tiny();
  const got = firstLoss(m, 'per-task');
  const rng = new Rng(4); // trainVlm's draws: the indices, then one question per VQA scene
  const idx = Array.from({ length: B }, () => rng.randint(0, 1_000_000));
  const cap = lossOf(m, sceneBatch(tok, 'caption', 'train', idx.slice(0, B / 2), rng, SCENES));
  const vqa = lossOf(m, sceneBatch(tok, 'vqa', 'train', idx.slice(B / 2), rng, SCENES));
  assert.ok(Math.abs(cap - vqa) > 1e-3, 'the two tasks must differ for the check to mean anything');
  assert.ok(Math.abs(got - (cap + vqa) / 2) < 1e-5, `${got} vs (${cap} + ${vqa}) / 2`);
});

test("mixed 'per-token' loss: one mean over sceneBatch's alternate caption and question rows", () => {
  const m = tiny();
  const got = firstLoss(m);
  const rng = new Rng(4);
  const idx = Array.from({ length: B }, () => rng.randint(0, 1_000_000));
  const want = lossOf(m, sceneBatch(tok, 'mixed', 'train', idx, rng, SCENES));
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  assert.ok(Math.abs(got - firstLoss(tiny(), 'per-task')) > 1e-4, 'per-token and per-task must differ here');
});
