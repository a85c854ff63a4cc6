// The messages between the page and the training worker (train-worker.ts): the page sends
// commands, the worker answers with its backend, each step, each evaluation and samples. The
// look-inside, next-token and model panels ask the worker questions by name ('call'), answered
// by the methods of worker/methods.ts ('reply', matched by id).

import type { Setup } from './setup.js';

export type ToWorker =
  | { kind: 'reset'; setup: Setup; sotu: string; run: number }
  | { kind: 'play' }
  | { kind: 'pause' }
  | { kind: 'step' }
  | { kind: 'call'; id: number; method: string; args: unknown };

export interface BackendInfo {
  /** 'wasm-relaxed', 'wasm-simd' or 'js' */
  name: string;
  threads: number;
  /** Whether the page is cross-origin isolated (SharedArrayBuffer, hence threads). */
  isolated: boolean;
}

export type FromWorker =
  | { kind: 'backend'; info: BackendInfo }
  | {
      kind: 'ready';
      params: number;
      vocabSize: number;
      trainTokens: number;
      valTokens: number;
      loaded?: string;
    }
  | { kind: 'step'; step: number; loss: number; lr: number; tokensPerSecond: number }
  | { kind: 'eval'; step: number; trainLoss: number; valLoss: number }
  | { kind: 'sample'; step: number; text: string }
  | { kind: 'state'; running: boolean; step: number; done: boolean }
  | { kind: 'error'; message: string }
  /** The answer to a 'call': its result, or one line saying why it failed. */
  | { kind: 'reply'; id: number; result?: unknown; error?: string };

/**
 * What the worker posts: a session's messages carry the number of the reset that made it, so the
 * page drops those an older run sent before it heard of a newer reset.
 */
export type Posted = FromWorker & { run?: number };
