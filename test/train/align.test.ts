// Alignment pieces checked by hand and by finite differences: GRPO's group advantages and clipped,
// KL-penalised loss on a case worked out on paper (value, gradient, statistics); the DPO loss and
// its implicit rewards on numbers; sequence log-probabilities equal to the masked cross-entropy;
// the pair encoder's truncation policy and errors; the reward model learning a preference and
// surviving a save/load; the GRPO sampler raising its reward, skipping NaN rewards with a warning,
// and failing clearly when every reward is NaN or the reward function throws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { train } from '../../src/train/trainer.js';
import { maskedTargets } from '../../src/train/batches.js';
import { instructBatch } from '../../src/train/instruct/batches.js';
import { groupAdvantages, grpoLoss } from '../../src/train/align/grpo.js';
import { dpo, dpoLoss } from '../../src/train/align/dpo.js';
import { sequenceLogProbs } from '../../src/train/align/logprobs.js';
import { encodePair, type EncodedPair } from '../../src/train/align/pairs.js';
import { bradleyTerryLoss, RewardModel } from '../../src/train/align/reward-model.js';
import { evaluateRewardModel, scorePairs, trainRewardModel } from '../../src/train/align/reward-train.js';
import { GrpoSource, grpoLossFn } from '../../src/train/align/grpo-train.js';
import { loadRewardModel, saveRewardModel } from '../../src/io/reward-model-dir.js';
import { ALPACA } from '../../src/train/instruct/template.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const EOS = 288;
/** A (rows, cols) float64 leaf that records its gradient. */
const t64 = (xs: number[], shape: [number, number]) =>
  T.tensor(
    Array.from({ length: shape[0] }, (_, r) => xs.slice(r * shape[1], (r + 1) * shape[1])),
    { dtype: 'float64', requiresGrad: true },
  );
const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LlmfsError, String(err));
    assert.ok(!err.message.includes('\n'));
    return err.message;
  }
  assert.fail('expected an error');
}

test('group advantages: (r - mean) / (sample std + 1e-4), zeros for a flat or single group', () => {
  const a = groupAdvantages([1, 0, 0, 1]); // mean 0.5, sample std sqrt(1/3)
  const std = Math.sqrt(1 / 3);
  [0.5, -0.5, -0.5, 0.5].forEach((d, i) => near(a[i], d / (std + 1e-4), 1e-12));
  assert.deepEqual(groupAdvantages([0.3, 0.3, 0.3]), [0, 0, 0]);
  assert.deepEqual(groupAdvantages([1]), [0]);
  const b = groupAdvantages([2, 4, 9]);
  near(
    b.reduce((s, v) => s + v, 0),
    0,
    1e-12,
  );
});

test('GRPO loss: a case worked on paper (clipped ratios, the k3 KL, per-response means)', () => {
  // Row 0 (Â = +1): ratios 0.5/0.4 = 1.25 (clipped to 1.2) and 0.2/0.3 = 0.667 (below 0.8: min
  // keeps the unclipped 0.667); reference/policy = 0.45/0.5 = 0.9 on token 0, 1 on token 1.
  // Row 1 (Â = -1): one token, ratio 0.4/0.8 = 0.5, clip -> 0.8; min(-0.5, -0.8) = -0.8.
  const logp = t64([Math.log(0.5), Math.log(0.2), Math.log(0.4), 0], [2, 2]);
  const old = t64([Math.log(0.4), Math.log(0.3), Math.log(0.8), 0], [2, 2]).detach();
  const ref = t64([Math.log(0.45), Math.log(0.2), Math.log(0.4), 0], [2, 2]).detach();
  const mask = T.tensor([1, 1, 1, 0], { dtype: 'float64' }).reshape(2, 2);
  const { loss, stats } = grpoLoss(
    { logp, oldLogp: old, refLogp: ref, advantages: [1, -1], mask },
    { clip: 0.2, beta: 0.1 },
  );
  const kl0 = 0.9 - Math.log(0.9) - 1; // 0.0053605
  const row0 = (1.2 - 0.1 * kl0 + 0.2 / 0.3) / 2;
  near(loss.item(), -(row0 + -0.8) / 2, 1e-12);
  near(stats.kl, kl0 / 3, 1e-12);
  near(stats.clipFraction, 1, 0);
  loss.backward();
  // d/dlogp: token (0,0) is clipped, so only the KL term: -β (1 - 0.9) · (1/2) · (-1/2); token
  // (0,1) is not: ratio · Â · (1/2) · (-1/2); token (1,0) is clipped (min took the constant);
  // token (1,1) is padding.
  const g = Array.from(logp.grad!.data);
  near(g[0], -0.1 * (1 - 0.9) * 0.5 * -0.5, 1e-12);
  near(g[1], (0.2 / 0.3) * 0.5 * -0.5, 1e-12);
  near(g[2], 0, 0);
  near(g[3], 0, 0);
});

