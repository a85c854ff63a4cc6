// Chapter 7's runnable example: the whole training recipe on a small scale. A tiny char-level
// GPT learns from 100k characters of the default corpus with AdamW, warm-up + cosine decay and
// gradient clipping; we watch train and validation loss against the unigram baseline, then use a
// loss mask to score only part of each window.
//   npx tsx docs/examples/07-training.ts

import {
  GPT,
  gptPreset,
  manualSeed,
  CharTokenizer,
  defaultCorpusSlice,
  toTokenArray,
  splitTrainVal,
  train,
  makeSchedule,
  generate,
  batchAt,
  batchLoss,
  noGrad,
  tensor,
} from '../../src/node.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';

await useFastBackend(); // WebAssembly SIMD kernels and threads (chapter 10); same results, faster

const text = defaultCorpusSlice(100_000);
const tok = CharTokenizer.fromCorpus(text);
const data = splitTrainVal(toTokenArray(tok.encode(text), tok.vocabSize), 0.1);

// The loss of the best context-free guess: predict every character by its frequency.
const counts = new Map<number, number>();
for (const id of data.train) counts.set(id, (counts.get(id) ?? 0) + 1);
let unigram = 0;
for (const id of data.val) unigram -= Math.log((counts.get(id) ?? 1) / data.train.length);
console.log(
  `vocabulary ${tok.vocabSize}; uniform guess ln V = ${Math.log(tok.vocabSize).toFixed(2)}; unigram baseline ${(unigram / data.val.length).toFixed(2)} nats/char`,
);

const lr = makeSchedule({ kind: 'cosine', lr: 3e-3, warmupSteps: 20, totalSteps: 300, minLr: 3e-4 });
console.log(
  'learning rate at steps 0, 10, 20, 150, 300:',
  [0, 10, 20, 150, 300].map((s) => lr(s).toExponential(1)).join(', '),
);

manualSeed(1);
const model = new GPT(gptPreset('tiny', { vocabSize: tok.vocabSize }));
// Settings not given here take TRAIN_DEFAULTS (AdamW, cosine, weight decay 0.1, clipping at 1).
const result = train(
  model,
  data,
  {
    steps: 300,
    batchSize: 16,
    lr: 3e-3,
    warmupSteps: 20,
    minLr: 3e-4,
    evalInterval: 100,
    evalBatches: 10,
    seed: 1,
  },
  {
    onEval: (e) =>
      console.log(`step ${e.step}: train ${e.trainLoss.toFixed(2)}, val ${e.valLoss.toFixed(2)}`),
  },
);
model.eval();
const sample = generate(model, tok.encode('The '), {
  maxNewTokens: 60,
  strategy: 'sample',
  temperature: 0.8,
  seed: 3,
  overflow: 'slide',
  decode: (ids) => tok.decode(ids),
});
console.log(
  `final val loss ${result.valLoss.toFixed(2)} nats/char; a sample: "The ${sample.text.replace(/\n/g, ' ')}"`,
);

// A loss mask (B, T) keeps the positions where it is 1: here only the last 16 of 32 count, as
// fine-tuning counts only the answer after a prompt.
const b = batchAt(data.val, [0, 1000, 2000, 3000], 32);
const mask = tensor(Array.from({ length: 4 }, () => Array.from({ length: 32 }, (_, t) => (t >= 16 ? 1 : 0))));
const [all, late] = noGrad(() => [batchLoss(model, b).item(), batchLoss(model, { ...b, mask }).item()]);
console.log(
  `loss on 4 validation windows: all positions ${all.toFixed(2)}, only the last 16 ${late.toFixed(2)}`,
);
