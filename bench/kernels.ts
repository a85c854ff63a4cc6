// Kernel benchmarks: GEMM GFLOP/s at 256/512/1024 for the reference JS loop, the wasm SIMD
// kernel (plain and, where the runtime has it, relaxed SIMD) on 1 and 2 threads, and
// tfjs-backend-wasm (XNNPACK) for comparison; then JS vs wasm time of the other kernels.

import { quantGemvRows } from './quant-generate.js';
import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { Rng } from '../src/tensor/rng.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { getBackend, setBackend, resetBackend, type Backend, type GemmArgs } from '../src/kernels/backend.js';
import { randn } from '../src/tensor/creation.js';
import { broadcastStrides } from '../src/tensor/shape.js';
import { createNodeWasmBackend, defaultThreads } from '../src/kernels/threads/node.js';
import { hasRelaxedSimd } from '../src/kernels/wasm/module.js';
import type { WasmBackend } from '../src/kernels/wasm/backend.js';

const SUITE = 'kernels';
const SIZES = [256, 512, 1024];

function rand(n: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.random() * 2 - 1;
  return x;
}

function gflops(n: number, ms: number): number {
  return (2 * n * n * n) / (ms * 1e6);
}

function square(n: number, rng: Rng): GemmArgs {
  return {
    transA: false,
    transB: false,
    M: n,
    N: n,
    K: n,
    a: rand(n * n, rng),
    aOffset: 0,
    b: rand(n * n, rng),
    bOffset: 0,
    c: new Float32Array(n * n),
    cOffset: 0,
    accumulate: false,
  };
}

function gemmRows(backends: WasmBackend[], threads: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const rng = new Rng(0);
  for (const n of SIZES) {
    const p = square(n, rng);
    const reps = { warmup: 1, repeats: n >= 1024 ? 3 : 5, minMs: 0 };
    const jsMs = timeMs(() => jsBackend.gemm(p), n >= 1024 ? { warmup: 0, repeats: 1, minMs: 0 } : reps);
    rows.push({
      suite: SUITE,
      name: `gemm ${n}³ js reference, 1 thread`,
      value: gflops(n, jsMs),
      unit: 'GFLOP/s',
    });
    for (const be of backends) {
      for (let t = 1; t <= threads; t++) {
        const ms = timeMs(() => be.gemmThreads(p, t), reps);
        rows.push({
          suite: SUITE,
          name: `gemm ${n}³ wasm ${be.simd}, ${t} thread${t > 1 ? 's' : ''}`,
          value: gflops(n, ms),
          unit: 'GFLOP/s',
          note: `${(gflops(n, ms) / gflops(n, jsMs)).toFixed(0)}x js`,
        });
      }
    }
  }
  return rows;
}

/** The steps of docs/10 on one thread, operands already in wasm memory (no copies timed). */
function ladderRows(be: WasmBackend): BenchRow[] {
  const rows: BenchRow[] = [];
  const rng = new Rng(2);
  const steps = [
    ['ladderScalar', 'scalar i-k-j'],
    ['ladderSimd', 'f32x4 i-k-j'],
    ['ladderTiled', 'f32x4 4x8 register tile, unblocked'],
  ] as const;
  for (const n of SIZES) {
    const mark = be.heap.mark();
    const [a, b, c] = [0, 1, 2].map(() => be.heap.alloc(n * n * 4));
    be.heap.f32(a, n * n).set(rand(n * n, rng));
    be.heap.f32(b, n * n).set(rand(n * n, rng));
    for (const [fn, what] of steps) {
      const ms = timeMs(() => be.kernels[fn](n, n, n, a, b, c), {
        warmup: 1,
        repeats: n >= 1024 ? 1 : 3,
        minMs: 0,
      });
      rows.push({
        suite: SUITE,
        name: `gemm ${n}³ wasm ${be.simd} ${what}`,
        value: gflops(n, ms),
        unit: 'GFLOP/s',
        note: 'docs/10 step',
      });
    }
    be.heap.release(mark);
  }
  return rows;
}

/** tfjs-backend-wasm (XNNPACK inside) on one thread: Node has no threaded build of it. */
async function tfjsRows(): Promise<BenchRow[]> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    const print = console.log;
    console.log = () => {}; // tfjs greets on stdout
    try {
      await tf.setBackend('wasm');
      await tf.ready();
    } finally {
      console.log = print;
    }
    const rows: BenchRow[] = [];
    for (const n of SIZES) {
      const a = tf.randomNormal([n, n]);
      const b = tf.randomNormal([n, n]);
      const ms = timeMs(
        () => {
          const c = tf.matMul(a, b); // (tf.tidy around this runs 20x slower)
          c.dataSync();
          c.dispose();
        },
        { warmup: 1, repeats: 5, minMs: 0 },
      );
      rows.push({
        suite: SUITE,
        name: `gemm ${n}³ tfjs-backend-wasm, 1 thread`,
        value: gflops(n, ms),
        unit: 'GFLOP/s',
        note: 'XNNPACK, for comparison',
      });
      a.dispose();
      b.dispose();
    }
    return rows;
  } catch (err) {
    return [
      {
        suite: SUITE,
        name: 'gemm tfjs-backend-wasm',
        value: NaN,
        unit: 'GFLOP/s',
        note: `unavailable: ${String(err).slice(0, 60)}`,
      },
    ];
  }
}

