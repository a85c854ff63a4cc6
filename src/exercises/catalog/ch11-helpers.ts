// Checks shared by the chapter 11 exercises: a tiny GPT with LoRA adapters trained for a few
// steps (only A and B may change, and the loss must fall as with the library's own layer), the
// same model's logits merged and unmerged, and a tiny GPT classifier on a right-padded batch.

import { Tensor } from '../../tensor/tensor.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { applyLora, loraLayers, mergeLora, unmergeLora } from '../../model/lora-apply.js';
import { AdamW } from '../../train/adamw.js';
import { GPTClassifier } from '../../train/classify/head.js';
import { withReferences } from '../registry.js';
import { TINY_MODEL, toyTokens } from '../tiny-train.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { randomIds } from '../helpers.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const isAdapter = (name: string) => /\.lora_[AB]\.weight$/.test(name);

/** A tiny GPT (seeded) with LoRA (r 2, α 4) on c_attn, c_proj and c_fc; everything else frozen. */
function tinyLoraGpt(): GPT {
  manualSeed(1);
  const gpt = new GPT(TINY_MODEL as GPTConfigInput);
  applyLora(gpt, { r: 2, alpha: 4 });
  return gpt;
}

interface LoraRun {
  losses: number[];
  /** Names of frozen parameters that changed. */
  frozenChanged: string[];
  /** Names of adapter weights that did not change. */
  adapterStill: string[];
}

/** Trains the tiny LoRA GPT `steps` AdamW steps on the toy sequence with whatever the registry holds. */
function trainTinyLora(steps = 30): LoraRun {
  const gpt = tinyLoraGpt();
  const before = new Map(gpt.namedParameters().map(([n, p]) => [n, p.data.slice()]));
  const opt = new AdamW(
    gpt.parameters().filter((p) => p.requiresGrad),
    { lr: 1e-2 },
  );
  const tokens = toyTokens(2000);
  const rng = new Rng(3);
  const [B, T] = [4, TINY_MODEL.blockSize!];
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const idx = new Float32Array(B * T);
    const tgt: number[] = [];
    for (let b = 0; b < B; b++) {
      const start = rng.randint(0, tokens.length - T - 1);
      for (let t = 0; t < T; t++) {
        idx[b * T + t] = tokens[start + t]!;
        tgt.push(tokens[start + t + 1]!);
      }
    }
    const { loss } = gpt.forward(new Tensor(idx, [B, T]), { targets: tgt });
    opt.zeroGrad();
    loss!.backward();
    opt.step();
    losses.push(loss!.item());
  }
  const frozenChanged: string[] = [];
  const adapterStill: string[] = [];
  for (const [n, p] of gpt.namedParameters()) {
    const same = maxDiff(p.data, before.get(n)!) === 0;
    if (isAdapter(n) && same) adapterStill.push(n);
    if (!isAdapter(n) && !same) frozenChanged.push(n);
  }
  opt.dispose();
  gpt.dispose();
  return { losses, frozenChanged, adapterStill };
}

/**
 * lora-forward's integration step: the tiny GPT with LoRA trains 30 steps with the learner's
 * forward in every adapted layer; only the adapters' A and B may change, and the loss must fall
 * about as far as with the library's own forward.
 */
export function loraTrainsStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT with LoRA trains 30 steps: only A and B change',
    timeLimitMs: 8000,
    run(): StepOutcome {
      const mine = trainTinyLora();
      if (mine.losses.some((l) => !Number.isFinite(l))) {
        const i = mine.losses.findIndex((l) => !Number.isFinite(l));
        return { passed: false, message: `the loss became ${mine.losses[i]} at step ${i + 1}` };
      }
      if (mine.frozenChanged.length > 0)
        return {
          passed: false,
          message:
            `frozen weights changed while training (${mine.frozenChanged.slice(0, 2).join(', ')}): ` +
            'only lora_A and lora_B may learn',
        };
      if (mine.adapterStill.length > 0)
        return {
          passed: false,
          message:
            `${mine.adapterStill[0]} never changed: no gradient reached it, so build the LoRA path from ` +
            'tensor ops on A and B themselves (not on copies of their .data)',
        };
      const ref = withReferences(() => trainTinyLora()).losses;
      const k = 4;
      const [m0, m1] = [mean(mine.losses.slice(0, k)), mean(mine.losses.slice(-k))];
      const [r0, r1] = [mean(ref.slice(0, k)), mean(ref.slice(-k))];
      const ok = m1 <= r1 * 1.1 + 0.02;
      return {
        passed: ok,
        maxAbsDiff: Math.abs(m1 - r1),
        message: ok
          ? `loss ${m0.toFixed(3)} -> ${m1.toFixed(3)} in ${mine.losses.length} steps, only A and B ` +
            `changed (reference ${r0.toFixed(3)} -> ${r1.toFixed(3)})`
          : `with your LoRA forward inside, the loss only fell ${m0.toFixed(3)} -> ${m1.toFixed(3)}; with ` +
            `the reference it falls ${r0.toFixed(3)} -> ${r1.toFixed(3)}`,
      };
    },
  };
}