test('GRPO loss: gradient equals finite differences (away from the clip edges)', () => {
  const rng = new T.Rng(3);
  const N = 3;
  const L = 4;
  const mask = T.tensor([1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1], { dtype: 'float64' }).reshape(N, L);
  const old = T.tensor(
    Array.from({ length: N * L }, () => -1 - rng.random()),
    { dtype: 'float64' },
  ).reshape(N, L);
  const ref = T.tensor(
    Array.from({ length: N * L }, () => -1 - rng.random()),
    { dtype: 'float64' },
  ).reshape(N, L);
  // Within ±0.1 of old: ratios in (0.9, 1.1), inside the clip range, so min/clamp are smooth.
  const logp = t64(
    Array.from(old.data, (v) => v + 0.2 * (rng.random() - 0.5)),
    [N, L],
  );
  const adv = [1.2, -0.7, 0.3];
  const r = T.gradcheck(
    (x) => grpoLoss({ logp: x, oldLogp: old, refLogp: ref, advantages: adv, mask }, { beta: 0.3 }).loss,
    [logp],
  );
  assert.ok(r.ok, JSON.stringify(r));
});

test('DPO loss: value and implicit rewards on numbers; finite differences', () => {
  const v = (x: number) => T.tensor([x], { dtype: 'float64' });
  // z = 0.5 ((-1 + 1.5) - (-2 + 1.5)) = 0.5; loss = log(1 + e^-0.5)
  const { loss, stats } = dpo(v(-1), v(-2), v(-1.5), v(-1.5), 0.5);
  near(loss.item(), Math.log1p(Math.exp(-0.5)), 1e-12);
  near(stats.chosenReward, 0.25, 1e-12);
  near(stats.rejectedReward, -0.25, 1e-12);
  near(stats.rewardMargin, 0.5, 1e-12);
  assert.equal(stats.preferenceAccuracy, 1);
  const pc = T.tensor([-3, -1.5, -7], { dtype: 'float64', requiresGrad: true });
  const pr = T.tensor([-2, -4.5, -6], { dtype: 'float64', requiresGrad: true });
  const rc = T.tensor([-2.5, -2, -7], { dtype: 'float64' });
  const rr = T.tensor([-2.5, -4, -5], { dtype: 'float64' });
  const r = T.gradcheck((a, b) => dpoLoss(a, b, rc, rr, 0.7), [pc, pr]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(
    message(() => dpo(v(0), v(0), v(0), v(0), 0)),
    /β must be a positive number/,
  );
  assert.match(
    message(() => dpo(v(0), v(0), v(0), v(0), 0.1, 0.5)),
    /label smoothing must be in \[0, 0.5\)/,
  );
});

test('sequence log-probabilities: the sum over response tokens is minus the masked cross-entropy', () => {
  const { model } = loadPretrained(FIXTURE);
  model.eval();
  const rows = [
    { ids: [5, 6, 7, 8, 9, EOS], promptLen: 3 },
    { ids: [10, 11, 12, EOS], promptLen: 1 },
  ];
  const b = instructBatch(rows, EOS);
  const s = sequenceLogProbs(model, b);
  assert.deepEqual(s.counts, [3, 3]);
  rows.forEach((row, i) => {
    const one = instructBatch([row], EOS);
    const ce = model.forward(one.x, { targets: maskedTargets(one) }).loss!.item(); // mean over 3 targets
    near(s.sum.data[i], -ce * 3, 1e-4);
    near(s.mean.data[i], -ce, 1e-5);
  });
});

test('pairs: the truncation policy (responses cut at the context, prompts that fill it refused) and bad pairs', () => {
  const { tokenizer } = loadPretrained(FIXTURE);
  const tok = tokenizer!;
  const long = 'word '.repeat(40);
  const ok = encodePair(tok, ALPACA, { prompt: 'Q: ', chosen: long, rejected: 'no' }, EOS, 12, 'f: pair 1');
  assert.equal(ok.chosen.ids.length, 12); // cut to maxLen = context + 1, no end-of-text
  assert.equal(ok.rejected.ids.at(-1), EOS);
  assert.match(
    message(() =>
      encodePair(tok, ALPACA, { prompt: long, chosen: 'a', rejected: 'b' }, EOS, 12, 'f: pair 2'),
    ),
    /^f: pair 2: the prompt alone is \d+ tokens and the model's context is 11/,
  );
  assert.match(
    message(() => encodePair(tok, ALPACA, { prompt: 'Q', chosen: ' yes ', rejected: 'yes' }, EOS, 40, 'p')),
    /identical chosen and rejected responses: the pair teaches nothing/,
  );
  assert.match(
    message(() => encodePair(tok, ALPACA, { prompt: 'Q', chosen: '  ', rejected: 'yes' }, EOS, 40, 'p')),
    /an empty chosen response/,
  );
  assert.match(
    message(() =>
      encodePair(tok, ALPACA, { prompt: 'Q: ', chosen: `${long}a`, rejected: `${long}b` }, EOS, 12),
    ),
    /the same once cut to the context of 11 tokens/,
  );
});

/** Pairs on the tiny fixture: chosen ends in 'a a a', rejected in 'z z z'. */
function letterPairs(n: number, seed: number): EncodedPair[] {
  const { tokenizer } = loadPretrained(FIXTURE);
  const rng = new T.Rng(seed);
  return Array.from({ length: n }, () => {
    const w = Array.from({ length: 3 }, () => String.fromCharCode(98 + rng.randint(0, 20))).join('');
    return encodePair(
      tokenizer!,
      null,
      { prompt: `${w}: `, chosen: `${w} a a a`, rejected: `${w} z z z` },
      EOS,
      40,
    );
  });
}

test('reward model: Bradley-Terry loss value; learns a preference; save and load keep its scores', () => {
  near(
    bradleyTerryLoss(T.tensor([2], { dtype: 'float64' }), T.tensor([1], { dtype: 'float64' })).item(),
    Math.log1p(Math.exp(-1)),
    1e-12,
  );
  const rm = new RewardModel(loadPretrained(FIXTURE).model);
  const trainPairs = letterPairs(32, 1);
  const heldOut = letterPairs(16, 2);
  const r = trainRewardModel(
    rm,
    { train: trainPairs, val: heldOut },
    { steps: 30, batchSize: 8, lr: 1e-3, evalInterval: 30, padId: EOS },
  );
  assert.equal(r.steps, 30);
  assert.ok(r.final!.accuracy >= 0.95, `held-out pairwise accuracy ${r.final!.accuracy}`);
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-rm-')), 'rm');
  const tok = loadPretrained(FIXTURE).tokenizer!;
  saveRewardModel(dir, rm, tok, { template: { ...ALPACA }, eosId: EOS });
  const back = loadRewardModel(dir);
  const a = scorePairs(rm, heldOut, 4, EOS);
  const b = scorePairs(back.rm, heldOut, 4, EOS);
  a.chosen.forEach((v, i) => near(v, b.chosen[i], 1e-5));
  near(evaluateRewardModel(back.rm, heldOut, 4, EOS).accuracy, r.final!.accuracy, 0);
});

test('GRPO: sampling groups and training on a verifiable reward raises the reward', () => {
  const { model, tokenizer } = loadPretrained(FIXTURE);
  const ref = loadPretrained(FIXTURE).model;
  const prompts = Array.from({ length: 6 }, (_, i) => ({ prompt: `x${i}: ` }));
  // Reward: the share of 'e' in the response (dense, so most groups carry a signal).
  const reward = (s: string) => [...s].filter((c) => c === 'e').length / Math.max(s.length, 1);
  const means: number[] = [];
  const src = new GrpoSource(model, prompts, {
    tokenizer: tokenizer!,
    template: null,
    eosId: EOS,
    reward,
    ref,
    settings: { groupSize: 8, promptsPerStep: 4, maxNewTokens: 8, seed: 1 },
    onSamples: (s) => means.push(s.meanReward),
  });
  let kl = -1;
  train(
    model,
    { batches: src, val: [], loss: grpoLossFn(src.settings, (s) => (kl = s.kl)) },
    { steps: 12, lr: 3e-3, warmupSteps: 0, evalInterval: 100, batchSize: 32 },
  );
  const first = means.slice(0, 3).reduce((a, v) => a + v, 0) / 3;
  const last = means.slice(-3).reduce((a, v) => a + v, 0) / 3;
  assert.ok(last > first + 0.1, `reward ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  assert.ok(kl > 0, 'the policy moved away from the reference');
});

test('GRPO: a NaN reward skips its group with a warning; all NaN, or a throwing reward, is one clear error', () => {
  const { model, tokenizer } = loadPretrained(FIXTURE);
  const prompts = [{ prompt: 'a: ' }, { prompt: 'b: ' }];
  const warnings: string[] = [];
  let calls = 0;
  const src = new GrpoSource(model, prompts, {
    tokenizer: tokenizer!,
    template: null,
    eosId: EOS,
    reward: () => (calls++ < 3 ? NaN : 1),
    ref: null,
    settings: { groupSize: 3, promptsPerStep: 1, maxNewTokens: 3 },
    onWarning: (w) => warnings.push(w),
  });
  const b = src.next().value as { advantages: number[] };
  assert.equal(b.advantages.length, 3);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /the reward function returned NaN for a response to "" ?.*group skipped|returned NaN/,
  );
  const always = new GrpoSource(model, prompts, {
    tokenizer: tokenizer!,
    template: null,
    eosId: EOS,
    reward: () => NaN,
    ref: null,
    settings: { groupSize: 2, promptsPerStep: 1, maxNewTokens: 2 },
  });
  assert.match(
    message(() => always.next()),
    /the reward was not a finite number for every group of 10 prompts/,
  );
  const throws = new GrpoSource(model, prompts, {
    tokenizer: tokenizer!,
    template: null,
    eosId: EOS,
    reward: () => {
      throw new Error('boom');
    },
    ref: null,
    settings: { groupSize: 2, promptsPerStep: 1, maxNewTokens: 2 },
  });
  assert.match(
    message(() => throws.next()),
    /the reward function failed on the response .*: boom/,
  );
});