/** One call of each non-gemm kernel on a GPT-2-small-sized block, and on a small one. */
function kernelCases(rng: Rng): { name: string; n: number; run: (be: Backend) => void }[] {
  const cases = [];
  for (const [rows, cols] of [
    [512, 768],
    [16, 64],
  ]) {
    const n = rows * cols;
    const x = rand(n, rng);
    const y = new Float32Array(n);
    const dy = rand(n, rng);
    const dx = new Float32Array(n);
    const w = rand(cols, rng);
    const b = rand(cols, rng);
    const mean = new Float32Array(rows);
    const rstd = new Float32Array(rows);
    const dw = new Float32Array(cols);
    const db = new Float32Array(cols);
    const shape = [rows, cols];
    const full = broadcastStrides(shape, shape);
    const row = broadcastStrides([cols], shape);
    const m = new Float32Array(n);
    const v = new Float32Array(n);
    const size = `(${rows},${cols})`;
    cases.push(
      { name: `softmax forward ${size}`, n, run: (be: Backend) => be.softmaxForward(x, y, rows, cols) },
      {
        name: `softmax backward ${size}`,
        n,
        run: (be: Backend) => be.softmaxBackward(y, dy, dx, rows, cols),
      },
      { name: `logSoftmax forward ${size}`, n, run: (be: Backend) => be.logSoftmaxForward(x, y, rows, cols) },
      {
        name: `layerNorm forward ${size}`,
        n,
        run: (be: Backend) => be.layerNormForward(x, w, b, y, mean, rstd, rows, cols, 1e-5),
      },
      {
        name: `layerNorm backward ${size}`,
        n,
        run: (be: Backend) => be.layerNormBackward(dy, x, w, mean, rstd, dx, dw, db, rows, cols),
      },
      { name: `geluTanh forward ${size}`, n, run: (be: Backend) => be.geluTanhForward(x, y) },
      { name: `geluTanh backward ${size}`, n, run: (be: Backend) => be.geluTanhBackward(x, dy, dx) },
      {
        name: `add same shape ${size}`,
        n,
        run: (be: Backend) => be.binary('add', x, full, dy, full, y, shape),
      },
      {
        name: `add row broadcast ${size}`,
        n,
        run: (be: Backend) => be.binary('add', x, full, b, row, y, shape),
      },
      {
        name: `adamw ${n} params`,
        n,
        run: (be: Backend) => be.adamw(y, dy, m, v, 1e-3, 0.9, 0.999, 1e-8, 0.1, 10),
      },
    );
  }
  return cases;
}

function elementwiseRows(wasm: Backend): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const c of kernelCases(new Rng(1))) {
    const opts = { warmup: 3, repeats: 20, minMs: 100 };
    const js = timeMs(() => c.run(jsBackend), opts);
    const ws = timeMs(() => c.run(wasm), opts);
    rows.push({ suite: SUITE, name: `${c.name} js`, value: js * 1000, unit: 'µs' });
    rows.push({
      suite: SUITE,
      name: `${c.name} wasm (copies included)`,
      value: ws * 1000,
      unit: 'µs',
      note: `${(js / ws).toFixed(1)}x js`,
    });
  }
  return rows;
}

/** What fusion buys: softmax as five tensor ops (five passes, four temporaries) vs the fused op. */
function fusionRows(): BenchRow[] {
  const x = randn([512, 768], { rng: new Rng(3) });
  const opts = { warmup: 3, repeats: 10, minMs: 100 };
  const unfused = timeMs(() => {
    const e = x.sub(x.max(-1, true)).exp();
    e.div(e.sum(-1, true));
  }, opts);
  const fused = timeMs(() => x.softmax(-1), opts);
  return [
    {
      suite: SUITE,
      name: 'softmax (512,768) unfused: max, sub, exp, sum, div ops',
      value: unfused * 1000,
      unit: 'µs',
    },
    {
      suite: SUITE,
      name: `softmax (512,768) fused op, ${(unfused / fused).toFixed(1)}x unfused`,
      value: fused * 1000,
      unit: 'µs',
    },
  ];
}

/**
 * Few rows of A (generation: one token per sequence) against a Linear weight, on operands that
 * live in wasm memory (as parameters do on the fast backend): the unpacked gemv kernels against
 * the packed gemm, to set GEMV_MAX_M (src/kernels/wasm/gemm.ts).
 */
