// Glue for the row-wise and elementwise wasm kernels: copy the inputs into wasm memory, run
// the kernel, copy the outputs back. Float64 arrays, and sizes below a kernel's measured
// break-even (bench/kernels.ts), go to the reference kernel, for which the copies cost more.

import type { Backend, BinaryOp } from '../backend.js';
import type { FloatArray } from '../dtype.js';
import { jsBackend } from '../js/index.js';
import { HeapFull, type WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';

type Ptr = number;

/** Opcodes of assembly/elementwise.ts `binary`; pow stays in JS. */
const BINARY_OPS: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};

function allF32(...xs: (FloatArray | null)[]): boolean {
  return xs.every((x) => x === null || x instanceof Float32Array);
}

/**
 * Runs `kernel` on wasm copies of `ins` (read) and `outs` (written; `inouts` read and written),
 * then copies outs and inouts back; arrays that live in wasm memory are used in place. Null
 * arrays become address 0. A Float64Array is copied as float32 (set() converts each value).
 * When the copies do not fit in the wasm memory (HeapFull), nothing has been written yet and
 * `fallback` (the reference kernel) runs instead.
 */
function call(
  heap: WasmHeap,
  ins: (FloatArray | null)[],
  inouts: FloatArray[],
  outs: FloatArray[],
  kernel: (ptrs: Ptr[]) => void,
  fallback: () => void,
): void {
  const mark = heap.mark();
  try {
    let pin: Ptr[], pio: Ptr[], pout: Ptr[];
    try {
      pin = ins.map((x) => (x ? heap.input(x as Float32Array, 0, x.length) : 0));
      pio = inouts.map((x) => heap.input(x as Float32Array, 0, x.length));
      pout = outs.map((x) => heap.output(x as Float32Array, 0, x.length));
    } catch (err) {
      if (!(err instanceof HeapFull)) throw err;
      fallback();
      return;
    }
    kernel([...pin, ...pio, ...pout]);
    inouts.forEach((x, i) => heap.copyOut(pio[i], x as Float32Array, 0, x.length));
    outs.forEach((x, i) => heap.copyOut(pout[i], x as Float32Array, 0, x.length));
  } finally {
    heap.release(mark);
  }
}

/** Sizes (elements) below which a call stays in JS: the copies would cost more than SIMD saves. */
export interface Thresholds {
  /** softmax, log-softmax, layer norm, GELU, AdamW: exp, tanh and sqrt are slow in JS. */
  transcendental: number;
  /** binary ops: the JS loop is already cheap, the three copies are not. */
  binary: number;
}

/** Measured break-even on bench/kernels.ts (docs/10-making-it-fast.md), with margin. */
export const DEFAULT_THRESHOLDS: Thresholds = { transcendental: 256, binary: 8192 };

/** The Backend methods with a wasm kernel besides gemm (attention: ./tiled-attention.ts). */
type WasmKernelMethods = Pick<
  Backend,
  | 'binary'
  | 'softmaxForward'
  | 'softmaxBackward'
  | 'logSoftmaxForward'
  | 'logSoftmaxBackward'
  | 'layerNormForward'
  | 'layerNormBackward'
  | 'geluTanhForward'
  | 'geluTanhBackward'
  | 'adamw'
  | 'sumAxis'
>;

