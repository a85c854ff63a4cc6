// Rewards for reinforcement learning (GRPO): a function from a sampled response (and the prompt's
// example) to a number. Verifiable rewards need no model: when a task's answer can be checked, the
// reward is whether it is right (DeepSeekMath's rule-based rewards; nanochat's GSM8K stage). A
// trained reward model (reward-model.ts) scores responses whose quality no rule can check, and can
// be "hacked": the policy finds what the scorer likes rather than what is right, which is what the
// KL term to the reference model holds back.

import { noGrad } from '../../tensor/autograd.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { PromptTemplate } from '../instruct/template.js';
import { pairPrompt } from './pairs.js';
import { rewardBatch, type RewardModel } from './reward-model.js';

/** A prompt for RL: an instruction (through the template) or a raw prompt, and the answer if known. */
export interface RlPrompt {
  instruction?: string;
  input?: string;
  prompt?: string;
  /** The expected answer, for verifiable rewards. */
  output?: string;
  task?: string;
}

/** The reward of one response to one prompt; must be a finite number. */
export type RewardFunction = (response: string, example: RlPrompt) => number;

/** 1 if the response equals the expected output (surrounding whitespace ignored), else 0. */
export const exactMatchReward: RewardFunction = (response, ex) =>
  ex.output !== undefined && response.trim() === ex.output.trim() ? 1 : 0;

/**
 * Exact match, plus partial credit for numbers: 1 when exact, else 0.5 · max(0, 1 - |got - want| /
 * max(|want|, 1)) when both are numbers (with the same unit), else 0. Denser than exact match:
 * a group with no right answer still says which wrong answers were nearer.
 */
export const numericReward: RewardFunction = (response, ex) => {
  if (exactMatchReward(response, ex) === 1) return 1;
  const m = /^(-?\d+(?:\.\d+)?)\s*(\S*)$/;
  const got = m.exec(response.trim());
  const want = ex.output === undefined ? null : m.exec(ex.output.trim());
  if (!got || !want || got[2] !== want[2]) return 0;
  const g = Number(got[1]);
  const w = Number(want[1]);
  return 0.5 * Math.max(0, 1 - Math.abs(g - w) / Math.max(Math.abs(w), 1));
};

export const NAMED_REWARDS: Record<string, RewardFunction> = {
  'exact-match': exactMatchReward,
  numeric: numericReward,
};

/** A trained reward model as a reward function: its score of prompt + response + end-of-text. */
export function rewardModelReward(
  rm: RewardModel,
  tok: Tokenizer,
  template: PromptTemplate | null,
  eosId: number,
): RewardFunction {
  const T = rm.gpt.config.blockSize;
  return (response, ex) => {
    const ids = [...tok.encode(pairPrompt({ ...ex, chosen: '', rejected: '' }, template))];
    ids.push(...tok.encode(response), eosId);
    const wasTraining = rm.training;
    rm.eval();
    try {
      return noGrad(() => {
        const b = rewardBatch([ids.slice(-T)], eosId, T); // the end, where the reward is read
        return rm.forward(b.idx, b.lengths).item();
      });
    } finally {
      rm.train(wasTraining);
    }
  };
}
