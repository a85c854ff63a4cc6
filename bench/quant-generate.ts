// Quantized products and generation (issue 16), beside bench/quant.ts (sizes, perplexity). Two parts:
// - quantGemvRows (run by the kernels suite): y = x Ŵᵀ with int8 and int4-g32 codes read by the
//   wasm kernels (src/kernels/wasm/quant.ts) against the f32 gemv on the same weight living in wasm
//   memory, at the gpt2 shapes (in x out) 768x768 (attn c_proj), 768x3072 (c_fc), 3072x768
//   (mlp c_proj), 768x50257 (the tied output head), M = 1 and 4 rows, 1 and 2 threads.
// - quantGenerateSuite: a gpt2-shaped model (124M, random weights) generating with the KV cache,
//   fp32 vs int8 and int4-g32, each twice: the Linears only (the tables, and so the tied head,
//   float), and the Linears and the tables (the tied head multiplies by the quantized table).

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { Rng, manualSeed } from '../src/tensor/rng.js';
import type { GemmArgs, QuantGemmArgs } from '../src/kernels/backend.js';
import { getBackend, setBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/backend.js';
import { spawnNodeWorker } from '../src/kernels/threads/node.js';
import type { WasmBackend } from '../src/kernels/wasm/backend.js';
import { quantizeInt8 } from '../src/quant/int8.js';
import { quantizeInt4 } from '../src/quant/int4.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import type { QuantizeOptions } from '../src/quant/quantized-linear.js';
import type { QuantWeight } from '../src/quant/qmatmul.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';

const SUITE = 'kernels';

function rand(n: number, rng: Rng, into?: Float32Array): Float32Array {
  const x = into ?? new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rng.random() * 2 - 1) * 0.05;
  return x;
}

const SHAPES: [number, number, string][] = [
  [768, 768, 'attn c_proj'],
  [768, 3072, 'mlp c_fc'],
  [3072, 768, 'mlp c_proj'],
  [768, 50257, 'tied head'],
];

/** Products with one weight: f32 gemv vs int8 vs int4-g32, per shape, M and thread count. */
export function quantGemvRows(be: WasmBackend, a8be?: WasmBackend): BenchRow[] {
  const rows: BenchRow[] = [];
  const rng = new Rng(11);
  const inWasm = (n: number) => rand(n, rng, be.allocPersistent(n) ?? undefined);
  for (const [K, N, what] of SHAPES) {
    const wf = inWasm(N * K); // (N, K): a Linear weight (out, in)
    const w8 = quantizeInt8(wf, N, K);
    const w4 = quantizeInt4(wf, N, K, { groupSize: 32 });
    const w8b = { ...w8, q: w8.q.slice() }; // its own codes, for the second backend to place
    for (const M of [1, 4]) {
      const x = inWasm(M * K);
      const y = inWasm(M * N);
      const f: GemmArgs = {
        transA: false,
        transB: true,
        M,
        N,
        K,
        a: x,
        aOffset: 0,
        b: wf,
        bOffset: 0,
        c: y,
        cOffset: 0,
        accumulate: false,
      };
      const q = (w: QuantWeight): QuantGemmArgs => ({ M, x, xOffset: 0, w, y, yOffset: 0 });
      for (let t = 1; t <= be.threads; t++) {
        const opts = { warmup: 5, repeats: 30, minMs: 100 };
        const f32 = timeMs(() => be.gemmThreads(f, t), opts);
        const i8 = timeMs(() => be.quantGemmThreads(q(w8), t), opts);
        const i4 = timeMs(() => be.quantGemmThreads(q(w4), t), opts);
        const a8 = a8be ? timeMs(() => a8be.quantGemmThreads(q(w8b), t), opts) : NaN;
        const name = `quantized gemv ${K}x${N} (${what}) M=${M} ${t} thread${t > 1 ? 's' : ''}`;
        const gb = (bytes: number, ms: number) => (bytes / ms / 1e6).toFixed(1);
        rows.push({
          suite: SUITE,
          name: `${name} int8`,
          value: f32 / i8,
          unit: 'x f32',
          note: `f32 ${f32.toFixed(3)} ms (${gb(N * K * 4, f32)} GB/s), int8 ${i8.toFixed(3)} ms (${gb(N * K, i8)} GB/s)`,
        });
        rows.push({
          suite: SUITE,
          name: `${name} int4-g32`,
          value: f32 / i4,
          unit: 'x f32',
          note: `int4 ${i4.toFixed(3)} ms (${gb(N * K * 0.625, i4)} GB/s incl. scales)`,
        });
        if (a8be)
          rows.push({
            suite: SUITE,
            name: `${name} int8, int8 activations (opt-in)`,
            value: f32 / a8,
            unit: 'x f32',
            note: `int8 x int8 ${a8.toFixed(3)} ms (${gb(N * K, a8)} GB/s); changes results`,
          });
      }
    }
  }
  return rows;
}

