// Training: optimizers, schedules, clipping, batching, the loop and its progress/curve output.

export { Optimizer, type ParamGroup, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { AdamW, Adam, type AdamWOptions } from './adamw.js';
export { makeSchedule, type ScheduleOptions, type ScheduleKind } from './schedule.js';
export { clipGradNorm } from './clip.js';
export { decayGroups, isDecayed } from './param-groups.js';
export { BatchSampler, batchAt, splitTrainVal, toTokenArray, type Batch, type TokenArray } from './data.js';
export { train, estimateLoss, makeOptimizer, type TrainConfig, type TrainResult, type TrainingState, type StepInfo, type EvalInfo, type TrainCallbacks } from './trainer.js';
export { progressLine, formatDuration, type ProgressState } from './progress.js';
export { lossCurveSvg, type CurveSeries, type CurvePoint } from './loss-curve.js';
