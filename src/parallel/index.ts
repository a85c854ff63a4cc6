// Parallel training (chapter "Training in parallel"): the worker group and its collectives,
// data parallelism (PyTorch DDP, Li et al., 2020) and ZeRO-1 (Rajbhandari et al., 2020).
// Portable: the worker_threads spawner is in the Node entry (spawn-node.ts).

export {
  Group,
  GroupAbortedError,
  createGroupMemory,
  markFailed,
  failedRank,
  chunkRange,
  type GroupMemory,
} from './group.js';
export { sumThenDivide, ringAllReduce, type RingMode } from './ring.js';
export { FlatLayout } from './flat.js';
export { BatchSlice } from './batch-slice.js';
export { ShardedAdamW, type ShardedAdamWOptions } from './zero.js';
export { workerMemory, momentBuffers, type WorkerMemory } from './memory.js';
export { runRank, NonFiniteLossError, type RankHooks } from './rank-loop.js';
export {
  trainDataParallel,
  workersProblem,
  type DataParallelOptions,
  type DataParallelResult,
} from './data-parallel.js';
export type { RankPort, SpawnRank, Fault, RankInit, FromRank, RankErrorKind } from './messages.js';
// Teaching modes: tensor parallel (Megatron-LM, Shoeybi et al., 2019) and pipeline parallel
// (GPipe, Huang et al., 2019); their Node spawners are in the Node entry (tensor/teaching-node.ts).
export {
  trainTensorParallel,
  tensorParallelGradients,
  type TensorParallelOptions,
  type TensorParallelResult,
} from './tensor/tensor-parallel.js';
export { copyToParallel, reduceFromParallel, CommCounter, type AllReducer } from './tensor/comm-ops.js';
export { shardWeights, gatherWeights, type Weights as ShardWeights } from './tensor/shard.js';
export { trainPipeline, type PipelineOptions, type PipelineResult } from './pipeline/pipeline.js';
export { stageLayers, PipelineStage } from './pipeline/stage.js';
export { gpipeBubble, measuredBubble, type StageEvent } from './pipeline/bubble.js';
export { timelineSvg, type TimelineOptions } from './pipeline/timeline-svg.js';
