// The encoder-decoder learns a real sequence-to-sequence task end to end: reversing digit
// strings of length 3-8, judged by greedy decoding on held-out strings (exact match >= 95%).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { EncoderDecoder, SEQ2SEQ_PRESETS } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { makeSchedule } from '../../src/train/schedule.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';

// Training-heavy tests run on the fast backend (the kernel tests prove it equals the reference).
await useFastBackend();

const PAD = 0, BOS = 1, EOS = 2, DIGIT0 = 3;

function sample(rng: T.Rng): number[] {
  const n = rng.randint(3, 9);
  return Array.from({ length: n }, () => DIGIT0 + rng.randint(0, 10));
}

function pad(rows: number[][]): T.Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  return T.tensor(rows.map((r) => [...r, ...Array(L - r.length).fill(PAD)]));
}

function batch(rng: T.Rng, size: number) {
  const src = Array.from({ length: size }, () => sample(rng));
  const rev = src.map((s) => [...s].reverse());
  return { src: pad(src.map((s) => [...s, EOS])), tgtIn: pad(rev.map((r) => [BOS, ...r])), targets: pad(rev.map((r) => [...r, EOS])) };
}

/** Greedy decoding, one sequence at a time, without a cache (generation has its own chapter). */
function greedy(model: EncoderDecoder, src: number[], maxLen: number): number[] {
  return T.noGrad(() => {
    const enc = model.encode(T.tensor([[...src, EOS]]));
    const out = [BOS];
    while (out.length <= maxLen) {
      const logits = model.decode(T.tensor([out]), enc); // (1, t, V)
      const next = logits.narrow(1, out.length - 1, 1).argmax().item();
      if (next === EOS) break;
      out.push(next);
    }
    return out.slice(1);
  });
}

test('encoder-decoder learns to reverse digit strings: >= 95% exact match on held-out strings', () => {
  T.manualSeed(0);
  const model = new EncoderDecoder({ ...SEQ2SEQ_PRESETS['seq2seq-small'], srcVocabSize: 13, tgtVocabSize: 13, dModel: 32, nHead: 2, dFF: 64, normPlacement: 'pre', padId: PAD });
  const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
  const rng = new T.Rng(1);
  const t0 = performance.now();
  const STEPS = 800;
  const lr = makeSchedule({ kind: 'cosine', lr: 3e-3, warmupSteps: 50, totalSteps: STEPS, minLr: 1e-4 });
  let step = 0;
  let loss = Infinity;
  while (step < STEPS) {
    const b = batch(rng, 32);
    const out = model.forward(b.src, b.tgtIn, b.targets);
    opt.setLr(lr(step));
    opt.zeroGrad();
    out.loss!.backward();
    clipGradNorm(model.parameters(), 1);
    opt.step();
    loss = out.loss!.item();
    step++;
  }
  model.eval();
  const held = new T.Rng(999);
  let correct = 0;
  const N = 100;
  for (let i = 0; i < N; i++) {
    const s = sample(held);
    const got = greedy(model, s, 10);
    if (got.join(',') === [...s].reverse().join(',')) correct++;
  }
  if (process.env.DEBUG_SEQ2SEQ) console.log({ step, loss, correct, seconds: (performance.now() - t0) / 1000 });
  assert.ok(correct / N >= 0.95, `exact match ${correct}/${N} after ${step} steps (loss ${loss.toFixed(3)})`);
});
