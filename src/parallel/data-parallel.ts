// Data-parallel training (PyTorch DDP, Li et al., 2020), optionally with ZeRO-1 (Rajbhandari et
// al., 2020): N ranks on worker threads, each with a replica of the model, train on slices of each
// global batch and average their gradients with a ring all-reduce (rank-loop.ts). This thread is a
// pure coordinator: it starts the ranks, relays their progress to the same callbacks train() takes,
// writes the checkpoints rank 0 hands it, sets the stop flag on cb.signal, and, never blocked
// itself, notices a worker that dies and wakes the others. Portable: spawning is the caller's.

import type { GPT } from '../model/gpt.js';
import { Tensor } from '../tensor/tensor.js';
import { globalRng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { trainConfig, type TrainConfig } from '../train/config.js';
import type { TokenArray } from '../train/data.js';
import type { OptimizerState } from '../train/optimizer.js';
import type { TrainingState } from '../train/training-state.js';
import type { TrainCallbacks, TrainData, TrainResult } from '../train/trainer.js';
import { createGroupMemory, markFailed } from './group.js';
import type { WorkerMemory } from './memory.js';
import {
  FLAG_SAVED,
  FLAG_STOP,
  FLAG_WORDS,
  type Fault,
  type FromRank,
  type NamedArrays,
  type RankResult,
  type SpawnRank,
} from './messages.js';

export interface DataParallelOptions {
  /** Ranks (worker threads), each taking batchSize / workers rows of every batch. */
  workers: number;
  /** 1: ZeRO-1, the AdamW moments sharded across the ranks; 0 (default): plain data parallel. */
  zero?: 0 | 1;
  /** Starts the worker of one rank (Node: spawnNodeRank in spawn-node.ts). */
  spawn: SpawnRank;
  /** How errors name a setting (the CLI names its flag: batchSize -> --batch-size). */
  flagName?: (field: string) => string;
  /** For tests: make one rank fail mid-step. */
  fault?: Fault;
}

export interface DataParallelResult extends TrainResult {
  workers: number;
  zero: 0 | 1;
  /** Bytes each worker holds (parameters, gradients, moments, communication buffers), by rank. */
  memory: WorkerMemory[];
}

/** The one-line reason `workers` cannot split batches of `batchSize` rows, or null if it can. */
export function workersProblem(workers: number, batchSize: number, name = (k: string) => k): string | null {
  if (!Number.isInteger(workers) || workers < 1)
    return `${name('workers')} must be an integer >= 1, got ${workers}`;
  if (workers > batchSize)
    return (
      `${name('workers')} ${workers} is more than ${name('batchSize')} ${batchSize}: ` +
      'each worker needs at least one sequence of every batch'
    );
  if (batchSize % workers !== 0) {
    const up = Math.ceil(batchSize / workers) * workers;
    return (
      `${name('batchSize')} ${batchSize} does not divide among ${name('workers')} ${workers}: ` +
      `use a multiple of ${workers}, such as ${up}`
    );
  }
  return null;
}

/** Floats per chunk slot of a rank's collective buffer. */
const PIECE = 1 << 18;

const shared = (t: TokenArray): SharedArrayBuffer => {
  const b = new SharedArrayBuffer(t.byteLength);
  new Uint8Array(b).set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  return b;
};

/**
 * Trains `model` as train() does, on `workers` ranks; the callbacks see what train()'s would
 * (steps, evaluations, checkpoints from rank 0), and `model` ends with the trained weights.
 */
export async function trainDataParallel(
  model: GPT,
  data: TrainData,
  config: Partial<TrainConfig>,
  cb: TrainCallbacks,
  resume: { state: TrainingState; optimizer: OptimizerState } | undefined,
  opts: DataParallelOptions,
): Promise<DataParallelResult> {
  const name = opts.flagName ?? ((k: string) => k);
  const N = opts.workers;
  const zero = opts.zero ?? 0;
  const c = trainConfig(config, { label: 'train', flagName: name });
  const problem = workersProblem(N, c.batchSize, name);
  if (problem) throw new LlmfsError(`train: ${problem}`);
  if (zero !== 0 && zero !== 1) throw new LlmfsError(`train: ${name('zero')} must be 0 or 1, got ${zero}`);
  if (zero === 1 && c.optimizer !== 'adamw')
    throw new LlmfsError(`train: ${name('zero')} 1 shards AdamW's moments; use ${name('optimizer')} adamw`);
  if (!('train' in data))
    throw new LlmfsError('train: data-parallel training takes token data (train and val)');
  if (cb.onUpdate)
    throw new LlmfsError(`train: ${name('diagnostics')} does not work with ${name('workers')} > 1`);
  const T = model.config.blockSize;
  if (data.val.length > 0 && data.val.length < T + 1)
    throw new LlmfsError(
      `train: the validation split has ${data.val.length} tokens, fewer than blockSize + 1 = ${T + 1}`,
    );

  const named = model.namedParameters();
  const byName = new Map(named);
  const P = named.reduce((n, [, p]) => n + (p.requiresGrad ? p.size : 0), 0);
  // Each rank's collective buffer holds one piece of each of the N chunks (ring.ts): up to 1 MB
  // per chunk, so a large model is reduced in pieces rather than doubled in shared memory.
  const group = createGroupMemory(N, { capacity: N * Math.min(PIECE, Math.max(1, Math.ceil(P / N))) });
  const flagsBuf = new SharedArrayBuffer(FLAG_WORDS * 4);
  const flags = new Int32Array(flagsBuf);
  const wide = data.train instanceof Uint32Array;
  const init = {
    type: 'init' as const,
    group,
    flags: flagsBuf,
    modelConfig: model.config,
    weights: Object.fromEntries(named.map(([n, p]) => [n, Float32Array.from(p.data)])),
    frozen: named.filter(([, p]) => !p.requiresGrad).map(([n]) => n),
    config: c,
    train: shared(data.train),
    val: shared(data.val),
    wide,
    zero,
    globalRng: globalRng.getState(),
    fault: opts.fault,
    resume: resume && {
      state: resume.state,
      optimizer: {
        tensors: Object.fromEntries(
          Object.entries(resume.optimizer.tensors).map(([k, t]) => [k, Float32Array.from(t.data)]),
        ),
        steps: resume.optimizer.steps,
      },
    },
  };
  const setWeights = (w: NamedArrays) => {
    for (const [n, p] of named) if (w[n]) p.data.set(w[n]);
  };
  const optimizerState = (o: { tensors: NamedArrays; steps: Record<string, number> }): OptimizerState => {
    const tensors: Record<string, Tensor> = {};
    for (const [k, a] of Object.entries(o.tensors)) {
      const p = byName.get(k.slice(0, k.lastIndexOf('.')));
      tensors[k] = new Tensor(a, p ? p.shape : [a.length]);
    }
    return { tensors, steps: o.steps };
  };

  return new Promise<DataParallelResult>((resolve, reject) => {
    const memory: WorkerMemory[] = [];
    let result: RankResult | null = null;
    let cause: Error | null = null;
    const ended = new Set<number>(); // ranks that posted 'done' or 'error'
    let exited = 0;
    const failWith = (err: Error, rank: number) => {
      cause ??= err;
      markFailed(group, rank);
    };
    const stop = () => Atomics.store(flags, FLAG_STOP, 1);
    if (cb.signal?.aborted) stop();
    cb.signal?.addEventListener('abort', stop);
    const onMessage = (rank: number, m: FromRank) => {
      try {
        if (m.type === 'ready') memory[rank] = m.memory;
        else if (m.type === 'step') cb.onStep?.(m.info);
        else if (m.type === 'eval') cb.onEval?.(m.info);
        else if (m.type === 'eval-progress') cb.onEvalProgress?.(m.done, m.total);
        else if (m.type === 'checkpoint') {
          setWeights(m.weights);
          const o = optimizerState(m.optimizer);
          for (const kind of m.kinds) cb.onCheckpoint?.(kind, m.state, o);
          Atomics.add(flags, FLAG_SAVED, 1);
          Atomics.notify(flags, FLAG_SAVED);
        } else if (m.type === 'done') {
          ended.add(rank);
          if (m.weights) setWeights(m.weights);
          if (rank === 0) result = m.result;
        } else if (m.type === 'error') {
          ended.add(rank);
          if (m.kind === 'aborted') return;
          if (m.kind === 'loss') {
            const where = cb.lastCheckpointPath?.() ?? null;
            const saved = where ? `the last good checkpoint is ${where}` : 'no checkpoint was saved yet';
            failWith(new LlmfsError(`${m.message}; ${saved}. Try a lower --lr or a gradient clip.`), rank);
          } else failWith(new LlmfsError(`train: worker ${rank} of ${N} failed: ${m.message}`), rank);
        }
      } catch (err) {
        // A callback failed (a checkpoint that cannot be written): stop every rank.
        failWith(err instanceof Error ? err : new Error(String(err)), N);
      }
    };
    const onExit = (rank: number, code: number, err: Error | null) => {
      if (!ended.has(rank) && (code !== 0 || err)) {
        const why = err ? err.message : `exit code ${code}`;
        failWith(new LlmfsError(`train: worker ${rank} of ${N} died (${why})`), rank);
      }
      if (++exited < N) return;
      cb.signal?.removeEventListener('abort', stop);
      if (cause) reject(cause);
      else if (!result) reject(new LlmfsError('train: the workers ended without a result'));
      else resolve({ ...result, workers: N, zero, memory });
    };
    for (let rank = 0; rank < N; rank++) {
      const port = opts.spawn(rank);
      port.onMessage((m) => onMessage(rank, m));
      port.onExit((code, err) => onExit(rank, code, err));
      port.post({ ...init, rank });
    }
  });
}
