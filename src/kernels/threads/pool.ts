// A pool of worker threads that run gemm jobs, and row-wise kernels (./rows.ts), on one shared
// WebAssembly.Memory. The calling thread writes a job into a shared control block, wakes the
// workers with Atomics.notify, and all take slabs (of C, or of rows) from an atomic counter;
// then it Atomics.waits for the rest. No messages.
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
  M: number;
  N: number;
  K: number;
  a: number;
  rsA: number;
  csA: number;
  b: number;
  rsB: number;
  csB: number;
  c: number;
  ldc: number;
  work: number;
  /** 1: C += op(A) op(B); 0: C = op(A) op(B). */
  acc: number;
}

/**
 * Which kernel a GemmJob's slabs run (the control block's job kind; worker.mjs has the same
 * numbers): the packed gemm, or the unpacked gemv kernels (assembly/gemv.ts) against a
 * transposed B (a Linear weight) or a plain one, cut into slabs of C's columns.
 */
export const GEMM_KERNEL = { packed: 0, gemvT: 4, gemvN: 5 } as const;
export type GemmKernel = (typeof GEMM_KERNEL)[keyof typeof GEMM_KERNEL];

/** A gemm cut into `count` slabs of `size` rows (or columns) of C, handed out one at a time. */
export interface Slabs {
  byRows: boolean;
  size: number;
  count: number;
}

/**
 * A product with a quantized weight, y = x Ŵᵀ (assembly/quant.ts), in wasm addresses; threads
 * split the output columns (weight rows) in slabs of `size`.
 */
export interface QuantJob {
  /**
   * 1: int8 rows (codes at q, scales at s); 2: int4 groups of G (packed at q, zeros at z or 0);
   * 3: int8 rows times x quantized per row (codes in [-127, 127] as i16 at x, row scales at t).
   */
  kind: 1 | 2 | 3;
  M: number;
  N: number;
  K: number;
  G: number;
  x: number;
  ldx: number;
  q: number;
  s: number;
  z: number;
  y: number;
  ldy: number;
  /** kind 3: x's row scales (else 0). */
  t: number;
}

/** The row-wise and elementwise kernels a RowJob can run (worker.mjs has the same table). */
export const ROW_KERNEL = {
  softmaxForward: 1,
  softmaxBackward: 2,
  logSoftmaxForward: 3,
  logSoftmaxBackward: 4,
  layerNormForward: 5,
  geluTanhForward: 6,
  geluTanhBackward: 7,
  adamw: 8,
  binary: 9,
} as const;
export type RowKernel = (typeof ROW_KERNEL)[keyof typeof ROW_KERNEL];

/**
 * A row-wise (or elementwise) kernel call cut into slabs of `size` units: rows, or elements for
 * GELU and AdamW. Slab [u0, u0 + n) runs the same export with each pointer advanced by
 * u0 * stride bytes and n units, so every row is computed by the same code as on one thread.
 */
export interface RowJob {
  kernel: RowKernel;
  units: number;
  /** Row length (row-wise kernels; unused by elementwise ones). */
  cols: number;
  /** Up to 6 wasm addresses, in the export's argument order. */
  ptrs: number[];
  /** Bytes each pointer advances per unit: 4 * cols for a row, 4 per element, 0 when shared. */
  strides: number[];
  /** Up to 3 integer arguments (binary: op code and the two operand modes). */
  ints: number[];
  /** Up to 9 float32 arguments (layer norm's eps, AdamW's coefficients). */
  floats: number[];
}

// Control block. Header: the gemm's 11 arguments, then byRows, slab size, slab count, the
// next-slab counter and the accumulate flag, then the job kind (0 gemm, 1 int8, 2 int4, 3 int8
// x int8, 4 gemvT, 5 gemvN, 10 row job) and a quantized product's 12 arguments, then a row job's
// kernel, units, cols, 6 pointers, 6 strides, 3 ints and 9 float32s. Then SLOT int32s per
// worker: [seq, done, failed, workspace address].
const ARGS = 0;
const BY_ROWS = 11;
const SIZE = 12;
const COUNT = 13;
const NEXT = 14;
const ACC = 15;
const KIND = 16;
const QARGS = 17;
const RARGS = 29;
const RFLOATS = RARGS + 18;
const HEADER = RFLOATS + 9;
const KIND_ROWS = 10;
export const SLOT = 4;
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const WORK = 3;

/** Slab i of a job (the worker in worker.mjs computes the same). */
export function slab(j: GemmJob, s: Slabs, i: number, work: number): GemmJob {
  const start = i * s.size;
  const n = Math.min(s.size, (s.byRows ? j.M : j.N) - start);
  return s.byRows
    ? { ...j, M: n, a: j.a + 4 * start * j.rsA, c: j.c + 4 * start * j.ldc, work }
    : { ...j, N: n, b: j.b + 4 * start * j.csB, c: j.c + 4 * start, work };
}

