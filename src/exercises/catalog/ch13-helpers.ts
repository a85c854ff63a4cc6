// Helpers for chapter 13's exercises: random weight matrices with a few outliers, the usual wrong
// variants of each quantizer and of the pruning mask (for diagnose), and the integration steps: a
// tiny GPT trained with the library, then quantized or pruned with the learner's function, must
// score its held-out tokens as it does with the reference.

import type { Rng } from '../../tensor/rng.js';
import { manualSeed } from '../../tensor/rng.js';
import { tensor } from '../../tensor/creation.js';
import { noGrad } from '../../tensor/grad-mode.js';
import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { train } from '../../train/trainer.js';
import { withReferences } from '../registry.js';
import { TINY_MODEL, toyTokens } from '../tiny-train.js';
import { quantizeModel } from '../../quant/quantize-model.js';
import type { QuantizeOptions } from '../../quant/quantized-linear.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { magnitudePrune } from '../../prune/magnitude.js';

/** A (rows, cols) matrix of N(0, 0.02²)-ish weights, with `outliers` entries 20x larger. */
export function weights(rng: Rng, rows: number, cols: number, outliers = 0): Float32Array {
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) w[i] = 0.02 * (rng.random() + rng.random() + rng.random() - 1.5);
  for (let k = 0; k < outliers; k++) w[rng.randint(0, w.length)] = 0.4 * (rng.random() < 0.5 ? -1 : 1);
  return w;
}

/** The int8 codes with a variant of the scale rule: for naming a learner's mistake. */
export function int8Variant(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  o: { levels?: number; global?: boolean; trunc?: boolean },
): number[] {
  const levels = o.levels ?? 127;
  const amaxOf = (r: number) => {
    let m = 0;
    for (let j = 0; j < cols; j++) m = Math.max(m, Math.abs(w[(o.global ? 0 : r) * cols + j]));
    if (o.global) for (let i = 0; i < rows * cols; i++) m = Math.max(m, Math.abs(w[i]));
    return m;
  };
  const q: number[] = [];
  for (let r = 0; r < rows; r++) {
    const s = Math.fround(amaxOf(r) / levels);
    for (let j = 0; j < cols; j++) {
      const v = s === 0 ? 0 : (o.trunc ? Math.trunc : Math.round)(w[r * cols + j] / s);
      q.push(Math.max(-127, Math.min(127, v)));
    }
  }
  return q;
}

/**
 * A tiny GPT trained 60 steps on the toy corpus with the library's own functions, in eval mode, and
 * its next-token loss on 16 held-out tokens (call it again after changing the model).
 */
function trainedTinyGpt(): { gpt: GPT; loss: () => number } {
  const tokens = toyTokens(2000);
  manualSeed(5);
  const gpt = new GPT({ ...TINY_MODEL, nEmbd: 32 } as GPTConfigInput);
  withReferences(() =>
    train(
      gpt,
      { train: tokens.subarray(0, 1600), val: tokens.subarray(1600) },
      { steps: 60, batchSize: 4, lr: 1e-2, evalInterval: 1000, evalBatches: 1, warmupSteps: 0 },
    ),
  );
  gpt.eval();
  const ids = Array.from(tokens.subarray(1600, 1617));
  const loss = () =>
    noGrad(() =>
      gpt.forward(tensor([ids.slice(0, 16)]), { targets: tensor([ids.slice(1, 17)]) }).loss!.item(),
    );
  return { gpt, loss };
}

/** Held-out loss of the trained tiny GPT before and after quantizing it as `o` says. */
function quantizedLoss(o: QuantizeOptions): { float: number; quantized: number } {
  const { gpt, loss } = trainedTinyGpt();
  const float = loss();
  quantizeModel(gpt, o);
  return { float, quantized: loss() };
}

/** Integration: quantize a trained tiny GPT with the learner's function; its loss must match. */
export function quantizedGptStep(o: QuantizeOptions, label: string): ExtraCheck {
  return {
    kind: 'integration',
    name: `tiny GPT trained 60 steps, quantized to ${label}: held-out loss as with the reference`,
    timeLimitMs: 8000,
    run(): StepOutcome {
      const mine = quantizedLoss(o);
      const ref = withReferences(() => quantizedLoss(o));
      const d = Math.abs(mine.quantized - ref.quantized);
      const ok = Number.isFinite(mine.quantized) && d <= 1e-3 * Math.max(1, Math.abs(ref.quantized));
      return {
        passed: ok,
        maxAbsDiff: d,
        message: ok
          ? `loss ${mine.float.toFixed(4)} in float, ${mine.quantized.toFixed(4)} quantized (reference ` +
            `${ref.quantized.toFixed(4)})`
          : `quantized with your function the loss is ${mine.quantized.toFixed(4)}; with the reference ` +
            `${ref.quantized.toFixed(4)} (float: ${ref.float.toFixed(4)})`,
      };
    },
  };
}

/** Masks with a variant rule: for naming a learner's mistake. */
export function maskVariant(
  arrays: Float32Array[],
  s: number,
  o: { signed?: boolean; perArray?: boolean; floor?: boolean },
): number[] {
  const groups = o.perArray ? arrays.map((a) => [a]) : [arrays];
  const out: number[][] = arrays.map((a) => Array.from(a, () => 1));
  for (const g of groups) {
    const n = g.reduce((t, a) => t + a.length, 0);
    const k = (o.floor ? Math.floor : Math.round)(s * n);
    const entries: [number, number, number][] = [];
    g.forEach((a) => {
      const ai = arrays.indexOf(a);
      a.forEach((v, i) => entries.push([o.signed ? v : Math.abs(v), ai, i]));
    });
    entries.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
    for (const [, ai, i] of entries.slice(0, k)) out[ai][i] = 0;
  }
  return out.flat();
}

/** Held-out loss of the trained tiny GPT with half its attention/MLP weights pruned. */
function prunedLoss(): number {
  const { gpt, loss } = trainedTinyGpt();
  magnitudePrune(gpt, 0.5, 'global');
  return loss();
}

/** Integration: prune a trained tiny GPT to 50% with the learner's masks; the loss must match. */
export function prunedGptStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT trained 60 steps, half its weights pruned: held-out loss as with the reference',
    timeLimitMs: 8000,
    run(): StepOutcome {
      const mine = prunedLoss();
      const ref = withReferences(prunedLoss);
      const d = Math.abs(mine - ref);
      const ok = Number.isFinite(mine) && d <= 1e-6 * Math.max(1, Math.abs(ref));
      return {
        passed: ok,
        maxAbsDiff: d,
        message: ok
          ? `loss ${mine.toFixed(4)} after pruning 50% (reference ${ref.toFixed(4)})`
          : `pruned with your masks the loss is ${mine.toFixed(4)}; with the reference ${ref.toFixed(4)}`,
      };
    },
  };
}
