// Small random models for the generation tests. Weights are scaled up so next-token
// distributions are peaked (a freshly initialised model is nearly uniform, and near-ties would
// make "the same greedy tokens" depend on float rounding rather than on the code under test).

import * as T from '../../src/tensor/index.js';
import { GPT, EncoderDecoder, type GPTConfigInput } from '../../src/model/index.js';
import type { Module } from '../../src/nn/module.js';

export const TINY: GPTConfigInput = { vocabSize: 40, blockSize: 24, nLayer: 2, nHead: 4, nEmbd: 32 };

function sharpen<M extends Module>(model: M, scale: number): M {
  T.noGrad(() => {
    for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= scale;
  });
  return model;
}

export function randomGpt(seed: number, extra: Partial<GPTConfigInput> = {}): GPT {
  T.manualSeed(seed);
  return sharpen(new GPT({ ...TINY, ...extra }), 4).eval();
}

export function randomSeq2seq(seed: number): EncoderDecoder {
  T.manualSeed(seed);
  return sharpen(new EncoderDecoder({ srcVocabSize: 20, tgtVocabSize: 20, dModel: 32, nHead: 4, nEncoderLayer: 2, nDecoderLayer: 2, maxLen: 24, normPlacement: 'pre' }), 1.5).eval();
}
