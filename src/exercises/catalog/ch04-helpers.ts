// Checks shared by the chapter 4-6 exercises: a tiny GPT's forward through the readable attention
// path (where causalMask, splitHeads and mergeHeads run), tested for causality and against the
// library's own functions; and the tiny GPT's training with a learner's function inside.

import { Tensor } from '../../tensor/tensor.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { GPT } from '../../model/gpt.js';
import { withReferences } from '../registry.js';
import { TINY_MODEL, lossFallsAsReference, trainTiny } from '../tiny-train.js';
import type { GPTConfigInput } from '../../model/config.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { randomIds } from '../helpers.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/**
 * A tiny GPT's logits with the attention weights recorded, which takes the readable attention path
 * (causalMask, splitHeads, scaledDotProductAttention, mergeHeads) instead of the fused kernel:
 * changing the token at position 8 must leave positions 0..7 untouched, and the logits must equal
 * those with the library's own functions.
 */
export function causalForwardStep(name = 'tiny GPT forward: the future never leaks'): ExtraCheck {
  return {
    kind: 'integration',
    name,
    run(): StepOutcome {
      manualSeed(3);
      const gpt = new GPT(TINY_MODEL as GPTConfigInput);
      const [B, T, V, t0] = [2, 12, TINY_MODEL.vocabSize, 8];
      const ids = randomIds(new Rng(5), B * T, V);
      const changed = ids.slice();
      for (let b = 0; b < B; b++) changed[b * T + t0] = (ids[b * T + t0]! + 1) % V;
      const logits = (x: number[]) =>
        gpt.forward(new Tensor(Float32Array.from(x), [B, T]), { recordAttention: [] }).logits.data;
      const mine = logits(ids);
      const other = logits(changed);
      const ref = withReferences(() => logits(ids));
      gpt.dispose();
      let leak = 0;
      for (let b = 0; b < B; b++) leak = Math.max(leak, maxDiff(mine, other, b * T * V, (b * T + t0) * V));
      if (leak > 1e-6)
        return {
          passed: false,
          maxAbsDiff: leak,
          message:
            `changing the token at position ${t0} changed the logits at earlier positions (by up ` +
            `to ${leak.toExponential(2)}): attention sees the future`,
        };
      const d = maxDiff(mine, ref);
      const ok = d <= 1e-4;
      return {
        passed: ok,
        maxAbsDiff: d,
        message: ok
          ? `causal, and the logits equal the reference's (max |Δ| ${d.toExponential(2)})`
          : `the tiny GPT's logits differ from the reference's by up to ${d.toExponential(2)} with your ` +
            `function inside`,
      };
    },
  };
}

/** The tiny GPT trains 40 steps with the learner's function inside, its loss falling as the reference's. */
export function tinyTrainStep(
  name: string,
  model: Partial<GPTConfigInput> = {},
  timeLimitMs = 8000,
): ExtraCheck {
  return {
    kind: 'integration',
    name,
    timeLimitMs,
    run: () => lossFallsAsReference(() => trainTiny(model)),
  };
}
