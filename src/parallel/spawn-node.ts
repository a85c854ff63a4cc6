// Node's side of the worker group: a rank is a worker_threads Worker started through
// boot-worker.mjs on an entry module (TypeScript under tsx, JavaScript in dist/), and the
// RankPort the portable coordinator (data-parallel.ts) talks to it through.

import { Worker } from 'node:worker_threads';
import type { RankPort, SpawnRank } from './messages.js';

/** The entry module next to `base` named `name` (.ts when running from source, else .js). */
export function siblingEntry(base: string, name: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * What callers use of a started worker thread. Declared here rather than as Node's Worker so the
 * package's .d.ts files need no Node types: a TypeScript user without @types/node still compiles.
 */
export interface StartedWorker {
  postMessage(msg: unknown): void;
  on<T>(event: 'message', cb: (msg: T) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'exit', cb: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

/** Starts a worker thread running `entry` (a module URL) with `data` as its workerData. */
export function startWorker(entry: URL, data: Record<string, unknown>): StartedWorker {
  return new Worker(new URL('./boot-worker.mjs', import.meta.url), {
    workerData: { ...data, entry: entry.href },
  });
}

/** Spawns the data-parallel ranks (rank-worker-node.ts) as worker threads. */
export const spawnNodeRank: SpawnRank = (rank) => {
  const w = startWorker(siblingEntry(import.meta.url, 'rank-worker-node'), { rank });
  const port: RankPort = {
    post: (m) => w.postMessage(m),
    onMessage: (cb) => void w.on('message', cb),
    onExit: (cb) => {
      let error: Error | null = null; // an uncaught error comes first, then the exit
      w.on('error', (e) => (error = e));
      w.on('exit', (code) => cb(code, error));
    },
    terminate: () => void w.terminate(),
  };
  return port;
};
