// Alignment (chapter 12): sequence log-probabilities, preference pairs, DPO, a reward model, and
// GRPO with verifiable or learned rewards. Portable: no Node APIs (files are read in data/ and io/).

export { tokenLogProbs, sequenceLogProbs, maskCounts, type SequenceLogProbs } from './logprobs.js';
export {
  pairPrompt,
  encodePair,
  encodeResponse,
  pairBatch,
  type PreferencePair,
  type EncodedPair,
} from './pairs.js';
export { dpo, dpoLoss, dpoStats, mergeDpoStats, type DpoStats, type DpoOutput } from './dpo.js';
export {
  referenceLogProbs,
  dpoBatch,
  dpoBatches,
  PairSource,
  dpoLossFn,
  evaluateDpo,
  isDpoBatch,
  type DpoBatch,
  type ReferenceLogProbs,
} from './dpo-train.js';
export {
  RewardModel,
  bradleyTerryLoss,
  rewardBatch,
  rewardPairBatch,
  type RewardBatch,
} from './reward-model.js';
export {
  trainRewardModel,
  evaluateRewardModel,
  scorePairs,
  REWARD_DEFAULTS,
  type RewardTrainConfig,
  type RewardStats,
  type RewardStepInfo,
  type RewardCallbacks,
  type RewardTrainResult,
} from './reward-train.js';
export {
  groupAdvantages,
  grpoLoss,
  type GrpoLossInputs,
  type GrpoLossOptions,
  type GrpoLossStats,
} from './grpo.js';
export {
  GrpoSource,
  grpoLossFn,
  grpoSettings,
  GRPO_DEFAULTS,
  type GrpoSettings,
  type GrpoSampleStats,
  type GrpoBatch,
  type GrpoSourceOptions,
} from './grpo-train.js';
export {
  exactMatchReward,
  numericReward,
  rewardModelReward,
  NAMED_REWARDS,
  type RewardFunction,
  type RlPrompt,
} from './rewards.js';
