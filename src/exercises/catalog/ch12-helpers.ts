// Building blocks of the chapter 12 exercises (alignment): the cases' inputs, plain-number versions of
// the losses and advantages with one part changed (to name a learner's mistake), and the integration
// steps: a tiny
// GPT's sequence log-probabilities against its masked cross-entropy, and a few DPO steps on a tiny
// GPT (Rafailov et al., 2023) with the learner's loss, which must raise the chosen-minus-rejected
// log-ratio (π_c - ref_c) - (π_r - ref_r) as the library's own loss does.

import { Tensor } from '../../tensor/tensor.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { AdamW } from '../../train/adamw.js';
import { maskedTargets } from '../../train/batches.js';
import { instructBatch } from '../../train/instruct/batches.js';
import { sequenceLogProbs } from '../../train/align/logprobs.js';
import { constant, dpo } from '../../train/align/dpo.js';
import { dpoBatches, dpoLossFn, referenceLogProbs } from '../../train/align/dpo-train.js';
import { encodeResponse, type EncodedPair } from '../../train/align/pairs.js';
import { withReferences } from '../registry.js';
import { TINY_MODEL } from '../tiny-train.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { randn } from '../helpers.js';

/** log σ(x), stable for every x: min(x, 0) - log(1 + e^{-|x|}). */
export const logSigmoid = (x: number) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
export const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The numbers of a Tensor, typed array or number array; null for anything else. */
export function numbersOf(v: unknown): ArrayLike<number> | null {
  if (v instanceof Tensor) return v.data;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return v as unknown as ArrayLike<number>;
  return null;
}

/** Whether `got` holds the numbers `want` within a loose tolerance (to recognise a variant). */
export function near(got: unknown, want: ArrayLike<number>, rtol = 1e-3): boolean {
  const g = numbersOf(got);
  if (!g || g.length !== want.length) return false;
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(g[i]! - want[i]!) <= 1e-4 + rtol * Math.abs(want[i]!))) return false;
  return true;
}

/** Whether `got` has a NaN or infinite number. */
export function nonFinite(got: unknown): boolean {
  const g = numbersOf(got);
  return g !== null && Array.from(g).some((v) => !Number.isFinite(v));
}

/** -mean log σ(z_i) of the margins z, or a changed form of it. */
export function pairLoss(z: readonly number[], o: { sum?: boolean; noMinus?: boolean } = {}): number {
  const s = z.reduce((a, v) => a + logSigmoid(v), 0) / (o.sum ? 1 : z.length);
  return o.noMinus ? s : -s;
}

/** Group advantages with one part changed: population std, no 1e-4, 1e-4 inside the root, ... */
export function advantagesVariant(
  r: readonly number[],
  o: { population?: boolean; noEps?: boolean; epsInRoot?: boolean; noStd?: boolean; noMean?: boolean },
): number[] {
  const G = r.length;
  const m = meanOf(r);
  const ss = r.reduce((a, v) => a + (v - m) ** 2, 0);
  const variance = ss / (o.population ? G : G - 1);
  const denom = o.noStd
    ? 1
    : o.epsInRoot
      ? Math.sqrt(variance + 1e-4)
      : Math.sqrt(variance) + (o.noEps ? 0 : 1e-4);
  return r.map((v) => (o.noMean ? v : v - m) / denom);
}

export const UNSTABLE =
  'log σ(z) underflows: σ(-200) is 0 in float32 (and e^{1000} is Infinity), so log σ(z) gives ' +
  '-Infinity; use the stable form log σ(z) = min(z, 0) - log(1 + e^{-|z|}) (or z.logSigmoid())';

/** A (B) tensor of the given numbers; a (B, T) tensor of random ids below V. */
export const vec = (xs: readonly number[]) => new Tensor(Float32Array.from(xs), [xs.length]);
export const ids = (rng: Rng, shape: number[], V: number) =>
  new Tensor(
    Float32Array.from({ length: shape[0]! * shape[1]! }, () => rng.randint(0, V)),
    shape,
  );

export type LogpArgs = [Tensor, Tensor, Tensor];

export function logpCase(
  rng: Rng,
  [B, T, V]: [number, number, number],
  mask: number[][],
  scale = 1,
): LogpArgs {
  return [
    randn(rng, [B, T, V], { scale }),
    ids(rng, [B, T], V),
    new Tensor(Float32Array.from(mask.flat()), [B, T]),
  ];
}