/**
 * lora-merge's integration step: the tiny LoRA GPT with random (non-zero) A and B gives the same
 * logits merged (through the learner's merge) as unmerged, and unmerge restores W exactly.
 */
export function mergeEqualsUnmergedStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT with LoRA: merged logits equal unmerged',
    run(): StepOutcome {
      const gpt = tinyLoraGpt();
      try {
        const rng = new Rng(11);
        for (const [, l] of loraLayers(gpt))
          for (const p of [l.lora_A.weight, l.lora_B.weight])
            for (let i = 0; i < p.size; i++) p.data[i] = rng.normal() * 0.3;
        const ids = new Tensor(Float32Array.from(randomIds(new Rng(5), 2 * 12, 16)), [2, 12]);
        const logits = () => noGrad(() => gpt.forward(ids).logits.data.slice());
        const unmerged = withReferences(logits);
        const w0 = loraLayers(gpt).map(([, l]) => l.weight.data.slice());
        mergeLora(gpt);
        const merged = withReferences(logits);
        unmergeLora(gpt);
        const restored = loraLayers(gpt).every(([, l], i) => maxDiff(l.weight.data, w0[i]!) === 0);
        const d = maxDiff(merged, unmerged);
        if (!Number.isFinite(d) || d > 1e-4)
          return {
            passed: false,
            maxAbsDiff: d,
            message:
              `after merging with your function the logits differ from the unmerged model's by up to ` +
              `${d.toExponential(2)}: W' must be W + (α/r)·B·A`,
          };
        return {
          passed: restored,
          maxAbsDiff: d,
          message: restored
            ? `merged and unmerged logits agree (max |Δ| ${d.toExponential(2)}), unmerge restores W exactly`
            : 'unmerge did not restore W: did your function change the weight in place?',
        };
      } finally {
        gpt.dispose();
      }
    },
  };
}

/**
 * last-token-pool's integration step: a tiny GPT classifier on a right-padded batch gives the
 * reference's logits and gradients, and changing the pad tokens changes nothing.
 */
export function classifierPaddingStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'tiny GPT classifier: pads change nothing, logits and gradients as the reference',
    run(): StepOutcome {
      manualSeed(2);
      const clf = new GPTClassifier(new GPT(TINY_MODEL as GPTConfigInput), ['no', 'yes', 'maybe']);
      try {
        const [B, T] = [3, 10];
        const lengths = [4, 10, 7];
        const ids = randomIds(new Rng(8), B * T, 16);
        const otherPads = ids.slice();
        lengths.forEach((len, b) => {
          for (let t = len; t < T; t++) {
            ids[b * T + t] = 0;
            otherPads[b * T + t] = 1 + ((b + t) % 15);
          }
        });
        const run = (x: number[]) => {
          clf.zeroGrad();
          const { logits, loss } = clf.loss(new Tensor(Float32Array.from(x), [B, T]), lengths, [0, 2, 1]);
          loss.backward();
          return { logits: logits.data.slice(), grad: clf.score.weight.grad!.data.slice() };
        };
        const mine = run(ids);
        const pads = run(otherPads);
        const ref = withReferences(() => run(ids));
        const dPad = maxDiff(mine.logits, pads.logits);
        if (!(dPad <= 1e-6))
          return {
            passed: false,
            maxAbsDiff: dPad,
            message:
              'changing the pad tokens after each row changed the logits: the pooled state must be ' +
              'the last REAL token, position lengths[b] - 1, which never sees the pads (causal)',
          };
        const d = Math.max(maxDiff(mine.logits, ref.logits), maxDiff(mine.grad, ref.grad));
        const ok = d <= 1e-5;
        return {
          passed: ok,
          maxAbsDiff: d,
          message: ok
            ? `pads change nothing; logits and the head's gradient equal the reference's (max |Δ| ` +
              `${d.toExponential(2)})`
            : "the classifier's logits or gradients differ from the reference's by up to " +
              d.toExponential(2),
        };
      } finally {
        clf.gpt.dispose();
      }
    },
  };
}
