// Training and memory benchmarks, side by side with PyTorch: a nanoGPT-style step (forward,
// backward, AdamW) for `tiny` and `cpu-small`, resident memory over 1,000 steps, and the ratios
// ours / PyTorch from scripts/bench-pytorch.py when /usr/bin/python3 has torch (run with
// OpenBLAS on one thread, as the reference figures were taken).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, gptPreset, randint, Rng, manualSeed, AdamW, getBackend } from '../src/index.js';
import { BufferArena } from '../src/tensor/arena.js';

const V = 65;
const SHAPES = { tiny: 8, 'cpu-small': 12 } as const;

interface TorchFigures {
  torch: string;
  gemm: Record<string, number>;
  train: Record<string, { ms: number; tokensPerSecond: number }>;
  generate: Record<string, number>;
}

/** Runs scripts/bench-pytorch.py if PyTorch and OpenBLAS are installed; null otherwise. */
export function torchFigures(threads = 1): TorchFigures | null {
  if (process.env.LLMFS_BENCH_TORCH === '0' || !existsSync('/usr/bin/python3')) return null;
  const blas = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    ...(existsSync(blas) ? { LD_LIBRARY_PATH: blas } : {}),
  };
  const r = spawnSync('/usr/bin/python3', ['scripts/bench-pytorch.py', '--threads', String(threads)], {
    encoding: 'utf8',
    env,
    timeout: 900_000,
  });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout) as TorchFigures;
  } catch {
    return null;
  }
}

const arena = new BufferArena();

/** One step as the trainer takes it: forward and backward inside the buffer arena, then AdamW. */
function trainStep(
  model: GPT,
  opt: AdamW,
  x: ReturnType<typeof randint>,
  y: ReturnType<typeof randint>,
): void {
  opt.zeroGrad();
  arena.run(() => model.forward(x, { targets: y }).loss!.backward());
  opt.step();
}

export const trainingSuite: Suite = {
  name: 'training',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const backend = getBackend().name;
    process.stderr.write(
      'bench: training: running scripts/bench-pytorch.py (set LLMFS_BENCH_TORCH=0 to skip)...\n',
    );
    const torch = torchFigures(1);
    const ours: Record<string, number> = {};
    for (const [name, B] of Object.entries(SHAPES)) {
      manualSeed(0);
      const model = new GPT(gptPreset(name, { vocabSize: V }));
      const T = model.config.blockSize;
      const opt = new AdamW(model.parameters(), { lr: 1e-3 });
      const x = randint(0, V, [B, T], { rng: new Rng(1) });
      const y = randint(0, V, [B, T], { rng: new Rng(2) });
      const ms = timeMs(() => trainStep(model, opt, x, y), { warmup: 3, repeats: 15, minMs: 0 });
      ours[name] = ms;
      const t = torch?.train[name];
      rows.push({
        suite: 'training',
        name: `${name} step (B=${B}, T=${T}, fwd+bwd+AdamW), ${backend}`,
        value: ms,
        unit: 'ms',
        note: t ? `PyTorch ${t.ms.toFixed(1)} ms, ours/PyTorch ${(ms / t.ms).toFixed(2)}x` : '',
      });
      rows.push({
        suite: 'training',
        name: `${name} training throughput`,
        value: (B * T * 1000) / ms,
        unit: 'tokens/s',
        note: t ? `PyTorch ${Math.round(t.tokensPerSecond)}` : '',
      });
    }
    // Resident memory across 1,000 tiny steps: flat if nothing leaks between steps.
    manualSeed(0);
    const model = new GPT(gptPreset('tiny', { vocabSize: V }));
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const x = randint(0, V, [8, 32], { rng: new Rng(1) });
    const y = randint(0, V, [8, 32], { rng: new Rng(2) });
    const rss: number[] = [];
    for (let step = 1; step <= 1000; step++) {
      trainStep(model, opt, x, y);
      if (step === 10 || step % 250 === 0) rss.push(process.memoryUsage().rss / 2 ** 20);
    }
    rows.push({
      suite: 'training',
      name: 'resident memory after 10 / 250 / 500 / 750 / 1000 tiny steps',
      value: rss[rss.length - 1],
      unit: 'MiB',
      note: rss.map((r) => r.toFixed(0)).join(' / '),
    });
    if (torch) {
      for (const [n, gf] of Object.entries(torch.gemm))
        rows.push({
          suite: 'training',
          name: `PyTorch ${torch.torch} gemm ${n} (OpenBLAS, 1 thread)`,
          value: gf,
          unit: 'GFLOP/s',
        });
      for (const [k, tps] of Object.entries(torch.generate))
        rows.push({ suite: 'training', name: `PyTorch generation ${k}`, value: tps, unit: 'tokens/s' });
    }
    return rows;
  },
};
