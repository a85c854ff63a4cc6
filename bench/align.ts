// Alignment benchmarks (chapter 12) on the `cpu-small` shape: where the time of each method goes.
// A DPO step (8 pairs = 16 rows of 64 tokens: policy log-probs, the loss, backward, AdamW) beside
// a plain next-token step of the same 16 rows; the one-off reference pass (no graph) per 8 pairs;
// a reward-model step; and GRPO's three phases for one step of 4 prompts x 8 responses of up to 16
// tokens: sampling with the KV cache, scoring under the reference, and the update.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, gptPreset, Rng, manualSeed, AdamW } from '../src/index.js';
import { BufferArena } from '../src/tensor/arena.js';
import { noGrad } from '../src/tensor/grad-mode.js';
import { maskedTargets } from '../src/train/batches.js';
import { pairBatch, type EncodedPair } from '../src/train/align/pairs.js';
import { dpoBatch, dpoLossFn, referenceLogProbs } from '../src/train/align/dpo-train.js';
import { RewardModel, bradleyTerryLoss, rewardPairBatch } from '../src/train/align/reward-model.js';
import { sequenceLogProbs } from '../src/train/align/logprobs.js';
import { GrpoSource, grpoLossFn } from '../src/train/align/grpo-train.js';
import type { Tokenizer } from '../src/tokenizer/types.js';

const V = 65;
const EOS = 64;
const arena = new BufferArena();

/** B random pairs: a 40-token prompt, responses of 24 tokens (the end-of-text last). */
function randomPairs(B: number, rng: Rng): EncodedPair[] {
  const ids = (n: number) => Array.from({ length: n }, () => rng.randint(0, EOS));
  return Array.from({ length: B }, () => {
    const p = ids(40);
    return {
      chosen: { ids: [...p, ...ids(23), EOS], promptLen: 40 },
      rejected: { ids: [...p, ...ids(23), EOS], promptLen: 40 },
    };
  });
}

/** A tokenizer of single characters over ids 0..63 (enough for GRPO's prompts and rewards). */
const charTok: Tokenizer = {
  vocabSize: V,
  encode: (s: string) => [...s].map((c) => c.charCodeAt(0) % EOS),
  decode: (ids: readonly number[]) => ids.map((i) => String.fromCharCode(48 + (i % 64))).join(''),
} as unknown as Tokenizer;

export const alignSuite: Suite = {
  name: 'align',
  run(): BenchRow[] {
    const suite = 'align';
    const rows: BenchRow[] = [];
    manualSeed(0);
    const model = new GPT(gptPreset('cpu-small', { vocabSize: V }));
    const opt = new AdamW(model.parameters(), { lr: 1e-5 });
    const pairs = randomPairs(8, new Rng(1));
    const ref = referenceLogProbs(model, pairs, 8, EOS);
    const batch = dpoBatch(pairs, ref, [0, 1, 2, 3, 4, 5, 6, 7], EOS);
    const plain = pairBatch(pairs, EOS);
    const step = (loss: () => { backward(): void }) => () => {
      opt.zeroGrad();
      arena.run(() => loss().backward());
      opt.step();
    };
    const o = { warmup: 2, repeats: 10, minMs: 0 };
    const lossFn = dpoLossFn(0.1);
    const sft = timeMs(
      step(() => model.forward(plain.x, { targets: maskedTargets(plain) }).loss!),
      o,
    );
    const dpo = timeMs(
      step(() => lossFn(model, batch)),
      o,
    );
    rows.push({ suite, name: 'cpu-small next-token step, 16 rows x 64', value: sft, unit: 'ms' });
    rows.push({
      suite,
      name: 'cpu-small DPO step, 8 pairs (16 rows x 64)',
      value: dpo,
      unit: 'ms',
      note: `${(dpo / sft).toFixed(2)}x the next-token step`,
    });
    const refMs = timeMs(() => void referenceLogProbs(model, pairs, 8, EOS), o);
    rows.push({
      suite,
      name: 'cpu-small DPO reference pass, 8 pairs (once per pair)',
      value: refMs,
      unit: 'ms',
    });

    const rm = new RewardModel(model);
    const rmOpt = new AdamW(rm.parameters(), { lr: 1e-5 });
    const rb = rewardPairBatch(pairs, EOS, model.config.blockSize);
    const rmMs = timeMs(() => {
      rmOpt.zeroGrad();
      arena.run(() => {
        const r = rm.forward(rb.idx, rb.lengths);
        bradleyTerryLoss(r.narrow(0, 0, 8), r.narrow(0, 8, 8)).backward();
      });
      rmOpt.step();
    }, o);
    rows.push({ suite, name: 'cpu-small reward-model step, 8 pairs', value: rmMs, unit: 'ms' });

    // GRPO: 4 prompts x 8 responses of at most 16 tokens, sampled at temperature 1.
    const prompts = Array.from({ length: 8 }, (_, i) => ({ prompt: `prompt number ${i} with some words:` }));
    const refModel = new GPT(gptPreset('cpu-small', { vocabSize: V }));
    const src = new GrpoSource(model, prompts, {
      tokenizer: charTok,
      template: null,
      eosId: EOS,
      reward: (s) => s.length % 3,
      ref: null,
      settings: { groupSize: 8, promptsPerStep: 4, maxNewTokens: 16 },
    });
    const sampleMs = timeMs(() => void src.next(), { warmup: 1, repeats: 3, minMs: 0 });
    const sampled = src.next().value;
    rows.push({
      suite,
      name: 'cpu-small GRPO sampling, 32 responses of <= 16 tokens',
      value: sampleMs,
      unit: 'ms',
      note: `${((32 * 16) / (sampleMs / 1000)).toFixed(0)} tokens/s at most`,
    });
    const refScore = timeMs(
      () => void noGrad(() => arena.run(() => void sequenceLogProbs(refModel, sampled).tokens)),
      o,
    );
    rows.push({ suite, name: 'cpu-small GRPO reference scoring, 32 responses', value: refScore, unit: 'ms' });
    const grpoLoss = grpoLossFn({ clip: 0.2, beta: 0 });
    const update = timeMs(
      step(() => grpoLoss(model, sampled)),
      o,
    );
    rows.push({ suite, name: 'cpu-small GRPO update, 32 responses', value: update, unit: 'ms' });
    model.dispose();
    refModel.dispose();
    return rows;
  },
};
