// A pool of worker threads that run gemm jobs on one shared WebAssembly.Memory. The calling
// thread posts each job's arguments into a shared control block, wakes its worker with
// Atomics.notify, runs its own share, then Atomics.waits for the rest: no messages per call.
// Portable: spawning a worker is the caller's (Node's worker_threads or a browser Worker).

/** The little a pool needs from a worker, whichever runtime made it. */
export interface WorkerPort {
  post(msg: unknown): void;
  onMessage(cb: (msg: unknown) => void): void;
  onError(cb: (err: unknown) => void): void;
  terminate(): void;
  /** Lets the runtime exit while the worker idles (called once it is ready). */
  unref?(): void;
}

export type SpawnWorker = () => WorkerPort;

/** A gemm call in wasm addresses and element strides (see assembly/gemm.ts). */
export interface GemmJob {
  M: number; N: number; K: number;
  a: number; rsA: number; csA: number;
  b: number; rsB: number; csB: number;
  c: number; ldc: number; work: number;
}

// Control block, SLOT int32s per worker: [seq, done, failed, M, N, K, a, rsA, csA, b, rsB, csB, c, ldc, work]
export const SLOT = 16;
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const ARGS = 3;

export class ThreadPool {
  private seq = 0;

  private constructor(private readonly workers: WorkerPort[], private readonly ctrl: Int32Array) {}

  /** Starts `count` workers on the kernel module and memory; resolves when all are ready. */
  static async start(count: number, spawn: SpawnWorker, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer(Math.max(count, 1) * SLOT * 4));
    const workers: WorkerPort[] = [];
    try {
      await Promise.all(Array.from({ length: count }, (_, slot) => new Promise<void>((resolve, reject) => {
        const w = spawn();
        workers.push(w);
        w.onError(reject);
        w.onMessage((m) => (m === 'ready' ? resolve() : reject(new Error(`kernel worker: ${String(m)}`))));
        w.post({ module, memory, ctrl: ctrl.buffer, slot });
      })));
    } catch (err) {
      for (const w of workers) w.terminate();
      throw err;
    }
    for (const w of workers) w.unref?.();
    return new ThreadPool(workers, ctrl);
  }

  /** Threads available to one call: the workers plus the caller. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Runs jobs[0] on the calling thread (through `self`) and jobs[1..] on workers; returns when all are done. */
  run(jobs: GemmJob[], self: (job: GemmJob) => void): void {
    if (jobs.length > this.size) throw new Error(`thread pool: ${jobs.length} jobs for ${this.size} threads`);
    const seq = ++this.seq;
    const c = this.ctrl;
    for (let w = 0; w < jobs.length - 1; w++) {
      const j = jobs[w + 1];
      const o = w * SLOT;
      c[o + FAILED] = 0;
      c.set([j.M, j.N, j.K, j.a, j.rsA, j.csA, j.b, j.rsB, j.csB, j.c, j.ldc, j.work], o + ARGS);
      Atomics.store(c, o + SEQ, seq);
      Atomics.notify(c, o + SEQ);
    }
    self(jobs[0]);
    let failed = false;
    for (let w = 0; w < jobs.length - 1; w++) {
      const o = w * SLOT;
      for (;;) {
        const d = Atomics.load(c, o + DONE);
        if (d === seq) break;
        Atomics.wait(c, o + DONE, d, 50);
      }
      failed ||= c[o + FAILED] !== 0;
    }
    if (failed) throw new Error('thread pool: a kernel worker failed (see its error output)');
  }

  /** Stops the workers (they are unref'd, so a process may also just exit). */
  close(): void {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.ctrl, w * SLOT + SEQ, -1);
      Atomics.notify(this.ctrl, w * SLOT + SEQ);
      this.workers[w].terminate();
    }
    this.workers.length = 0;
  }
}