/** The non-gemm Backend methods on wasm kernels, each falling back to the reference. */
export function wasmKernels(
  heap: WasmHeap,
  k: KernelExports,
  min: Thresholds = DEFAULT_THRESHOLDS,
): WasmKernelMethods {
  const js = jsBackend;
  const small = (n: number) => n < min.transcendental;
  return {
    softmaxForward(x, y, rows, cols) {
      const ref = () => js.softmaxForward(x, y, rows, cols);
      if (!allF32(x, y) || small(rows * cols)) return ref();
      call(heap, [x], [], [y], ([px, py]) => k.softmaxForward(px, py, rows, cols), ref);
    },
    softmaxBackward(y, dy, dx, rows, cols) {
      const ref = () => js.softmaxBackward(y, dy, dx, rows, cols);
      if (!allF32(y, dy, dx) || small(rows * cols)) return ref();
      call(heap, [y, dy], [], [dx], ([py, pdy, pdx]) => k.softmaxBackward(py, pdy, pdx, rows, cols), ref);
    },
    logSoftmaxForward(x, y, rows, cols) {
      const ref = () => js.logSoftmaxForward(x, y, rows, cols);
      if (!allF32(x, y) || small(rows * cols)) return ref();
      call(heap, [x], [], [y], ([px, py]) => k.logSoftmaxForward(px, py, rows, cols), ref);
    },
    logSoftmaxBackward(y, dy, dx, rows, cols) {
      const ref = () => js.logSoftmaxBackward(y, dy, dx, rows, cols);
      if (!allF32(y, dy, dx) || small(rows * cols)) return ref();
      const kernel = ([py, pdy, pdx]: Ptr[]) => k.logSoftmaxBackward(py, pdy, pdx, rows, cols);
      call(heap, [y, dy], [], [dx], kernel, ref);
    },
    layerNormForward(x, w, b, y, mean, rstd, rows, cols, eps) {
      const ref = () => js.layerNormForward(x, w, b, y, mean, rstd, rows, cols, eps);
      // mean and rstd may be float64 (ops/norm.ts): they are converted on the way in and out
      if (!allF32(x, w, b, y) || small(rows * cols)) return ref();
      call(
        heap,
        [x, w, b],
        [],
        [y, mean, rstd],
        ([px, pw, pb, py, pm, pr]) => k.layerNormForward(px, pw, pb, py, pm, pr, rows, cols, eps),
        ref,
      );
    },
    layerNormBackward(dy, x, w, mean, rstd, dx, dw, db, rows, cols) {
      const ref = () => js.layerNormBackward(dy, x, w, mean, rstd, dx, dw, db, rows, cols);
      if (!allF32(dy, x, w, dx, dw, db) || small(rows * cols)) return ref();
      const acc = [dw, db].filter((a): a is FloatArray => a !== null);
      call(
        heap,
        [dy, x, w, mean, rstd],
        acc,
        [dx],
        (p) => {
          const [pdy, px, pw, pm, pr] = p;
          const pdw = dw ? p[5] : 0;
          const pdb = db ? p[5 + (dw ? 1 : 0)] : 0;
          k.layerNormBackward(pdy, px, pw, pm, pr, p[p.length - 1], pdw, pdb, rows, cols);
        },
        ref,
      );
    },
    geluTanhForward(x, y) {
      const ref = () => js.geluTanhForward(x, y);
      if (!allF32(x, y) || small(x.length)) return ref();
      call(heap, [x], [], [y], ([px, py]) => k.geluTanhForward(px, py, x.length), ref);
    },
    geluTanhBackward(x, dy, dx) {
      const ref = () => js.geluTanhBackward(x, dy, dx);
      if (!allF32(x, dy, dx) || small(x.length)) return ref();
      call(heap, [x, dy], [], [dx], ([px, pdy, pdx]) => k.geluTanhBackward(px, pdy, pdx, x.length), ref);
    },
    binary(op, a, aStrides, b, bStrides, out, outShape) {
      const ref = () => js.binary(op, a, aStrides, b, bStrides, out, outShape);
      const code = BINARY_OPS[op];
      const cols = outShape.length === 0 ? 1 : outShape[outShape.length - 1];
      const rows = cols === 0 ? 0 : out.length / cols;
      const am = mode(aStrides, outShape);
      const bm = mode(bStrides, outShape);
      if (code === undefined || am < 0 || bm < 0 || !allF32(a, b, out) || out.length < min.binary) {
        return ref();
      }
      const an = extent(am, rows, cols);
      const bn = extent(bm, rows, cols);
      call(
        heap,
        [a.subarray(0, an), b.subarray(0, bn)],
        [],
        [out],
        ([pa, pb, po]) => k.binary(code, pa, am, pb, bm, po, rows, cols),
        ref,
      );
    },
    sumAxis(x, out, outer, n, inner) {
      const ref = () => js.sumAxis(x, out, outer, n, inner);
      // Only for data already in wasm memory (bias gradients in an arena): copying x in would
      // cost as much as summing it. Under 4 columns the vectors have nothing to run across.
      if (!allF32(x, out) || !heap.owns(x) || inner < 4 || outer * n * inner < min.transcendental) {
        return ref();
      }
      const kernel = ([px, po]: Ptr[]) => k.sumAxis(px, po, outer, n, inner);
      call(heap, [x.subarray(0, outer * n * inner)], [], [out.subarray(0, outer * inner)], kernel, ref);
    },
    adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step) {
      const ref = () => js.adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
      if (!allF32(p, g, m, v) || small(p.length)) return ref();
      // scalars in double precision: 1 - beta2 in float32 would be off by 1e-5 relative
      const stepSize = lr / (1 - Math.pow(beta1, step));
      const ibc2 = 1 / (1 - Math.pow(beta2, step));
      call(
        heap,
        [g],
        [p, m, v],
        [],
        ([pg, pp, pm, pv]) =>
          k.adamw(
            pp,
            pg,
            pm,
            pv,
            p.length,
            beta1,
            1 - beta1,
            beta2,
            1 - beta2,
            eps,
            1 - lr * weightDecay,
            stepSize,
            ibc2,
          ),
        ref,
      );
    },
  };
}

/**
 * How an operand is read over a (rows, cols) output, from its broadcast strides: 0 full block,
 * 1 one value, 2 one row repeated, 3 one value per row; -1 for any other pattern (reference).
 */
export function mode(strides: readonly number[], shape: readonly number[]): number {
  const nd = shape.length;
  if (nd === 0) return 0;
  // expected row-major strides, ignoring axes of size 1 (their stride is never used)
  const rowMajor = (d: number, last: number) => {
    let s = 1;
    for (let e = last; e > d; e--) s *= shape[e];
    return s;
  };
  const lead = (want: (d: number) => number) => {
    for (let d = 0; d < nd - 1; d++) if (shape[d] !== 1 && strides[d] !== want(d)) return false;
    return true;
  };
  const lastStride = shape[nd - 1] === 1 ? 1 : strides[nd - 1];
  if (lastStride === 1 && lead((d) => rowMajor(d, nd - 1))) return 0;
  if (lastStride === 0 && lead(() => 0)) return 1;
  if (lastStride === 1 && lead(() => 0)) return 2;
  if (lastStride === 0 && lead((d) => rowMajor(d, nd - 2))) return 3;
  return -1;
}

function extent(mode: number, rows: number, cols: number): number {
  return mode === 0 ? rows * cols : mode === 1 ? 1 : mode === 2 ? cols : rows;
}
