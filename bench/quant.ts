// Quantized products and generation (issue 16). Two parts:
// - quantGemvRows (run by the kernels suite): y = x Ŵᵀ with int8 and int4-g32 codes read by the
//   wasm kernels (src/kernels/wasm/quant.ts) against the f32 gemv on the same weight living in wasm
//   memory, at the gpt2 shapes (in x out) 768x768 (attn c_proj), 768x3072 (c_fc), 3072x768
//   (mlp c_proj), 768x50257 (the tied output head), M = 1 and 4 rows, 1 and 2 threads.
// - quantSuite: a gpt2-shaped model (124M, random weights) generating with the KV cache, fp32 vs
//   every Linear quantized (quantizeLinears) to int8 and int4-g32. The tied head is float
//   (linear(x, wte.weight)) until the embedding is quantized, so each is measured twice: head f32,
//   and head quantized (a QuantizedLinear of wte's weight, as a quantized embedding will route it).

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { Rng, manualSeed } from '../src/tensor/rng.js';
import type { GemmArgs, QuantGemmArgs } from '../src/kernels/backend.js';
import { getBackend, setBackend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/backend.js';
import { spawnNodeWorker } from '../src/kernels/threads/node.js';
import type { WasmBackend } from '../src/kernels/wasm/backend.js';
import { quantizeInt8 } from '../src/quant/int8.js';
import { quantizeInt4 } from '../src/quant/int4.js';
import { quantizeLinears } from '../src/quant/quantize-model.js';
import { QuantizedLinear, quantizeMatrix, type QuantizeOptions } from '../src/quant/quantized-linear.js';
import type { Module } from '../src/nn/module.js';
import type { QuantWeight } from '../src/quant/qmatmul.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';
import { releaseStorage } from '../src/nn/parameter.js';

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

export const quantSuite: Suite = {
  name: 'quant-generate',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const n = 32;
    // [name, quantization, head quantized too, int8 activations (opt-in backend)]
    const variants: [string, QuantizeOptions | null, boolean, boolean][] = [
      ['fp32', null, false, false],
      ['int8', { bits: 8 }, false, false],
      ['int8', { bits: 8 }, true, false],
      ['int8', { bits: 8 }, true, true],
      ['int4-g32', { bits: 4, groupSize: 32 }, false, false],
      ['int4-g32', { bits: 4, groupSize: 32 }, true, false],
    ];
    let fp32 = 0;
    const active = getBackend();
    for (const [name, o, head, a8] of variants) {
      const a8be = a8
        ? await createWasmBackend({
            threads: (active as Partial<WasmBackend>).threads ?? 1,
            spawnWorker: spawnNodeWorker,
            int8Activations: true,
          })
        : null;
      if (a8be) setBackend(a8be);
      manualSeed(0);
      const model = new GPT(GPT_PRESETS.gpt2).eval();
      if (o) {
        // the replaced float weights live in wasm memory: give them back, as a loader would
        const before = model.parameters();
        quantizeLinears(model, o);
        const kept = new Set(model.parameters());
        for (const p of before) if (!kept.has(p)) releaseStorage(p.data);
      }
      if (o && head) {
        // what a quantized embedding will do for the tied head: y = x Ŵteᵀ through quantizedLinear
        const [V, C] = model.wte.weight.shape as [number, number];
        const lmHead = new QuantizedLinear(quantizeMatrix(model.wte.weight.data, V, C, o), null);
        (model as unknown as { lm_head: Module }).lm_head = lmHead;
      }
      secondsPerToken(model, 4); // warm-up (and places the codes in wasm memory)
      const s = secondsPerToken(model, n);
      if (!o) fp32 = s;
      rows.push({
        suite: 'quant-generate',
        name: `gpt2 ${name} generation, KV cache, head ${head ? name : 'f32 (tied wte)'}${a8 ? ', int8 activations (opt-in)' : ''}`,
        value: 1 / s,
        unit: 'tokens/s',
        note: `${n} tokens; ${(fp32 / s).toFixed(2)}x fp32; backend ${getBackend().name}`,
      });
      model.dispose();
      if (a8be) {
        setBackend(active);
        a8be.close();
      }
    }
    return rows;
  },
};
