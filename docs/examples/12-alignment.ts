// Chapter 12, example: the three alignment methods side by side on the tiny GPT-2 fixture, on a
// preference a rule can check (responses that end in "a a a" are preferred to "z z z").
//   1. log π(response | prompt) of both responses;  2. DPO steps raise the reward margin;
//   3. a reward model learns to rank held-out pairs;  4. GRPO's advantages, and a few GRPO steps
//   raise a verifiable reward.            npx tsx docs/examples/12-alignment.ts

import { join } from 'node:path';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { train } from '../../src/train/trainer.js';
import { encodePair, pairBatch } from '../../src/train/align/pairs.js';
import { sequenceLogProbs } from '../../src/train/align/logprobs.js';
import {
  dpoBatches,
  dpoLossFn,
  evaluateDpo,
  PairSource,
  referenceLogProbs,
} from '../../src/train/align/dpo-train.js';
import { RewardModel } from '../../src/train/align/reward-model.js';
import { trainRewardModel } from '../../src/train/align/reward-train.js';
import { groupAdvantages } from '../../src/train/align/grpo.js';
import { GrpoSource, grpoLossFn } from '../../src/train/align/grpo-train.js';
import { noGrad } from '../../src/tensor/grad-mode.js';

const fixture = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hf-gpt2', 'tiny');
const EOS = 288;
manualSeed(0);
const { model, tokenizer } = loadPretrained(fixture);
const tok = tokenizer!;
model.eval();

// Preference pairs: the same prompt, a preferred and a dispreferred response.
const rng = new Rng(1);
const pairs = (n: number) =>
  Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 }, () => String.fromCharCode(98 + rng.randint(0, 20))).join('');
    return encodePair(tok, null, { prompt: `${w}: `, chosen: `${w} a a a`, rejected: `${w} z z z` }, EOS, 40);
  });
const trainPairs = pairs(32);
const heldOut = pairs(16);

// 1. Sequence log-probabilities: one forward pass over chosen and rejected rows.
const s = noGrad(() => sequenceLogProbs(model, pairBatch(heldOut.slice(0, 1), EOS)));
const [c, r] = Array.from(s.sum.data, (v) => v.toFixed(2));
console.log(`log π(chosen) = ${c}, log π(rejected) = ${r} (${s.counts.join(' and ')} response tokens)`);

// 2. DPO: the starting model is the reference, so its log-probabilities are computed once.
const beta = 0.1;
const val = dpoBatches(heldOut, referenceLogProbs(model, heldOut, 8, EOS), 8, EOS);
const fmt = (x: { rewardMargin: number; preferenceAccuracy: number }) =>
  `margin ${x.rewardMargin.toFixed(2)}, accuracy ${(100 * x.preferenceAccuracy).toFixed(0)}%`;
console.log(`DPO, held-out pairs before: ${fmt(evaluateDpo(model, val, beta))}`);
const ref = referenceLogProbs(model, trainPairs, 8, EOS);
train(
  model,
  { batches: new PairSource(trainPairs, ref, 8, EOS, 0), val: [], loss: dpoLossFn(beta) },
  { steps: 10, lr: 1e-3, warmupSteps: 0, evalInterval: 100, batchSize: 8 },
);
console.log(`DPO, held-out pairs after 10 steps: ${fmt(evaluateDpo(model, val, beta))}`);

// 3. A reward model: a fresh body with a scalar head, trained with -log σ(r_chosen - r_rejected).
manualSeed(0);
const rm = new RewardModel(loadPretrained(fixture).model);
const rmRun = trainRewardModel(rm, { train: trainPairs, val: heldOut }, { steps: 30, lr: 1e-3, padId: EOS });
console.log(
  `reward model, held-out pairwise accuracy after 30 steps: ${(100 * rmRun.final!.accuracy).toFixed(0)}%`,
);

// 4. GRPO: a group's rewards become advantages relative to the group.
const adv = groupAdvantages([1, 0, 0, 1]).map((a) => a.toFixed(3));
console.log(`group rewards [1, 0, 0, 1] -> advantages [${adv.join(', ')}]`);
manualSeed(0);
const policy = loadPretrained(fixture).model;
const reward = (text: string) => [...text].filter((ch) => ch === 'e').length / Math.max(text.length, 1);
const means: number[] = [];
const source = new GrpoSource(
  policy,
  Array.from({ length: 6 }, (_, i) => ({ prompt: `x${i}: ` })),
  {
    tokenizer: tok,
    template: null,
    eosId: EOS,
    reward,
    ref: loadPretrained(fixture).model,
    settings: { groupSize: 8, promptsPerStep: 4, maxNewTokens: 8, seed: 1 },
    onSamples: (x) => means.push(x.meanReward),
  },
);
train(
  policy,
  { batches: source, val: [], loss: grpoLossFn(source.settings) },
  { steps: 12, lr: 3e-3, warmupSteps: 0, evalInterval: 100, batchSize: 32 },
);
const avg = (xs: number[]) => (xs.reduce((a, v) => a + v, 0) / xs.length).toFixed(2);
console.log(
  `GRPO, share of 'e' in sampled responses: ${avg(means.slice(0, 3))} (steps 1-3) -> ${avg(means.slice(-3))} (steps 10-12)`,
);
