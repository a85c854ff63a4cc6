// Row-wise and elementwise wasm kernels split across the thread pool: softmax, log-softmax,
// layer norm forward, GELU, AdamW and the binary ops. Rows (or, for GELU and AdamW, elements)
// are independent, so each thread runs the same export on its own slab and the result has the
// same bits as one thread. Layer norm backward stays on one thread: its dw and db sum over rows.

import type { KernelExports } from '../wasm/module.js';
import { ROW_KERNEL, type RowJob, type RowKernel, type ThreadPool } from './pool.js';

/**
 * Below these many elements a call stays on one thread. Measured on 2 idle cores (Node 20): GELU,
 * softmax at 32768 elements break even (a worker's futex wake-up costs tens of µs), at 65536
 * run 1.25x faster alone, at 393216 1.8x; but `tiny` steps, whose GELU has exactly 65536, ran
 * 6-15% slower on two threads, so the split starts above that. A binary op (memory bound, about
 * 1 ns per element) gained nothing at any size, so it stays on one thread.
 */
export const MIN_THREAD_ELEMENTS = { transcendental: 1 << 17, binary: Infinity };

/** A slab holds at least this many elements, so its share of the wake-up cost stays small. */
const MIN_SLAB_ELEMENTS = 1 << 13;
/** Elementwise slabs start on a multiple of this, so only the last slab has a scalar tail. */
const LANES = 16;

type RowMethods = Pick<
  KernelExports,
  | 'softmaxForward'
  | 'softmaxBackward'
  | 'logSoftmaxForward'
  | 'logSoftmaxBackward'
  | 'layerNormForward'
  | 'geluTanhForward'
  | 'geluTanhBackward'
  | 'adamw'
  | 'binary'
>;

/**
 * The kernel exports with the row-wise ones split across `pool` (at most `threads` threads),
 * above `min` elements; everything else is `k` itself.
 */
export function threadedRowKernels(
  k: KernelExports,
  pool: ThreadPool,
  threads: number = pool.size,
  min: { transcendental: number; binary: number } = MIN_THREAD_ELEMENTS,
): KernelExports {
  const n = Math.min(threads, pool.size);
  if (n < 2) return k;

  /**
   * Runs `job` across the pool when it is large enough, else `one` over all units on this
   * thread. `slab(p, u0, count)` runs units [u0, u0 + count) with the pointers p advanced.
   */
  const split = (
    job: Omit<RowJob, 'ints' | 'floats'> & Partial<Pick<RowJob, 'ints' | 'floats'>>,
    elementsPerUnit: number,
    slab: (p: number[], count: number) => void,
  ): void => {
    const minElements = job.kernel === ROW_KERNEL.binary ? min.binary : min.transcendental;
    const { units, ptrs, strides } = job;
    const align = elementsPerUnit === 1 ? LANES : 1;
    const minUnits = Math.ceil(MIN_SLAB_ELEMENTS / elementsPerUnit);
    const size = Math.ceil(Math.max(minUnits, Math.ceil(units / (4 * n))) / align) * align;
    if (units * elementsPerUnit < minElements || size >= units) return slab(ptrs, units);
    const full: RowJob = { ints: [], floats: [], ...job };
    pool.runRows(full, size, n, (u0, count) =>
      slab(
        ptrs.map((p, j) => p + u0 * strides[j]),
        count,
      ),
    );
  };
  const rows = (kernel: RowKernel, rowsN: number, cols: number, ptrs: number[], strides: number[]) => ({
    kernel,
    units: rowsN,
    cols,
    ptrs,
    strides,
  });
  const R = ROW_KERNEL;

  const methods: RowMethods = {
    softmaxForward: (x, y, r, cols) =>
      split(rows(R.softmaxForward, r, cols, [x, y], [4 * cols, 4 * cols]), cols, (p, m) =>
        k.softmaxForward(p[0], p[1], m, cols),
      ),
    softmaxBackward: (y, dy, dx, r, cols) =>
      split(rows(R.softmaxBackward, r, cols, [y, dy, dx], [4 * cols, 4 * cols, 4 * cols]), cols, (p, m) =>
        k.softmaxBackward(p[0], p[1], p[2], m, cols),
      ),
    logSoftmaxForward: (x, y, r, cols) =>
      split(rows(R.logSoftmaxForward, r, cols, [x, y], [4 * cols, 4 * cols]), cols, (p, m) =>
        k.logSoftmaxForward(p[0], p[1], m, cols),
      ),
    logSoftmaxBackward: (y, dy, dx, r, cols) =>
      split(rows(R.logSoftmaxBackward, r, cols, [y, dy, dx], [4 * cols, 4 * cols, 4 * cols]), cols, (p, m) =>
        k.logSoftmaxBackward(p[0], p[1], p[2], m, cols),
      ),
    // w and b are shared by every row; mean and rstd hold one value per row
    layerNormForward: (x, w, b, y, mean, rstd, r, cols, eps) =>
      split(
        {
          ...rows(R.layerNormForward, r, cols, [x, w, b, y, mean, rstd], [4 * cols, 0, 0, 4 * cols, 4, 4]),
          floats: [eps],
        },
        cols,
        (p, m) => k.layerNormForward(p[0], p[1], p[2], p[3], p[4], p[5], m, cols, eps),
      ),
    geluTanhForward: (x, y, len) =>
      split(rows(R.geluTanhForward, len, 1, [x, y], [4, 4]), 1, (p, m) => k.geluTanhForward(p[0], p[1], m)),
    geluTanhBackward: (x, dy, dx, len) =>
      split(rows(R.geluTanhBackward, len, 1, [x, dy, dx], [4, 4, 4]), 1, (p, m) =>
        k.geluTanhBackward(p[0], p[1], p[2], m),
      ),
    adamw: (p0, g, m0, v, len, b1, c1, b2, c2, eps, decay, stepSize, ibc2) =>
      split(
        {
          ...rows(R.adamw, len, 1, [p0, g, m0, v], [4, 4, 4, 4]),
          floats: [b1, c1, b2, c2, eps, decay, stepSize, ibc2],
        },
        1,
        (p, m) => k.adamw(p[0], p[1], p[2], p[3], m, b1, c1, b2, c2, eps, decay, stepSize, ibc2),
      ),
    // an operand's mode (kernels/wasm/calls.ts `mode`) says how it advances per output row:
    // 0 a full row, 1 one value for all, 2 one row for all, 3 one value per row
    binary: (op, a, am, b, bm, out, r, cols) => {
      const step = (mode: number) => (mode === 0 ? 4 * cols : mode === 3 ? 4 : 0);
      split(
        { ...rows(R.binary, r, cols, [a, b, out], [step(am), step(bm), 4 * cols]), ints: [op, am, bm] },
        cols,
        (p, m) => k.binary(op, p[0], am, p[1], bm, p[2], m, cols),
      );
    },
  };
  return { ...k, ...methods };
}
