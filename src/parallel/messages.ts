// The messages between the coordinator of a data-parallel run (data-parallel.ts, on the calling
// thread) and its ranks (rank-loop.ts, each on a worker), and the little the coordinator needs
// from a worker whichever runtime made it (Node's worker_threads: spawn-node.ts).

import type { GPTConfig } from '../model/config.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainingState } from '../train/training-state.js';
import type { StepInfo, EvalInfo } from '../train/trainer.js';
import type { GroupMemory } from './group.js';
import type { RngState } from '../tensor/rng.js';
import type { WorkerMemory } from './memory.js';

/** A worker as the coordinator sees it. */
export interface RankPort {
  post(msg: ToRank): void;
  onMessage(cb: (msg: FromRank) => void): void;
  /** Called once when the worker ends: exit code (0: clean) and the error that ended it, if any. */
  onExit(cb: (code: number, err: Error | null) => void): void;
  terminate(): void;
}

export type SpawnRank = (rank: number) => RankPort;

/** Parameters or optimizer buffers by name (plain arrays: they cross threads by copy). */
export type NamedArrays = Record<string, Float32Array>;

/** A planted fault, for tests: rank `rank` fails in step `step` (1-based), after its backward. */
export interface Fault {
  rank: number;
  step: number;
  /** 'throw': an exception (the rank reports it); 'exit': the worker dies without a word. */
  kind: 'throw' | 'exit';
}

/** Everything a rank needs to start: sent once, after the worker is up. */
export interface RankInit {
  type: 'init';
  rank: number;
  group: GroupMemory;
  /** Flags the coordinator sets: [stop requested, checkpoints saved]. */
  flags: SharedArrayBuffer;
  modelConfig: GPTConfig;
  weights: NamedArrays;
  /** Names of parameters that do not train. */
  frozen: string[];
  config: TrainConfig;
  /** Token ids, in shared memory (Uint16 or Uint32 by `wide`). */
  train: SharedArrayBuffer;
  val: SharedArrayBuffer;
  wide: boolean;
  zero: 0 | 1;
  /** The coordinator's global generator after building the model (rank 0 continues it). */
  globalRng: RngState;
  resume?: { state: TrainingState; optimizer: { tensors: NamedArrays; steps: Record<string, number> } };
  fault?: Fault;
}

export type ToRank = RankInit;

export type FromRank =
  | { type: 'ready'; rank: number; memory: WorkerMemory }
  | { type: 'step'; info: StepInfo }
  | { type: 'eval'; info: EvalInfo }
  | { type: 'eval-progress'; done: number; total: number }
  | {
      type: 'checkpoint';
      kinds: ('last' | 'best')[];
      state: TrainingState;
      weights: NamedArrays;
      optimizer: { tensors: NamedArrays; steps: Record<string, number> };
    }
  | { type: 'done'; rank: number; result: RankResult; weights: NamedArrays | null }
  | { type: 'error'; rank: number; message: string; kind: RankErrorKind };

/**
 * Why a rank stopped: 'aborted', another rank failed first; 'loss', the loss was not finite;
 * 'user', a clear LlmfsError; 'bug', any other exception.
 */
export type RankErrorKind = 'aborted' | 'loss' | 'user' | 'bug';

/** What rank 0 reports at the end (the coordinator adds the rest of TrainResult). */
export interface RankResult {
  steps: number;
  trainLoss: number;
  valLoss: number;
  bestValLoss: number;
  seconds: number;
  tokensPerSecond: number;
  stopped: boolean;
}

/** Indices into RankInit.flags (Int32). */
export const FLAG_STOP = 0;
export const FLAG_SAVED = 1;
export const FLAG_WORDS = 2;
