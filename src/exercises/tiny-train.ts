// The integration step's workbench: a tiny GPT trained for a few dozen steps on a toy sequence
// that is easy to learn (a repeating pattern with a little noise), so a check can ask "with the
// learner's function inside, does the loss fall as it does with the library's own?" in a second.

import { GPT } from '../model/gpt.js';
import type { GPTConfigInput } from '../model/config.js';
import { train, type TrainResult } from '../train/trainer.js';
import type { TrainConfig } from '../train/config.js';
import { Rng, manualSeed } from '../tensor/rng.js';
import { withReferences } from './registry.js';
import type { StepOutcome } from './spec.js';

export interface TinyRun {
  /** Loss of each step. */
  losses: number[];
  result: TrainResult;
}

/** A toy corpus over `vocab` ids: a cycle 0..9 repeated, with 5% random tokens. */
export function toyTokens(n: number, vocab = 16, seed = 7): Uint16Array {
  const rng = new Rng(seed);
  const t = new Uint16Array(n);
  for (let i = 0; i < n; i++) t[i] = rng.random() < 0.05 ? rng.randint(0, vocab) : i % 10;
  return t;
}

export const TINY_MODEL: GPTConfigInput = { vocabSize: 16, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };

/** Trains a fresh tiny GPT (seeded) with whatever the registry holds now; returns the step losses. */
export function trainTiny(model: Partial<GPTConfigInput> = {}, config: Partial<TrainConfig> = {}): TinyRun {
  const tokens = toyTokens(2000);
  manualSeed(1);
  const gpt = new GPT({ ...TINY_MODEL, ...model } as GPTConfigInput);
  const losses: number[] = [];
  const result = train(
    gpt,
    { train: tokens.subarray(0, 1600), val: tokens.subarray(1600) },
    { steps: 40, batchSize: 4, lr: 1e-2, evalInterval: 1000, evalBatches: 1, warmupSteps: 0, ...config },
    { onStep: (s) => losses.push(s.loss) },
  );
  gpt.dispose();
  return { losses, result };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The integration verdict: run `session` with the learner's function (installed by the checker)
 * and again with the library's references, and require the loss to fall about as far.
 */
export function lossFallsAsReference(session: () => TinyRun, tolerance = 0.1): StepOutcome {
  const mine = session().losses;
  const ref = withReferences(session).losses;
  if (mine.some((l) => !Number.isFinite(l))) {
    const i = mine.findIndex((l) => !Number.isFinite(l));
    return {
      passed: false,
      message: `the loss became ${mine[i]} at step ${i + 1} with your function inside`,
    };
  }
  const k = Math.max(1, Math.floor(mine.length / 8));
  const [m0, m1] = [mean(mine.slice(0, k)), mean(mine.slice(-k))];
  const [r0, r1] = [mean(ref.slice(0, k)), mean(ref.slice(-k))];
  const ok = m1 <= r1 * (1 + tolerance) + 0.02;
  return {
    passed: ok,
    maxAbsDiff: Math.abs(m1 - r1),
    message: ok
      ? `loss ${m0.toFixed(3)} -> ${m1.toFixed(3)} in ${mine.length} steps ` +
        `(reference ${r0.toFixed(3)} -> ${r1.toFixed(3)})`
      : `with your function inside, the loss only fell ${m0.toFixed(3)} -> ${m1.toFixed(3)} in ` +
        `${mine.length} steps; with the reference it falls ${r0.toFixed(3)} -> ${r1.toFixed(3)}`,
  };
}