export class ThreadPool {
  private seq = 0;
  private readonly floats: Float32Array;

  private constructor(
    private readonly workers: WorkerPort[],
    private readonly ctrl: Int32Array,
  ) {
    this.floats = new Float32Array(ctrl.buffer, RFLOATS * 4, 9);
  }

  /**
   * Starts `count` workers on the kernel module and memory, each with its gemm workspace;
   * resolves when all are ready.
   */
  static async start(
    count: number,
    spawn: SpawnWorker,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    workspaces: number[],
  ): Promise<ThreadPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer((HEADER + count * SLOT) * 4));
    const workers: WorkerPort[] = [];
    try {
      await Promise.all(
        Array.from(
          { length: count },
          (_, w) =>
            new Promise<void>((resolve, reject) => {
              ctrl[HEADER + w * SLOT + WORK] = workspaces[w];
              const worker = spawn();
              workers.push(worker);
              worker.onError(reject);
              worker.onMessage((m) =>
                m === 'ready' ? resolve() : reject(new Error(`kernel worker: ${String(m)}`)),
              );
              worker.post({ module, memory, ctrl: ctrl.buffer, slot: HEADER + w * SLOT });
            }),
        ),
      );
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

  /**
   * Runs the slabs of `job` on the calling thread (through `self`, with job.work) and on
   * threads - 1 workers, each taking the next slab from a shared counter until none is left:
   * a thread the OS descheduled holds up one slab, not a fixed share. Returns when all are done.
   */
  run(
    job: GemmJob,
    slabs: Slabs,
    threads: number,
    self: (job: GemmJob) => void,
    kernel: GemmKernel = GEMM_KERNEL.packed,
  ): void {
    if (kernel !== GEMM_KERNEL.packed && slabs.byRows)
      throw new Error('thread pool: the gemv kernels split columns, not rows');
    const c = this.ctrl;
    c.set([job.M, job.N, job.K, job.a, job.rsA, job.csA, job.b, job.rsB, job.csB, job.c, job.ldc], ARGS);
    c[BY_ROWS] = slabs.byRows ? 1 : 0;
    c[SIZE] = slabs.size;
    c[ACC] = job.acc;
    c[KIND] = kernel;
    this.dispatch(slabs.count, threads, (i) => self(slab(job, slabs, i, job.work)));
  }

  /**
   * Runs a quantized product in slabs of `size` output columns on the caller (through `self`,
   * given a column range) and threads - 1 workers, as `run` does.
   */
  runQuant(job: QuantJob, size: number, threads: number, self: (j0: number, j1: number) => void): void {
    const c = this.ctrl;
    c.set([job.M, job.N, job.K, job.G, job.x, job.ldx, job.q, job.s, job.z, job.y, job.ldy, job.t], QARGS);
    c[SIZE] = size;
    c[KIND] = job.kind;
    this.dispatch(Math.ceil(job.N / size), threads, (i) => self(i * size, Math.min(job.N, (i + 1) * size)));
  }

  /**
   * Runs a row job in slabs of `size` units on the caller (through `self`, given the first unit
   * and the count) and threads - 1 workers, as `run` does.
   */
  runRows(job: RowJob, size: number, threads: number, self: (u0: number, n: number) => void): void {
    const c = this.ctrl;
    const pad = (xs: number[], n: number) => [...xs, ...new Array<number>(n - xs.length).fill(0)];
    c.set(
      [job.kernel, job.units, job.cols, ...pad(job.ptrs, 6), ...pad(job.strides, 6), ...pad(job.ints, 3)],
      RARGS,
    );
    this.floats.set(pad(job.floats, 9));
    c[SIZE] = size;
    c[KIND] = KIND_ROWS;
    this.dispatch(Math.ceil(job.units / size), threads, (i) =>
      self(i * size, Math.min(size, job.units - i * size)),
    );
  }

  // Wakes the helpers on the job already written into the header, takes slabs on this thread
  // until none is left, then waits for the helpers.
  private dispatch(count: number, threads: number, self: (slab: number) => void): void {
    const c = this.ctrl;
    const helpers = Math.min(threads, this.size) - 1;
    const seq = ++this.seq;
    c[COUNT] = count;
    Atomics.store(c, NEXT, 0);
    for (let w = 0; w < helpers; w++) {
      const o = HEADER + w * SLOT;
      c[o + FAILED] = 0;
      Atomics.store(c, o + SEQ, seq);
      Atomics.notify(c, o + SEQ);
    }
    for (let i = Atomics.add(c, NEXT, 1); i < count; i = Atomics.add(c, NEXT, 1)) self(i);
    let failed = false;
    for (let w = 0; w < helpers; w++) {
      const o = HEADER + w * SLOT;
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
      Atomics.store(this.ctrl, HEADER + w * SLOT + SEQ, -1);
      Atomics.notify(this.ctrl, HEADER + w * SLOT + SEQ);
      this.workers[w].terminate();
    }
    this.workers.length = 0;
  }
}
