// The encoder-decoder learns a real sequence-to-sequence task end to end: reversing digit
// strings of length 3-8 (test/helpers/seq2seq-reversal.ts: warm-up + cosine AdamW, clipping),
// judged by greedy decoding on 100 held-out strings (exact match >= 95%).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import type { EncoderDecoder } from '../../src/model/index.js';
import { trainReversal, sampleDigits, BOS, EOS } from '../helpers/seq2seq-reversal.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';

// Training-heavy tests run on the fast backend (the kernel tests prove it equals the reference).
await useFastBackend();

/** Greedy decoding, one sequence at a time, without a cache (generation has its own chapter). */
function greedy(model: EncoderDecoder, src: number[], maxLen: number): number[] {
  return T.noGrad(() => {
    const enc = model.encode(T.tensor([[...src, EOS]]));
    const out = [BOS];
    while (out.length <= maxLen) {
      const logits = model.decode(T.tensor([out]), enc); // (1, t, V)
      const next = logits
        .narrow(1, out.length - 1, 1)
        .argmax()
        .item();
      if (next === EOS) break;
      out.push(next);
    }
    return out.slice(1);
  });
}

test('encoder-decoder learns to reverse digit strings: >= 95% exact match on held-out strings', () => {
  const t0 = performance.now();
  const { model, loss } = trainReversal({ steps: 800, minLen: 3, maxLen: 8, lr: 3e-3 });
  const held = new T.Rng(999);
  let correct = 0;
  const N = 100;
  for (let i = 0; i < N; i++) {
    const s = sampleDigits(held, 3, 8);
    if (greedy(model, s, 10).join(',') === [...s].reverse().join(',')) correct++;
  }
  if (process.env.DEBUG_SEQ2SEQ) console.log({ loss, correct, seconds: (performance.now() - t0) / 1000 });
  assert.ok(correct / N >= 0.95, `exact match ${correct}/${N} (last batch loss ${loss.toFixed(3)})`);
});
