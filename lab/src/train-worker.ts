// The training worker: the library's portable entry running off the page's main thread, on the
// WebAssembly SIMD backend, with kernel threads (src/kernels/threads/worker.mjs, as browser
// workers) when the page is cross-origin isolated, else on one thread. It obeys ToWorker
// commands and posts FromWorker progress.

/// <reference lib="webworker" />

import { createWasmBackend, setBackend, wasmSupported, type WorkerPort } from '../../src/index.js';
import type { BackendInfo, FromWorker, ToWorker } from './protocol.js';
import { Session } from './session.js';
import { METHODS } from './worker/methods.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker): void => scope.postMessage(m);

/** A kernel thread: the library's own worker file, bundled by Vite as a module worker. */
function spawnKernelWorker(): WorkerPort {
  const w = new Worker(new URL('../../src/kernels/threads/worker.mjs', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (cb) => w.addEventListener('message', (e: MessageEvent) => cb(e.data)),
    onError: (cb) => w.addEventListener('error', (e) => cb(e.message)),
    terminate: () => w.terminate(),
  };
}

async function installBackend(): Promise<BackendInfo> {
  const isolated = scope.crossOriginIsolated === true;
  if (!wasmSupported()) return { name: 'js', threads: 1, isolated };
  // Threads share one WebAssembly.Memory, which needs SharedArrayBuffer: isolation only.
  const threads = isolated ? Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1)) : 1;
  const backend = await createWasmBackend({ threads, spawnWorker: spawnKernelWorker });
  setBackend(backend);
  return { name: backend.name, threads: backend.threads, isolated };
}

const ready = installBackend().then(
  (info) => post({ kind: 'backend', info }),
  (err: unknown) => post({ kind: 'error', message: `backend: ${String(err)}` }),
);

let session: Session | null = null;
let run = 0; // the page's number of the current run (its last reset)
/** Posts a message of the current run. */
const postRun = (msg: FromWorker): void => scope.postMessage({ ...msg, run });

scope.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  void ready.then(() => handle(e.data));
});

function handle(m: ToWorker): void {
  try {
    if (m.kind === 'reset') {
      session?.close();
      run = m.run;
      session = new Session(m.setup, m.sotu, postRun);
    } else if (m.kind === 'play') void session?.play();
    else if (m.kind === 'step') void session?.play(1);
    else if (m.kind === 'pause') session?.pause();
    else if (m.kind === 'call') void answer(m.id, m.method, m.args);
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

/** Runs a named method (worker/methods.ts) and posts its result or its one-line error. */
async function answer(id: number, method: string, args: unknown): Promise<void> {
  const run = METHODS[method];
  if (!run) {
    post({ kind: 'reply', id, error: `the worker has no method '${method}'` });
    return;
  }
  try {
    const result = await run(
      {
        session,
        post: postRun,
        replaceSession: (next) => {
          session?.close();
          session = next;
        },
      },
      args,
    );
    post({ kind: 'reply', id, result });
  } catch (err) {
    post({ kind: 'reply', id, error: err instanceof Error ? err.message : String(err) });
  }
}
