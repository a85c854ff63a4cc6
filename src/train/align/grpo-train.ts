// GRPO training (grpo.ts) through the usual training loop (trainer.ts). The batch source does the
// reinforcement-learning part: for each step it takes P prompts, samples a group of G responses to
// each from the CURRENT policy (temperature sampling, KV cache), rewards them, turns rewards into
// group-relative advantages, and scores the responses under the frozen reference (for the KL
// term). The loss hook then computes the clipped surrogate on the policy's log-probabilities.
//   step: sample P·G responses -> rewards -> Â per group -> loss(π, π_old, π_ref, Â) -> AdamW step
// With `innerSteps` μ > 1 each sampled batch is used for μ updates (π_old = the sampler, so the
// ratio moves away from 1 and the clip bites). A reward that is not a finite number skips its
// group with a warning (never the run); if every group of many draws is skipped, it is an error.

import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';
import { Rng } from '../../tensor/rng.js';
import { LlmfsError } from '../../errors.js';
import type { GPT } from '../../model/gpt.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import { generate } from '../../generate/generate.js';
import type { Batch } from '../data.js';
import { arenasOf } from '../batch-loss.js';
import { EpochOrder } from '../epoch-order.js';
import { instructBatch, type EncodedExample, type PadOptions } from '../instruct/batches.js';
import type { PromptTemplate } from '../instruct/template.js';
import { pairPrompt } from './pairs.js';
import { sequenceLogProbs } from './logprobs.js';
import { groupAdvantages, grpoLoss, type GrpoLossStats } from './grpo.js';
import type { RewardFunction, RlPrompt } from './rewards.js';

export interface GrpoSettings {
  /** G: responses sampled per prompt (default 8). */
  groupSize: number;
  /** P: prompts per step (default 4). */
  promptsPerStep: number;
  /** Longest response (default 16 tokens). */
  maxNewTokens: number;
  /** Sampling temperature (default 1: the policy's own distribution). */
  temperature: number;
  /** μ: updates per sampled batch (default 1). */
  innerSteps: number;
  /** PPO clip range ε (default 0.2). */
  clip: number;
  /** KL coefficient β (default 0.04). */
  beta: number;
  seed: number;
}

export const GRPO_DEFAULTS: GrpoSettings = {
  groupSize: 8,
  promptsPerStep: 4,
  maxNewTokens: 16,
  temperature: 1,
  innerSteps: 1,
  clip: 0.2,
  beta: 0.04,
  seed: 0,
};

/** What one batch of samples looked like. */
export interface GrpoSampleStats {
  meanReward: number;
  /** Share of responses with reward >= 1 (right, for a verifiable reward). */
  accuracy: number;
  /** Mean response length in tokens (end-of-text included). */
  responseLength: number;
  /** Groups whose rewards were all equal (advantage 0: no policy gradient). */
  flatGroups: number;
  /** Groups skipped because a reward was not a finite number. */
  skippedGroups: number;
}

export interface GrpoBatch extends Batch {
  advantages: number[];
  oldLogp: Tensor | null;
  refLogp: Tensor | null;
}

function isGrpoBatch(b: Batch): b is GrpoBatch {
  return Array.isArray((b as GrpoBatch).advantages);
}

export interface GrpoSourceOptions {
  tokenizer: Tokenizer;
  template: PromptTemplate | null;
  eosId: number;
  reward: RewardFunction;
  /** The frozen reference; null: no KL term. */
  ref: GPT | null;
  settings?: Partial<GrpoSettings>;
  pad?: PadOptions;
  onSamples?(s: GrpoSampleStats): void;
  onWarning?(line: string): void;
}

/** Checks the settings; returns them complete. */
export function grpoSettings(s: Partial<GrpoSettings> = {}): GrpoSettings {
  const c = { ...GRPO_DEFAULTS, ...s };
  const int = (k: keyof GrpoSettings, min: number) => {
    if (!(Number.isInteger(c[k]) && c[k] >= min))
      throw new LlmfsError(`GRPO: ${k} must be an integer >= ${min}, got ${c[k]}`);
  };
  int('groupSize', 2);
  int('promptsPerStep', 1);
  int('maxNewTokens', 1);
  int('innerSteps', 1);
  if (!(c.temperature > 0)) throw new LlmfsError(`GRPO: temperature must be > 0, got ${c.temperature}`);
  if (!(c.clip > 0 && c.clip < 1))
    throw new LlmfsError(`GRPO: the clip range must be in (0, 1), got ${c.clip}`);
  if (!(c.beta >= 0 && Number.isFinite(c.beta))) throw new LlmfsError(`GRPO: β must be >= 0, got ${c.beta}`);
  return c;
}

/** Samples, rewards and scores groups of responses: the batches of GRPO. */
export class GrpoSource implements Iterator<Batch> {
  readonly settings: GrpoSettings;
  private readonly order: EpochOrder;
  private readonly rng: Rng;
  private readonly prompts: { ex: RlPrompt; ids: number[] }[];
  private current: GrpoBatch | null = null;
  private uses = 0;