/** Seconds per generated token over `n` tokens after a 1-token prompt (the first token excluded). */
function secondsPerToken(model: GPT, n: number): number {
  const times: number[] = [];
  const t0 = performance.now();
  generate(model, [0], { maxNewTokens: n + 1, onToken: () => times.push(performance.now() - t0) });
  return (times[n] - times[0]) / 1000 / n;
}

/**
 * A gpt2-shaped model (seed 0) on the active backend: its Linears quantized when `o` is given, and
 * with `embedding` its tables too (so the tied head multiplies by the quantized table).
 */
function gpt2(o: QuantizeOptions | null, embedding = false): GPT {
  manualSeed(0);
  const model = new GPT(GPT_PRESETS.gpt2).eval();
  if (o) quantizeModel(model, { ...o, embedding }); // disposes the float layers it replaces
  return model;
}

interface Variant {
  name: string;
  model: GPT;
  backend: Backend;
  best: number;
}

export const quantGenerateSuite: Suite = {
  name: 'quant-generate',
  async run(): Promise<BenchRow[]> {
    // The machine may be shared: the variants take turns, 5 rounds after a warm-up, and each keeps its best.
    const active = getBackend();
    const int8 = { bits: 8 } as const;
    const int4 = { bits: 4, groupSize: 32 } as const;
    const variants: Variant[] = [];
    const add = (name: string, model: GPT, backend = active) =>
      variants.push({ name, model, backend, best: Infinity });
    const models = [gpt2(null), gpt2(int8), gpt2(int8, true), gpt2(int4), gpt2(int4, true)];
    add('fp32', models[0]);
    add('int8 Linears, tables and head f32', models[1]);
    add('int8 Linears and tables (head int8)', models[2]);
    add('int4-g32 Linears, tables and head f32', models[3]);
    add('int4-g32 Linears and tables (head int4)', models[4]);
    // opt-in int8 activations: its own backend, and a model whose storage lives there
    const a8be = await createWasmBackend({
      threads: (active as Partial<WasmBackend>).threads ?? 1,
      spawnWorker: spawnNodeWorker,
      int8Activations: true,
    });
    setBackend(a8be);
    const m8a = gpt2(int8, true);
    add('int8 Linears and tables, int8 activations (opt-in)', m8a, getBackend());
    setBackend(active);
    const n = 16;
    try {
      for (let round = 0; round < 6; round++)
        for (const v of variants) {
          setBackend(v.backend);
          const s = secondsPerToken(v.model, round === 0 ? 2 : n); // round 0: warm-up, places codes
          if (round > 0) v.best = Math.min(v.best, s);
        }
    } finally {
      setBackend(active);
    }
    for (const m of models) m.dispose();
    setBackend(a8be);
    m8a.dispose();
    setBackend(active);
    a8be.close();
    const fp32 = variants[0].best;
    return variants.map((v) => ({
      suite: 'quant-generate',
      name: `gpt2 ${v.name}: generation, KV cache`,
      value: 1 / v.best,
      unit: 'tokens/s',
      note: `${(fp32 / v.best).toFixed(2)}x fp32; best of 5 rounds of ${n} tokens; ${v.backend.name}`,
    }));
  },
};
