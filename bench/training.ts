// Training and memory benchmarks: a nanoGPT-style step (forward, backward, AdamW) for `tiny` and
// `cpu-small`, and resident memory over 1,000 steps. The step rows name their PyTorch counterpart
// (pytorchKey), so `npm run bench -- --pytorch` prints ours / PyTorch at the same thread count.

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { GPT, gptPreset, randint, Rng, manualSeed, AdamW, getBackend } from '../src/index.js';
import { BufferArena } from '../src/tensor/arena.js';

const V = 65;
const SHAPES = { tiny: 8, 'cpu-small': 12 } as const;

/** One step as the trainer takes it: forward and backward inside the buffer arena, then AdamW. */
function trainStep(
  arena: BufferArena,
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
    // One arena per run: its pooled buffers live in this backend's memory, and bench/run.ts
    // installs a new backend for every thread count.
    const arena = new BufferArena();
    for (const [name, B] of Object.entries(SHAPES)) {
      manualSeed(0);
      const model = new GPT(gptPreset(name, { vocabSize: V }));
      const T = model.config.blockSize;
      const opt = new AdamW(model.parameters(), { lr: 1e-3 });
      const x = randint(0, V, [B, T], { rng: new Rng(1) });
      const y = randint(0, V, [B, T], { rng: new Rng(2) });
      const ms = timeMs(() => trainStep(arena, model, opt, x, y), { warmup: 3, repeats: 15, minMs: 0 });
      rows.push({
        suite: 'training',
        name: `${name} step (B=${B}, T=${T}, fwd+bwd+AdamW)`,
        value: ms,
        unit: 'ms',
        note: backend,
        pytorchKey: `train:${name}`,
      });
      rows.push({
        suite: 'training',
        name: `${name} training throughput`,
        value: (B * T * 1000) / ms,
        unit: 'tokens/s',
      });
    }
    // Resident memory across 1,000 tiny steps: flat if nothing leaks between steps. In a run at
    // several thread counts (--threads 1,2) a later count's figure also holds what the earlier
    // counts left in the process (about 110 MB here, a full GC does not return it): compare the
    // figures along the row, not across thread counts.
    manualSeed(0);
    const model = new GPT(gptPreset('tiny', { vocabSize: V }));
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const x = randint(0, V, [8, 32], { rng: new Rng(1) });
    const y = randint(0, V, [8, 32], { rng: new Rng(2) });
    const rss: number[] = [];
    for (let step = 1; step <= 1000; step++) {
      trainStep(arena, model, opt, x, y);
      if (step === 10 || step % 250 === 0) rss.push(process.memoryUsage().rss / 2 ** 20);
    }
    rows.push({
      suite: 'training',
      name: 'resident memory after 10 / 250 / 500 / 750 / 1000 tiny steps',
      value: rss[rss.length - 1],
      unit: 'MiB',
      note: rss.map((r) => r.toFixed(0)).join(' / '),
    });
    arena.dispose();
    return rows;
  },
};
