// The digit-reversal task for sequence-to-sequence tests: source "3 1 4 <eos>", target
// "<bos> 4 1 3" -> "4 1 3 <eos>". trainReversal trains an encoder-decoder on it with AdamW
// (the same recipe as test/model/seq2seq-learns.test.ts, with the size and lengths as options).

import * as T from '../../src/tensor/index.js';
import { EncoderDecoder, type EncoderDecoderConfigInput } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { makeSchedule } from '../../src/train/schedule.js';
import { clipGradNorm } from '../../src/train/clip.js';

export const PAD = 0,
  BOS = 1,
  EOS = 2,
  DIGIT0 = 3;
export const VOCAB = 13;

export interface ReversalOptions {
  minLen?: number;
  maxLen?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  model?: Partial<EncoderDecoderConfigInput>;
}

/** A random digit string (token ids) of length in [minLen, maxLen]. */
export function sampleDigits(rng: T.Rng, minLen = 3, maxLen = 8): number[] {
  const n = rng.randint(minLen, maxLen + 1);
  return Array.from({ length: n }, () => DIGIT0 + rng.randint(0, 10));
}

function pad(rows: number[][]): T.Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  return T.tensor(rows.map((r) => [...r, ...Array<number>(L - r.length).fill(PAD)]));
}

export function reversalBatch(rng: T.Rng, size: number, minLen = 3, maxLen = 8) {
  const src = Array.from({ length: size }, () => sampleDigits(rng, minLen, maxLen));
  const rev = src.map((s) => [...s].reverse());
  return {
    src: pad(src.map((s) => [...s, EOS])),
    tgtIn: pad(rev.map((r) => [BOS, ...r])),
    targets: pad(rev.map((r) => [...r, EOS])),
  };
}

/** Trains a small encoder-decoder to reverse digit strings; returns it in eval mode. */
export function trainReversal(o: ReversalOptions = {}): { model: EncoderDecoder; loss: number } {
  T.manualSeed(o.seed ?? 0);
  const model = new EncoderDecoder({
    srcVocabSize: VOCAB,
    tgtVocabSize: VOCAB,
    dModel: 32,
    nHead: 2,
    nEncoderLayer: 2,
    nDecoderLayer: 2,
    dFF: 64,
    maxLen: 64,
    normPlacement: 'pre',
    padId: PAD,
    ...o.model,
  });
  const opt = new AdamW(model.parameters(), { lr: o.lr ?? 3e-3, weightDecay: 0 });
  const rng = new T.Rng((o.seed ?? 0) + 1);
  const steps = o.steps ?? 800;
  // Warm-up, cosine decay and clipping: a constant high rate spikes late in training.
  const lr = makeSchedule({
    kind: 'cosine',
    lr: o.lr ?? 3e-3,
    warmupSteps: Math.floor(steps / 16),
    totalSteps: steps,
    minLr: 1e-4,
  });
  let loss = Infinity;
  for (let step = 0; step < steps; step++) {
    const b = reversalBatch(rng, o.batchSize ?? 32, o.minLen, o.maxLen);
    const out = model.forward(b.src, b.tgtIn, b.targets);
    opt.setLr(lr(step));
    opt.zeroGrad();
    out.loss!.backward();
    clipGradNorm(model.parameters(), 1);
    opt.step();
    loss = out.loss!.item();
  }
  model.eval();
  return { model, loss };
}
