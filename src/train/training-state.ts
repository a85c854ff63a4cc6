// What a checkpoint must hold to resume a training run exactly: the step, the best validation
// loss so far, the generators' states and the settings. Portable (plain JSON); reading it back
// from disk, with its checks, is io/training-run.ts's job.

import type { RngState } from '../tensor/rng.js';
import type { TrainConfig } from './config.js';

export interface TrainingState {
  step: number;
  bestValLoss: number;
  /** The token sampler's generator (pre-training on a token array). */
  samplerRng?: RngState;
  /** A resumable batch source's own state (see batches.ts), when training from one. */
  sourceState?: unknown;
  /** The global generator (dropout). */
  globalRng: RngState;
  optimizerSteps: Record<string, number>;
  config: TrainConfig;
}
