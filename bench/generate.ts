// Generation benchmarks: tokens/s with and without the KV cache, at 64 and 256 new tokens after
// a 1-token prompt, for cpu-small and for a randomly initialised gpt2-shaped model (124M). The
// uncached gpt2 run is too slow to finish here (step t re-runs all t tokens: O(N²) in total), so
// its first steps are measured and the rest extrapolated with a linear fit of step time vs t.
// Runs on whatever backend bench/run.ts installed: the fast one (as the CLI) unless LLMFS_BACKEND=js;
// the backend's name is in the first row's note.

import type { Suite, BenchRow } from './harness.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate, type GenerateOptions } from '../src/generate/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import { getBackend } from '../src/kernels/backend.js';

/** Seconds from the start of generate() until each generated token was chosen. */
function tokenTimes(model: GPT, maxNewTokens: number, o: GenerateOptions): number[] {
  const times: number[] = [];
  const t0 = performance.now();
  generate(model, [0], { ...o, maxNewTokens, onToken: () => times.push((performance.now() - t0) / 1000) });
  return times;
}

/** Least-squares fit y = a + b·x. */
function linearFit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

export const generateSuite: Suite = {
  name: 'generate',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const row = (name: string, value: number, unit: string, note?: string, pytorchKey?: string) =>
      rows.push({ suite: 'generate', name, value, unit, note, pytorchKey });

    // cpu-small: blockSize 64, so 256 tokens need the sliding window. keep 32 rebuilds the cache
    // every 32 tokens; both runs use the same window, so they produce the same tokens.
    manualSeed(0);
    const small = new GPT(GPT_PRESETS['cpu-small']).eval();
    const slide = { overflow: 'slide' as const, keep: 32 };
    // warm-up: the decoding path's code reaches V8's optimizing tier only after a few hundred
    // tokens (a single cold run of 64 measured 3,200-5,200 tok/s; warmed, 4,300-5,300)
    for (let i = 0; i < 4; i++) tokenTimes(small, 64, {});
    const sc = tokenTimes(small, 256, slide);
    const su = tokenTimes(small, 256, { ...slide, useCache: false });
    for (const n of [64, 256]) {
      row(
        `cpu-small ${n} tokens, KV cache`,
        n / sc[n - 1],
        'tokens/s',
        n > 64 ? 'window slides (keep 32)' : `backend ${getBackend().name}`,
        // PyTorch's cpu-small run stops at 60 tokens (its block of 64 positions has no window)
        n === 64 ? 'generate:cpu-small 60 cache' : undefined,
      );
      row(
        `cpu-small ${n} tokens, no cache`,
        n / su[n - 1],
        'tokens/s',
        `cache speedup ${(su[n - 1] / sc[n - 1]).toFixed(1)}x`,
      );
    }
    const byOne = tokenTimes(small, 256, { overflow: 'slide' });
    row(
      'cpu-small 256 tokens, KV cache, window slides by 1',
      256 / byOne[255],
      'tokens/s',
      'cache rebuilt every step past 64',
    );

    // gpt2 (124M parameters, random weights: speed does not depend on them).
    let t = performance.now();
    manualSeed(0);
    const gpt2 = new GPT(GPT_PRESETS.gpt2).eval();
    row('gpt2 build (random init)', (performance.now() - t) / 1000, 's');
    let cacheFloats = 0;
    tokenTimes(gpt2, 8, {}); // warm-up, as for cpu-small
    t = performance.now();
    const gc: number[] = [];
    const r = generate(gpt2, [0], {
      maxNewTokens: 256,
      onToken: () => gc.push((performance.now() - t) / 1000),
    });
    cacheFloats = r.cacheFloats;
    row('gpt2 64 tokens, KV cache', 64 / gc[63], 'tokens/s', undefined, 'generate:gpt2 64 cache');
    row('gpt2 256 tokens, KV cache', 256 / gc[255], 'tokens/s', undefined, 'generate:gpt2 256 cache');
    row(
      'gpt2 KV cache size at 256 positions',
      (cacheFloats * 4) / 2 ** 20,
      'MiB',
      '2 · nLayer · nKvHead · T · hs floats (float32)',
    );

    // Uncached: measure the first M steps, fit step time = a + b·t, sum it to N.
    const M = 16;
    const gu = tokenTimes(gpt2, M, { useCache: false });
    const steps = gu.map((s, i) => s - (i > 0 ? gu[i - 1] : 0));
    const { a, b } = linearFit(
      steps.map((_, i) => i + 1),
      steps,
    );
    row(`gpt2 ${M} tokens, no cache (measured)`, M / gu[M - 1], 'tokens/s');
    const total = (n: number) => n * a + (b * n * (n + 1)) / 2;
    for (const n of [64, 256]) {
      const cached = n / gc[n - 1];
      const uncached = n / total(n);
      row(
        `gpt2 ${n} tokens, no cache (extrapolated)`,
        uncached,
        'tokens/s',
        `fit of ${M} measured steps; cache speedup ${(cached / uncached).toFixed(1)}x`,
      );
    }
    row(
      'gpt2 cache speedup at 256 tokens',
      256 / gc[255] / (256 / total(256)),
      'x',
      "lower bound: the fit ignores attention's t² term",
    );
    return rows;
  },
};