function gemvRows(be: WasmBackend): BenchRow[] {
  const rows: BenchRow[] = [];
  const rng = new Rng(5);
  const inWasm = (n: number) => {
    const x = be.allocPersistent(n) ?? new Float32Array(n);
    x.set(rand(n, rng));
    return x;
  };
  for (const [N, K, what] of [
    [384, 128, 'cpu-small c_attn'],
    [2304, 768, 'gpt2 c_attn'],
  ] as const) {
    const w = inWasm(N * K);
    for (const M of [1, 2, 4, 6, 8]) {
      const p: GemmArgs = {
        transA: false,
        transB: true,
        M,
        N,
        K,
        a: inWasm(M * K),
        aOffset: 0,
        b: w,
        bOffset: 0,
        c: inWasm(M * N),
        cOffset: 0,
        accumulate: false,
      };
      const opts = { warmup: 20, repeats: 200, minMs: 50 };
      const gemv = timeMs(() => be.gemmWith(p, { threads: 1, maxGemvRows: M }), opts);
      const packed = timeMs(() => be.gemmWith(p, { threads: 1, maxGemvRows: 0 }), opts);
      rows.push({
        suite: SUITE,
        name: `gemv ${M}x${N}x${K} (${what}, weight (out,in)) unpacked`,
        value: gflops(Math.cbrt(M * N * K), gemv),
        unit: 'GFLOP/s',
        note: `packed gemm ${gflops(Math.cbrt(M * N * K), packed).toFixed(1)}; unpacked ${(packed / gemv).toFixed(2)}x`,
      });
    }
  }
  return rows;
}

/**
 * A decoding step's gemvs read their weights from memory, not cache: GB/s of weight read by the
 * one-row kernel against gpt2-sized weights, twelve layers' worth in turn so none stays cached, on
 * one thread and on all of `be`'s (the columns split across the pool).
 */
function gemvMemoryRows(be: WasmBackend): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [N, K, L, what] of [
    [3072, 768, 12, 'gpt2 mlp c_fc x 12 layers (113 MB)'],
    [50257, 768, 1, 'gpt2 tied head (154 MB)'],
  ] as const) {
    const ws = Array.from({ length: L }, () => be.allocPersistent(N * K) ?? new Float32Array(N * K));
    const x = be.allocPersistent(K) ?? new Float32Array(K);
    const y = be.allocPersistent(N) ?? new Float32Array(N);
    x.fill(0.5);
    for (const w of ws) for (let i = 0; i < w.length; i += 61) w[i] = (i % 7) / 7;
    const args = ws.map((b): GemmArgs => ({
      transA: false,
      transB: true,
      M: 1,
      N,
      K,
      a: x,
      aOffset: 0,
      b,
      bOffset: 0,
      c: y,
      cOffset: 0,
      accumulate: false,
    }));
    for (const t of [...new Set([1, be.threads])]) {
      const ms = timeMs(() => args.forEach((p) => be.gemmWith(p, { threads: t, maxGemvRows: 1 })), {
        warmup: 1,
        repeats: 7,
        minMs: 100,
      });
      rows.push({
        suite: SUITE,
        name: `gemv from memory, ${what}, ${t} thread(s)`,
        value: (L * N * K * 4) / (ms * 1e6),
        unit: 'GB/s',
        note: `${(ms / L).toFixed(3)} ms per gemv; the weight read once, row after row`,
      });
    }
    for (const w of [...ws, x, y]) be.releasePersistent?.(w);
  }
  return rows;
}

export const kernelsSuite: Suite = {
  name: 'kernels',
  async run(): Promise<BenchRow[]> {
    const threads = Math.min(2, defaultThreads());
    const plain = await createNodeWasmBackend({ threads, relaxed: false });
    const backends = [plain];
    if (hasRelaxedSimd()) backends.push(await createNodeWasmBackend({ threads, relaxed: true }));
    const rows = backends.flatMap(ladderRows);
    rows.push(...gemmRows(backends, plain.threads));
    if (!hasRelaxedSimd())
      rows.push({
        suite: SUITE,
        name: 'gemm wasm relaxed',
        value: NaN,
        unit: 'GFLOP/s',
        note: 'no relaxed SIMD in this runtime (Node 20: --experimental-wasm-relaxed-simd)',
      });
    rows.push(...(await tfjsRows()));
    rows.push(...gemvRows(plain));
    rows.push(...gemvMemoryRows(plain));
    rows.push(
      ...quantGemvRows(
        plain,
        await createNodeWasmBackend({ threads, relaxed: false, int8Activations: true }),
      ),
    );
    // the element-wise kernels always run with every element in wasm, to measure the break-even
    const all = await createNodeWasmBackend({ threads: 1 });
    rows.push(
      ...elementwiseRows({
        ...all,
        ...(await import('../src/kernels/wasm/calls.js')).wasmKernels(all.heap, all.kernels, {
          transcendental: 0,
          binary: 0,
        }),
      }),
    );
    const active = getBackend(); // bench/run.ts may have installed the fast backend: restore it after
    resetBackend();
    rows.push(...fusionRows().map((r) => ({ ...r, note: 'js reference kernels' })));
    setBackend(all);
    rows.push(...fusionRows().map((r) => ({ ...r, note: 'wasm kernels' })));
    setBackend(active);
    for (const be of [...backends, all]) be.close();
    return rows;
  },
};
