// Training: optimizers, schedules, clipping, batching and batch sources, the config, the loop
// and its progress/curve output.

export { Optimizer, type ParamGroup, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions, type SGDStepOptions, type SGDStepResult } from './sgd.js';
export { AdamW, Adam, type AdamWOptions, type AdamWStepOptions, type AdamWStepResult } from './adamw.js';
export {
  makeSchedule,
  SCHEDULE_KINDS,
  type ScheduleOptions,
  type ScheduleKind,
  type CosineScheduleOptions,
} from './schedule.js';
export { clipGradNorm, type ClipResult } from './clip.js';
export { decayGroups, isDecayed } from './param-groups.js';
export { BatchSampler, batchAt, splitTrainVal, toTokenArray, type Batch, type TokenArray } from './data.js';
export {
  TRAIN_DEFAULTS,
  OPTIMIZER_KINDS,
  defaultMinLr,
  trainConfig,
  type TrainConfig,
  type TrainConfigOptions,
  type OptimizerKind,
} from './config.js';
export {
  batchIterator,
  isResumable,
  maskedTargets,
  IGNORE_INDEX,
  type BatchSource,
  type ResumableSource,
} from './batches.js';
export type { TrainingState } from './training-state.js';
export {
  train,
  trainAsync,
  estimateLoss,
  makeOptimizer,
  batchLoss,
  type TrainResult,
  type StepInfo,
  type EvalInfo,
  type TrainCallbacks,
  type TrainData,
  type TokenData,
  type SourceData,
} from './trainer.js';
export {
  estimateTrainingMemory,
  checkTrainingMemory,
  largestBatchThatFits,
  formatBytes,
  type MemoryPlanOptions,
  type MemoryEstimate,
} from './memory-plan.js';
export { progressLine, formatDuration, type ProgressState } from './progress.js';
export { lossCurveSvg, type CurveSeries, type CurvePoint } from './loss-curve.js';
