// Node's side of the teaching-mode schemes (tensor parallel, Shoeybi et al., 2019; pipeline,
// Huang et al., 2019): a rank is a worker thread (started through the data-parallel helper's
// boot-worker.mjs) that installs the wasm backend with one GEMM thread, runs its loop, replies once.

import { parentPort } from 'node:worker_threads';
import { useFastBackend } from '../../kernels/threads/node.js';
import { GroupAbortedError, markFailed, type GroupMemory } from '../group.js';
import { siblingEntry, startWorker } from '../spawn-node.js';
import type { StepInfo } from '../../train/trainer.js';
import type { RankReply, SpawnTeachingRank, TeachingPort } from './run-ranks.js';
import type { TensorRankInit, TensorRankResult } from './rank.js';
import type { PipelineRankInit, PipelineRankResult } from '../pipeline/rank.js';

/** Spawns ranks running the entry module `entry` (a URL: worker-node.ts of tensor/ or pipeline/). */
export function spawnTeachingRank<I, R>(entry: URL): SpawnTeachingRank<I, R> {
  return (rank) => {
    const w = startWorker(entry, { rank });
    const port: TeachingPort<I, R> = {
      post: (m) => w.postMessage(m),
      onMessage: (cb) => void w.on('message', cb),
      onExit: (cb) => {
        let error: Error | null = null;
        w.on('error', (e) => (error = e));
        w.on('exit', (code) => cb(code, error));
      },
    };
    return port;
  };
}

/** In a worker: takes the init message, runs `run` on it, posts the result or the error. */
export function serveTeachingRank<I extends { rank: number; group: GroupMemory }, R>(
  run: (init: I, onStep: (info: StepInfo) => void) => R,
): void {
  const port = parentPort!;
  port.once('message', (init: I) => {
    void (async () => {
      try {
        if ((process.env.LLMFS_BACKEND ?? 'wasm').toLowerCase() !== 'js')
          await useFastBackend({ threads: 1 });
        const onStep = (info: StepInfo) => port.postMessage({ type: 'step', rank: init.rank, info });
        const reply: RankReply<R> = { type: 'done', rank: init.rank, result: run(init, onStep) };
        port.postMessage(reply);
      } catch (err) {
        markFailed(init.group, init.rank);
        const e = err instanceof Error ? err : new Error(String(err));
        const reply: RankReply<R> = {
          type: 'error',
          rank: init.rank,
          message: e.message,
          aborted: e instanceof GroupAbortedError,
        };
        port.postMessage(reply);
      }
    })();
  });
}

/** Spawns tensor-parallel ranks (tensor/worker-node.ts) as worker threads. */
export const spawnNodeTensorRank = (): SpawnTeachingRank<TensorRankInit, TensorRankResult> =>
  spawnTeachingRank(siblingEntry(import.meta.url, 'worker-node'));

/** Spawns pipeline ranks (pipeline/worker-node.ts) as worker threads. */
export const spawnNodePipelineRank = (): SpawnTeachingRank<PipelineRankInit, PipelineRankResult> =>
  spawnTeachingRank(siblingEntry(import.meta.url, '../pipeline/worker-node'));