/** log-probabilities (or probabilities, or over the wrong axis) of the targets, masked or not. */
export function logpVariant(
  [logits, y, mask]: LogpArgs,
  o: { noMask?: boolean; probs?: boolean; axisT?: boolean },
) {
  const [B, T] = y.shape;
  const lp = o.probs ? logits.softmax(-1) : logits.logSoftmax(o.axisT ? 1 : -1);
  const picked = lp.gather(2, y.reshape(B!, T!, 1)).reshape(B!, T!);
  return (o.noMask ? picked : picked.mul(mask)).data;
}

export type DpoArgs = [Tensor, Tensor, Tensor, Tensor, number];

/** B pairs of summed log-probabilities around -20, the policy's within ~1 nat of the reference's. */
export function dpoCase(rng: Rng, B: number, beta: number): DpoArgs {
  const around = (xs: number[]) => xs.map((v) => v + rng.normal());
  const rc = Array.from({ length: B }, () => -20 + 3 * rng.normal());
  const rr = Array.from({ length: B }, () => -20 + 3 * rng.normal());
  return [vec(around(rc)), vec(around(rr)), vec(rc), vec(rr), beta];
}

/** The margins z_i = βc (π_c - ref_c) - βr (π_r - ref_r), with the parts a mistake changes. */
export function dpoMargins(
  [pc, pr, rc, rr, beta]: DpoArgs,
  o: { bc?: number; br?: number; noRef?: boolean } = {},
) {
  const ref = o.noRef ? 0 : 1;
  return Array.from(
    pc.data,
    (v, i) => (o.bc ?? beta) * (v - ref * rc.data[i]!) - (o.br ?? beta) * (pr.data[i]! - ref * rr.data[i]!),
  );
}

/** A mistake shared by the two pairwise losses, from the margins the right answer uses. */
export function pairLossMistake(got: unknown, want: unknown, z: number[]): string | null {
  if (nonFinite(got) && !nonFinite(want)) return UNSTABLE;
  if (z.length > 1 && near(got, [pairLoss(z, { sum: true })]))
    return `this is the sum over the ${z.length} pairs: the loss is their mean`;
  if (near(got, [pairLoss(z, { noMinus: true })]))
    return 'the minus sign is missing: the loss is -log σ(z), which is ≥ 0 and falls as z grows';
  if (near(got, [pairLoss(z.map((v) => -v))]))
    return 'chosen and rejected are swapped: the margin is chosen minus rejected, and it should grow';
  return null;
}

export const rewardsCase = (rng: Rng, B: number, offset = 0, scale = 1): [Tensor, Tensor] => [
  vec(Array.from({ length: B }, () => offset + scale * rng.normal())),
  vec(Array.from({ length: B }, () => offset + scale * rng.normal())),
];

const mean = meanOf;

/**
 * token-logprobs' integration step: a tiny GPT's sequence log-probabilities (through the learner's
 * function) of a right-padded prompt + response batch equal minus its masked cross-entropy times
 * the number of response tokens, row by row.
 */
export function sequenceLogProbsStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT: Σ log p(response) = -(masked cross-entropy) × response tokens',
    run(): StepOutcome {
      manualSeed(4);
      const gpt = new GPT(TINY_MODEL as GPTConfigInput);
      try {
        gpt.eval();
        const rows = [
          { ids: [1, 2, 3, 4, 5, 15], promptLen: 3 },
          { ids: [7, 8, 9, 15], promptLen: 1 },
          { ids: [3, 3, 15], promptLen: 2 },
        ];
        const batch = instructBatch(rows, 15);
        const mine = noGrad(() => sequenceLogProbs(gpt, batch));
        let worst = 0;
        for (let i = 0; i < rows.length; i++) {
          const one = instructBatch([rows[i]!], 15);
          const ce = noGrad(() => gpt.forward(one.x, { targets: maskedTargets(one) }).loss!.item());
          const want = -ce * mine.counts[i]!;
          worst = Math.max(worst, Math.abs(mine.sum.data[i]! - want));
          if (!(Math.abs(mine.sum.data[i]! - want) <= 1e-4 + 1e-4 * Math.abs(want)))
            return {
              passed: false,
              maxAbsDiff: Math.abs(mine.sum.data[i]! - want),
              message:
                `row ${i}: Σ log p(response) is ${mine.sum.data[i]!.toFixed(4)} with your function, but ` +
                `-(cross-entropy) × ${mine.counts[i]} tokens = ${want.toFixed(4)}`,
            };
        }
        return {
          passed: true,
          maxAbsDiff: worst,
          message:
            "every row's summed log-probability equals -(masked cross-entropy) × tokens " +
            `(max |Δ| ${worst.toExponential(2)})`,
        };
      } finally {
        gpt.dispose();
      }
    },
  };
}

