// Chapter 8, shared by its examples: a tiny character-level GPT trained for a few seconds on a
// short text with AdamW, so the decoding strategies have a real (if small) model to work on.
// Uses the reference kernels, so the printed outputs are the same on every machine.

import { GPT } from '../../src/model/index.js';
import { CharTokenizer } from '../../src/tokenizer/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { Rng, manualSeed, tensor } from '../../src/tensor/index.js';
import { resetBackend } from '../../src/kernels/backend.js';

export const TEXT = [
  'the cat sat on the mat. the dog sat on the log.',
  'the cat saw the dog. the dog saw the cat.',
  'a cat and a dog sat on a mat and a log.',
  'the dog ran to the cat and the cat ran to the mat.',
].join('\n');

export function trainTinyModel(steps = 200): { model: GPT; tok: CharTokenizer; loss: number } {
  resetBackend(); // the plain JavaScript reference kernels
  manualSeed(0);
  const tok = CharTokenizer.fromCorpus(TEXT);
  const data = tok.encode(TEXT);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 24, nLayer: 2, nHead: 2, nEmbd: 32 });
  const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
  const rng = new Rng(1);
  const B = 8,
    T = 24;
  let loss = Infinity;
  for (let step = 0; step < steps; step++) {
    const starts = Array.from({ length: B }, () => rng.randint(0, data.length - T - 1));
    const x = tensor(starts.map((s) => data.slice(s, s + T))); // (B, T)
    const y = tensor(starts.map((s) => data.slice(s + 1, s + T + 1))); // (B, T) next characters
    const out = model.forward(x, { targets: y });
    opt.zeroGrad();
    out.loss!.backward();
    opt.step();
    loss = out.loss!.item();
  }
  model.eval();
  return { model, tok, loss };
}
