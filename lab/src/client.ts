// The page's end of the training worker: one Worker for the whole page, commands to it, every
// message from it to whoever listens (the Train panel and the others), and call(), which asks
// the worker a named question (worker/methods.ts) and resolves with its reply.

import type { Posted, ToWorker } from './protocol.js';

const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });

export function send(m: ToWorker): void {
  worker.postMessage(m);
}

const listeners: ((m: Posted) => void)[] = [];

/** Every message the worker posts, in order (replies to call() included). */
export function onWorkerMessage(cb: (m: Posted) => void): void {
  listeners.push(cb);
}

let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/** Asks the worker `method` (worker/methods.ts); rejects with the worker's one-line reason. */
export function call<T>(method: string, args: unknown = null): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: (v) => resolve(v as T), reject });
    send({ kind: 'call', id, method, args });
  });
}

worker.addEventListener('message', (e: MessageEvent<Posted>) => {
  const m = e.data;
  if (m.kind === 'reply') {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  }
  for (const cb of listeners) cb(m);
});