/** Eight preference pairs over the tiny GPT's 16 ids: prompt, a chosen and a rejected answer. */
function tinyPairs(): EncodedPair[] {
  const rng = new Rng(12);
  const eos = 15;
  const maxLen = TINY_MODEL.blockSize! + 1;
  return Array.from({ length: 8 }, () => {
    const prompt = Array.from({ length: 3 }, () => rng.randint(0, 10));
    const chosen = prompt.map((v) => (v + 1) % 10); // the rule the pairs teach: each id plus one
    const rejected = prompt.map((v) => (v + 5) % 10);
    return {
      chosen: encodeResponse(prompt, chosen, eos, maxLen),
      rejected: encodeResponse(prompt, rejected, eos, maxLen),
    };
  });
}

interface DpoRun {
  /** Mean of (π_c - ref_c) - (π_r - ref_r) over the pairs, after each step (before: 0). */
  logRatios: number[];
  losses: number[];
}

/** `steps` AdamW steps of DPO (β 0.1) on the tiny GPT with whatever the registry holds now. */
function runTinyDpo(steps = 6): DpoRun {
  manualSeed(3);
  const gpt = new GPT(TINY_MODEL as GPTConfigInput);
  try {
    const pairs = tinyPairs();
    const ref = withReferences(() => referenceLogProbs(gpt, pairs, 8, 15));
    const [batch] = dpoBatches(pairs, ref, 8, 15);
    const B = pairs.length;
    const logRatio = () =>
      noGrad(() => {
        const s = sequenceLogProbs(gpt, batch!).sum; // (2B)
        const d = dpo(
          s.narrow(0, 0, B),
          s.narrow(0, B, B),
          constant(ref.chosen),
          constant(ref.rejected),
          0.1,
        );
        return d.stats.rewardMargin / 0.1;
      });
    const opt = new AdamW(gpt.parameters(), { lr: 1e-2 });
    const lossOf = dpoLossFn(0.1);
    const out: DpoRun = { logRatios: [], losses: [] };
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = lossOf(gpt, batch!);
      loss.backward();
      opt.step();
      out.losses.push(loss.item());
      out.logRatios.push(logRatio());
    }
    opt.dispose();
    return out;
  } finally {
    gpt.dispose();
  }
}

/**
 * dpo-loss' integration step: a few DPO steps on a tiny GPT with the learner's loss raise the
 * chosen-minus-rejected log-ratio (0 at the start, where the policy is the reference) about as far
 * as the library's loss does.
 */
export function dpoRaisesMarginStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT: 6 DPO steps raise the chosen-minus-rejected log-ratio',
    timeLimitMs: 8000,
    run(): StepOutcome {
      const mine = runTinyDpo();
      const bad = mine.losses.findIndex((l) => !Number.isFinite(l));
      if (bad >= 0)
        return { passed: false, message: `the loss became ${mine.losses[bad]} at step ${bad + 1}` };
      const ref = withReferences(() => runTinyDpo());
      const [m, r] = [mine.logRatios.at(-1)!, ref.logRatios.at(-1)!];
      const ok = m > 0 && m >= 0.5 * r;
      return {
        passed: ok,
        maxAbsDiff: Math.abs(m - r),
        message: ok
          ? `log-ratio 0 -> ${m.toFixed(3)} in ${mine.logRatios.length} steps, loss ` +
            `${mine.losses[0]!.toFixed(3)} -> ${mean(mine.losses.slice(-2)).toFixed(3)} ` +
            `(reference: log-ratio 0 -> ${r.toFixed(3)})`
          : `with your loss the chosen-minus-rejected log-ratio went 0 -> ${m.toFixed(3)}; with the ` +
            `reference it rises 0 -> ${r.toFixed(3)}` +
            (m < 0 ? ': training pushes the rejected answer up (chosen and rejected swapped?)' : ''),
      };
    },
  };
}
