import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { BatchSampler } from '../../src/train/data.js';
import { train, type TrainCallbacks, type TrainConfig } from '../../src/train/trainer.js';
import type { OptimizerState } from '../../src/train/optimizer.js';
import type { TrainingState } from '../../src/train/training-state.js';
import { BatchSlice } from '../../src/parallel/batch-slice.js';
import { trainDataParallel, type DataParallelOptions } from '../../src/parallel/data-parallel.js';
import { spawnNodeRank } from '../../src/parallel/spawn-node.js';

// Token data with some structure (a noisy repeating pattern), so the loss moves in 10 steps.
function tokens(n: number): Uint16Array {
  const rng = new Rng(5);
  return Uint16Array.from({ length: n }, (_, i) => (rng.random() < 0.2 ? rng.randint(0, 64) : (i * 7) % 64));
}
const data = { train: tokens(6000), val: tokens(800) };
const CONFIG: Partial<TrainConfig> = {
  steps: 10,
  batchSize: 4,
  gradAccum: 2,
  gradClip: 0.5,
  lr: 3e-3,
  evalInterval: 5,
  evalBatches: 3,
  seed: 11,
};

function freshModel(): GPT {
  manualSeed(3);
  return new GPT(gptPreset('tiny', { vocabSize: 64, dropout: 0 }));
}

interface Run {
  losses: number[];
  weights: Float32Array[];
  checkpoints: { state: TrainingState; optimizer: OptimizerState }[];
  evals: number[];
}

function recorder(): { run: Run; cb: TrainCallbacks } {
  const run: Run = { losses: [], weights: [], checkpoints: [], evals: [] };
  return {
    run,
    cb: {
      onStep: (i) => run.losses.push(i.loss),
      onEval: (i) => run.evals.push(i.trainLoss, i.valLoss),
      onCheckpoint: (kind, state, optimizer) => {
        if (kind === 'last') run.checkpoints.push({ state, optimizer });
      },
    },
  };
}

function oneWorker(config = CONFIG): Run {
  const model = freshModel();
  const { run, cb } = recorder();
  train(model, data, config, cb);
  run.weights = model.parameters().map((p) => Float32Array.from(p.data));
  return run;
}

async function parallel(opts: Partial<DataParallelOptions>, config = CONFIG): Promise<Run> {
  const model = freshModel();
  const { run, cb } = recorder();
  await trainDataParallel(model, data, config, cb, undefined, { workers: 2, spawn: spawnNodeRank, ...opts });
  run.weights = model.parameters().map((p) => Float32Array.from(p.data));
  return run;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  assert.ok(worst <= tol, `${what}: differs by ${worst} (tolerance ${tol})`);
}

test("batch slice: the ranks' rows, stacked, are the batch one worker draws", () => {
  const t = data.train;
  const one = new BatchSampler(t, 16, 6, 42);
  const slices = [0, 1, 2].map((r) => new BatchSlice(new BatchSampler(t, 16, 6, 42), r, 3));
  for (let k = 0; k < 3; k++) {
    const full = one.next();
    const parts = slices.map((s) => s.next());
    assert.deepEqual(
      Array.from(full.x.data),
      parts.flatMap((p) => Array.from(p.x.data)),
    );
    assert.deepEqual(
      Array.from(full.y.data),
      parts.flatMap((p) => Array.from(p.y.data)),
    );
  }
});

test('data parallel, 2 workers: the same losses, evaluations and final weights as one worker (accumulation 2, clipping)', async () => {
  const ref = oneWorker();
  const dp = await parallel({});
  close(dp.losses, ref.losses, 1e-5, 'losses');
  close(dp.evals, ref.evals, 1e-5, 'evaluations');
  dp.weights.forEach((w, i) => close(w, ref.weights[i], 1e-4, `weights ${i}`));
});