  constructor(
    private readonly policy: GPT,
    examples: readonly RlPrompt[],
    private readonly o: GrpoSourceOptions,
  ) {
    this.settings = grpoSettings(o.settings);
    const T = policy.config.blockSize;
    this.prompts = examples.map((ex, i) => {
      const ids = o.tokenizer.encode(pairPrompt({ ...ex, chosen: '', rejected: '' }, o.template));
      if (ids.length >= T)
        throw new LlmfsError(
          `GRPO: prompt ${i} is ${ids.length} tokens, filling the context of ${T}; shorten or drop it`,
        );
      return { ex, ids };
    });
    this.order = new EpochOrder(examples.length, this.settings.seed, 'GRPO prompts');
    this.rng = new Rng(this.settings.seed + 1);
  }

  next(): IteratorResult<Batch> {
    if (!this.current || this.uses >= this.settings.innerSteps) {
      this.current = this.sample();
      this.uses = 0;
    }
    this.uses++;
    return { value: this.current, done: false };
  }

  /** One group: G sampled responses to one prompt, as token ids (end-of-text kept if emitted). */
  private group(ids: readonly number[]): number[][] {
    const s = this.settings;
    const room = this.policy.config.blockSize + 1 - ids.length;
    return Array.from({ length: s.groupSize }, () => {
      const r = generate(this.policy, ids, {
        strategy: 'sample',
        temperature: s.temperature,
        maxNewTokens: Math.min(s.maxNewTokens, room),
        eosId: this.o.eosId,
        rng: this.rng,
      });
      return r.finishReason === 'eos' ? [...r.ids, this.o.eosId] : r.ids;
    });
  }

  private sample(): GrpoBatch {
    const s = this.settings;
    const rows: EncodedExample[] = [];
    const advantages: number[] = [];
    const rewards: number[] = [];
    let flat = 0;
    let skipped = 0;
    const wasTraining = this.policy.training;
    this.policy.eval();
    try {
      for (let tries = 0; rows.length < s.promptsPerStep * s.groupSize; tries++) {
        if (tries >= 10 * s.promptsPerStep)
          throw new LlmfsError(
            `GRPO: the reward was not a finite number for every group of ${tries} prompts; ` +
              'check the reward function',
          );
        const p = this.prompts[this.order.next()];
        const responses = this.group(p.ids);
        const r = responses.map((ids) => this.rewardOf(ids, p.ex));
        if (r.some((v) => !Number.isFinite(v))) {
          skipped++;
          this.o.onWarning?.(
            `GRPO: the reward function returned ${r.find((v) => !Number.isFinite(v))} for a response ` +
              `to ${JSON.stringify(p.ex.instruction ?? p.ex.prompt ?? '').slice(0, 60)}; group skipped`,
          );
          continue;
        }
        const a = groupAdvantages(r);
        if (a.every((v) => v === 0)) flat++;
        responses.forEach((ids) => rows.push({ ids: [...p.ids, ...ids], promptLen: p.ids.length }));
        advantages.push(...a);
        rewards.push(...r);
      }
    } finally {
      this.policy.train(wasTraining);
    }
    const b = instructBatch(rows, this.o.eosId, this.o.pad);
    const scored = (m: GPT | null) => (m ? tokenLogProbsOf(m, b) : null);
    const batch: GrpoBatch = {
      ...b,
      advantages,
      oldLogp: s.innerSteps > 1 ? scored(this.policy) : null,
      refLogp: scored(this.o.ref),
    };
    const lengths = rows.map((r) => r.ids.length - r.promptLen);
    this.o.onSamples?.({
      meanReward: rewards.reduce((x, v) => x + v, 0) / rewards.length,
      accuracy: rewards.filter((v) => v >= 1).length / rewards.length,
      responseLength: lengths.reduce((x, v) => x + v, 0) / lengths.length,
      flatGroups: flat,
      skippedGroups: skipped,
    });
    return batch;
  }

  private rewardOf(ids: readonly number[], ex: RlPrompt): number {
    const body = ids[ids.length - 1] === this.o.eosId ? ids.slice(0, -1) : ids;
    const text = this.o.tokenizer.decode([...body]);
    try {
      return this.o.reward(text, ex);
    } catch (err) {
      throw new LlmfsError(
        `GRPO: the reward function failed on the response ${JSON.stringify(text.slice(0, 60))}: ` +
          `${(err as Error).message ?? String(err)}`,
      );
    }
  }
}

/** Per-token log-probabilities (B, T) of a batch's responses, without a graph, in eval mode. */
function tokenLogProbsOf(m: GPT, b: Batch): Tensor {
  const wasTraining = m.training;
  m.eval();
  try {
    return noGrad(() =>
      arenasOf(m).eval.run(() => {
        const t = sequenceLogProbs(m, b).tokens;
        return new Tensor(Float32Array.from(t.data), t.shape); // copied out of the arena
      }),
    );
  } finally {
    m.train(wasTraining);
  }
}

/** The GRPO loss of a sampled batch, for `train()`'s `loss` hook. */
export function grpoLossFn(
  settings: Pick<GrpoSettings, 'clip' | 'beta'>,
  onStats?: (s: GrpoLossStats) => void,
): (model: GPT, b: Batch) => Tensor {
  return (model, b) => {
    if (!isGrpoBatch(b)) throw new LlmfsError('GRPO: the batch has no advantages');
    const logp = sequenceLogProbs(model, b).tokens; // (N, T)
    const { loss, stats } = grpoLoss(
      { logp, oldLogp: b.oldLogp, refLogp: b.refLogp, advantages: b.advantages, mask: b.mask! },
      { clip: settings.clip, beta: settings.beta },
    );
    onStats?.(stats);
    return loss;
  };
}
