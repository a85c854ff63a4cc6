// Engine benchmarks: the plain reference matmul's GFLOP/s on square sizes (the fast kernels
// are measured in kernels.ts), and one Linear + GELU forward/backward (the MLP's first half in
// a GPT-2 block) through the active backend, in milliseconds.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { randn } from '../src/tensor/creation.js';
import { Rng } from '../src/tensor/rng.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { Linear } from '../src/nn/layers.js';
import { getBackend } from '../src/kernels/backend.js';

export const engineSuite: Suite = {
  name: 'engine',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const be = jsBackend;
    const rng = new Rng(0);
    for (const n of [256, 512, 1024]) {
      const a = randn([n, n], { rng });
      const b = randn([n, n], { rng });
      const c = new Float32Array(n * n);
      const ms = timeMs(
        () =>
          be.gemm({
            transA: false,
            transB: false,
            M: n,
            N: n,
            K: n,
            a: a.data,
            aOffset: 0,
            b: b.data,
            bOffset: 0,
            c,
            cOffset: 0,
            accumulate: false,
          }),
        {
          warmup: 1,
          repeats: n >= 1024 ? 3 : 5,
          minMs: 0,
        },
      );
      rows.push({
        suite: 'engine',
        name: `matmul ${n}x${n}x${n} (${be.name}, 1 thread)`,
        value: (2 * n * n * n) / (ms * 1e6),
        unit: 'GFLOP/s',
      });
    }
    // A GPT-2-small-shaped MLP input projection on a (B=8, T=64) batch: (512, 768) -> (512, 3072).
    const layer = new Linear(768, 3072, { rng });
    const x = randn([8, 64, 768], { rng, requiresGrad: true });
    const fwd = timeMs(() => layer.forward(x).gelu('tanh'), { warmup: 1, repeats: 3, minMs: 0 });
    const fb = timeMs(
      () => {
        layer.zeroGrad();
        x.grad = null;
        layer.forward(x).gelu('tanh').sum().backward();
      },
      { warmup: 1, repeats: 3, minMs: 0 },
    );
    rows.push({
      suite: 'engine',
      name: 'Linear(768->3072)+GELU forward, x (8,64,768)',
      value: fwd,
      unit: 'ms',
      note: getBackend().name,
    });
    rows.push({ suite: 'engine', name: 'Linear(768->3072)+GELU forward+backward', value: fb, unit: 'ms' });
    return rows;
  },
};
