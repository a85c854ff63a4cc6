import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun } from '../../src/io/training-run.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
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

interface Checkpoint {
  state: TrainingState;
  optimizer: OptimizerState;
  weights: Float32Array[];
}

interface Run {
  losses: number[];
  weights: Float32Array[];
  checkpoints: Checkpoint[];
  evals: number[];
}

/** Records steps, evaluations and checkpoints (copied: one worker's share the live moments). */
function recorder(model: GPT): { run: Run; cb: TrainCallbacks } {
  const run: Run = { losses: [], weights: [], checkpoints: [], evals: [] };
  return {
    run,
    cb: {
      onStep: (i) => run.losses.push(i.loss),
      onEval: (i) => run.evals.push(i.trainLoss, i.valLoss),
      onCheckpoint: (kind, state, optimizer) => {
        if (kind !== 'last') return;
        const tensors = Object.fromEntries(
          Object.entries(optimizer.tensors).map(([k, t]) => [
            k,
            new Tensor(Float32Array.from(t.data), t.shape),
          ]),
        );
        run.checkpoints.push({
          state: structuredClone(state),
          optimizer: { tensors, steps: { ...optimizer.steps } },
          weights: model.parameters().map((p) => Float32Array.from(p.data)),
        });
      },
    },
  };
}

function oneWorker(config = CONFIG): Run {
  const model = freshModel();
  const { run, cb } = recorder(model);
  train(model, data, config, cb);
  run.weights = model.parameters().map((p) => Float32Array.from(p.data));
  return run;
}

async function parallel(opts: Partial<DataParallelOptions>, config = CONFIG): Promise<Run> {
  const model = freshModel();
  const { run, cb } = recorder(model);
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

function sameCheckpoints(dp: Run, ref: Run, what: string): void {
  assert.deepEqual(
    dp.checkpoints.map((c) => c.state.step),
    ref.checkpoints.map((c) => c.state.step),
  );
  dp.checkpoints.forEach((c, k) => {
    const r = ref.checkpoints[k];
    assert.deepEqual(c.state.optimizerSteps, r.state.optimizerSteps, `${what}: optimizer steps`);
    assert.deepEqual(c.state.samplerRng, r.state.samplerRng, `${what}: sampler state`);
    assert.deepEqual(Object.keys(c.optimizer.tensors).sort(), Object.keys(r.optimizer.tensors).sort());
    for (const [name, t] of Object.entries(r.optimizer.tensors)) {
      assert.deepEqual(c.optimizer.tensors[name].shape, t.shape, `${what}: ${name} shape`);
      close(c.optimizer.tensors[name].data, t.data, 1e-4, `${what}: ${name} at step ${c.state.step}`);
    }
  });
}

test("data parallel: the optimizer state rank 0 saves is one worker's (moments, steps, sampler)", async () => {
  const ref = oneWorker();
  const dp = await parallel({});
  sameCheckpoints(dp, ref, 'data parallel');
});

test('ZeRO-1, 2 workers: the same losses, final weights and saved moments as one worker', async () => {
  const ref = oneWorker();
  const z = await parallel({ zero: 1 });
  close(z.losses, ref.losses, 1e-5, 'losses');
  close(z.evals, ref.evals, 1e-5, 'evaluations');
  z.weights.forEach((w, i) => close(w, ref.weights[i], 1e-4, `weights ${i}`));
  sameCheckpoints(z, ref, 'ZeRO-1');
});

test('ZeRO-1 with 4 workers (shards that cut through parameters) equals one worker', async () => {
  const config = { ...CONFIG, steps: 6, gradAccum: 1 };
  const ref = oneWorker(config);
  const z = await parallel({ zero: 1, workers: 4 }, config);
  close(z.losses, ref.losses, 1e-5, 'losses');
  z.weights.forEach((w, i) => close(w, ref.weights[i], 1e-4, `weights ${i}`));
});

test('data parallel with SGD (momentum) and with Adam, 2 workers: the same losses and weights as one worker', async () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    const config = { ...CONFIG, steps: 6, optimizer, lr: optimizer === 'sgd' ? 0.1 : 3e-3 };
    const ref = oneWorker(config);
    const dp = await parallel({}, config);
    close(dp.losses, ref.losses, 1e-5, `${optimizer} losses`);
    dp.weights.forEach((w, i) => close(w, ref.weights[i], 1e-4, `${optimizer} weights ${i}`));
  }
});

