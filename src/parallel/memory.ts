// What one worker of a data-parallel run holds, in bytes: the ZeRO paper's accounting
// (Rajbhandari et al., 2020). Plain data parallelism keeps a full copy of the parameters, the
// gradients and the optimizer moments on every worker; ZeRO-1 keeps only 1/N of the moments.

import type { OptimizerKind } from '../train/config.js';
import { chunkRange } from './ring.js';

export interface WorkerMemory {
  rank: number;
  /** Float32 parameters: a full replica on every worker. */
  parameters: number;
  /** Float32 gradients: full, as the backward pass makes them. */
  gradients: number;
  /** Optimizer state (Adam's m and v; SGD's momentum): full, or this worker's shard with ZeRO-1. */
  moments: number;
  /** The flat gradient the collectives average (ZeRO-1 gathers the parameters in it too), and this
   * worker's collective buffer in shared memory. */
  communication: number;
  total: number;
}

/** Buffers per parameter an optimizer keeps (AdamW and Adam: m, v; SGD: momentum, if any). */
export function momentBuffers(optimizer: OptimizerKind, momentum: number): number {
  return optimizer === 'sgd' ? (momentum > 0 ? 1 : 0) : 2;
}

/** Worker `rank`'s memory for P trainable floats on N workers, with (zero 1) or without ZeRO-1. */
export function workerMemory(
  P: number,
  N: number,
  rank: number,
  zero: 0 | 1,
  buffers: number,
  /** Floats of the group's collective buffer that belong to this worker. */
  groupCapacity: number,
): WorkerMemory {
  const [lo, hi] = chunkRange(P, N, rank);
  const parameters = 4 * P;
  const gradients = 4 * P;
  const moments = 4 * buffers * (zero === 1 ? hi - lo : P);
  const communication = 4 * (P + groupCapacity);
  return {
    rank,
    parameters,
    gradients,
    moments,
    communication,
    total: parameters + gradients + moments + communication,
  };
}
