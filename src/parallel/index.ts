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