test('data parallel: memory per worker, plain and ZeRO-1 (moments are 1/N)', async () => {
  const model = freshModel();
  const P = model.numParameters();
  const config = { ...CONFIG, steps: 1 };
  const plain = await trainDataParallel(model, data, config, {}, undefined, {
    workers: 2,
    spawn: spawnNodeRank,
  });
  const zero = await trainDataParallel(freshModel(), data, config, {}, undefined, {
    workers: 2,
    zero: 1,
    spawn: spawnNodeRank,
  });
  assert.equal(plain.memory.length, 2);
  for (const m of plain.memory) {
    assert.equal(m.parameters, 4 * P);
    assert.equal(m.gradients, 4 * P);
    assert.equal(m.moments, 2 * 4 * P);
  }
  assert.equal(zero.memory[0].moments + zero.memory[1].moments, 2 * 4 * P);
  assert.equal(zero.memory[0].moments, 2 * 4 * Math.ceil(P / 2));
  assert.equal(zero.memory[0].communication, plain.memory[0].communication);
  assert.ok(zero.memory[0].total < plain.memory[0].total);
});

test('data parallel: workers larger than the batch, or not dividing it, is one clear line', async () => {
  const run = (workers: number, batchSize: number) =>
    trainDataParallel(freshModel(), data, { ...CONFIG, batchSize }, {}, undefined, {
      workers,
      spawn: spawnNodeRank,
    });
  await assert.rejects(run(8, 4), {
    message:
      'train: workers 8 is more than batchSize 4: each worker needs at least one sequence of every batch',
  });
  await assert.rejects(run(3, 4), {
    message: 'train: batchSize 4 does not divide among workers 3: use a multiple of 3, such as 6',
  });
});

for (const kind of ['throw', 'exit'] as const) {
  test(`data parallel: a worker that ${kind === 'throw' ? 'throws' : 'dies'} mid-step stops the run with a clear error after the last checkpoint`, async () => {
    const model = freshModel();
    const { run, cb } = recorder(model);
    // The checkpoints also go to a real run directory, written as the CLI writes them.
    const disk = openRun(mkdtempSync(join(tmpdir(), 'llmfs-dp-fault-')));
    const chars = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x100 + i));
    const record = cb.onCheckpoint!;
    cb.onCheckpoint = (kind, state, optimizer) => {
      record(kind, state, optimizer);
      disk.saveCheckpoint(kind, model, new CharTokenizer(chars), state, optimizer);
    };
    const config = { ...CONFIG, evalInterval: 2 };
    await assert.rejects(
      trainDataParallel(model, data, config, cb, undefined, {
        workers: 2,
        spawn: spawnNodeRank,
        fault: { rank: 1, step: 5, kind },
      }),
      {
        message:
          kind === 'throw'
            ? 'train: worker 1 of 2 failed: planted fault in step 5'
            : 'train: worker 1 of 2 died (exit code 70)',
      },
    );
    // The checkpoint of step 4 was written whole before the fault, and holds one worker's state then.
    assert.deepEqual(run.losses.length, 4);
    assert.deepEqual(
      run.checkpoints.map((c) => c.state.step),
      [2, 4],
    );
    const ref = oneWorker(config);
    close(run.losses, ref.losses.slice(0, 4), 1e-5, 'losses before the fault');
    ref.checkpoints[1].weights.forEach((w, i) =>
      close(run.checkpoints[1].weights[i], w, 1e-4, `weights ${i}`),
    );
    // On disk: the step-4 checkpoint, whole, with one worker's weights at step 4.
    const saved = disk.loadCheckpoint();
    assert.equal(saved.state.step, 4);
    saved.model
      .parameters()
      .forEach((p, i) => close(p.data, ref.checkpoints[1].weights[i], 1e-4, `on disk ${i}`));
    rmSync(disk.dir, { recursive: true, force: true });
  });
}

test("data parallel: a run resumed (ZeRO-1) from one worker's checkpoint goes on as the uninterrupted run", async () => {
  const ref = oneWorker();
  const at5 = ref.checkpoints[0];
  assert.equal(at5.state.step, 5);
  const model = freshModel();
  model.parameters().forEach((p, i) => p.data.set(at5.weights[i]));
  const { run, cb } = recorder(model);
  await trainDataParallel(model, data, CONFIG, cb, at5, { workers: 2, zero: 1, spawn: spawnNodeRank });
  close(run.losses, ref.losses.slice(5), 1e-5, 'losses');
  model.parameters().forEach((p, i) => close(p.data, ref.weights[i], 1e-4, `weights ${i}`));
});
