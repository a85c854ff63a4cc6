import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { BatchSampler } from '../../src/train/data.js';
import { train, type TrainConfig } from '../../src/train/trainer.js';
import { gatherWeights, shardWeights, splitOf } from '../../src/parallel/tensor/shard.js';
import { tensorParallelGradients, trainTensorParallel } from '../../src/parallel/tensor/tensor-parallel.js';
import { spawnNodeTensorRank } from '../../src/parallel/tensor/teaching-node.js';

function tokens(n: number): Uint16Array {
  const rng = new Rng(5);
  return Uint16Array.from({ length: n }, (_, i) => (rng.random() < 0.2 ? rng.randint(0, 64) : (i * 7) % 64));
}
const data = { train: tokens(6000), val: new Uint16Array(0) };

/** `tiny` with a 64-token vocabulary; nHead 4 lets 4 ranks take one head each. */
function freshModel(nHead = 2): GPT {
  manualSeed(3);
  return new GPT(gptPreset('tiny', { vocabSize: 64, dropout: 0, nHead }));
}

/** Asserts |a - b| <= tol·(1e-3 + |b|) elementwise; returns the worst |a - b| / (1e-3 + |b|). */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): number {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1e-3 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
  return worst;
}

test('tensor parallel shards: gathering the shards of 2 and 4 ranks gives back every weight', () => {
  const model = freshModel(4);
  const full = Object.fromEntries(model.namedParameters().map(([k, p]) => [k, Float32Array.from(p.data)]));
  for (const n of [2, 4]) {
    const shards = Array.from({ length: n }, (_, r) => shardWeights(full, model.config, n, r));
    // A column-parallel shard is 1/n of the rows, a row-parallel one 1/n of the columns.
    assert.equal(shards[1]['h.0.attn.c_attn.weight'].length, full['h.0.attn.c_attn.weight'].length / n);
    assert.equal(shards[1]['h.0.mlp.c_proj.weight'].length, full['h.0.mlp.c_proj.weight'].length / n);
    // Rank 1's first k row is row nh·hs + w of the full c_attn (w = its q width).
    const C = 64;
    const w = 64 / n;
    const kRow = shards[1]['h.0.attn.c_attn.weight'].subarray(w * C, w * C + C);
    assert.deepEqual(kRow, full['h.0.attn.c_attn.weight'].subarray((64 + w) * C, (64 + w + 1) * C));
    assert.equal(splitOf('wte.weight', model.config, n).kind, 'replicated');
    const back = gatherWeights(shards, model.config, (k) => full[k].length);
    for (const k of Object.keys(full)) assert.deepEqual(back[k], full[k], k);
  }
});

for (const [N, nHead] of [
  [2, 2],
  [4, 4],
] as const) {
  test(`tensor parallel, ${N} ranks: logits, loss and every gradient equal one worker's; 2 all-reduces per block each way`, async (t) => {
    const model = freshModel(nHead);
    const batch = new BatchSampler(data.train, 32, 4, 9).next();
    const tp = await tensorParallelGradients(model, batch, { workers: N, spawn: spawnNodeTensorRank() });
    const out = model.forward(batch.x, { targets: batch.y });
    out.loss!.backward();
    const lossErr = close([tp.loss], [out.loss!.item()], 1e-5, 'loss');
    const logitErr = close(tp.logits, out.logits.data, 1e-4, 'logits');
    let gradErr = 0;
    for (const [k, p] of model.namedParameters())
      gradErr = Math.max(gradErr, close(tp.grads[k], p.grad!.data, 2e-3, `grad ${k}`));
    t.diagnostic(`worst relative error: loss ${lossErr}, logits ${logitErr}, gradients ${gradErr}`);
    const L = model.config.nLayer;
    const act = 4 * 32 * 64; // B·T·C floats
    assert.deepEqual(tp.comm, {
      forwardCalls: 2 * L,
      forwardFloats: 2 * L * act,
      backwardCalls: 2 * L,
      backwardFloats: 2 * L * act,
      normCalls: 0,
    });
  });
}

test('tensor parallel, 2 ranks: 10 AdamW steps (accumulation, clipping) give one worker losses and weights', async (t) => {
  const config: Partial<TrainConfig> = {
    steps: 10,
    batchSize: 4,
    gradAccum: 2,
    gradClip: 0.5,
    lr: 3e-3,
    evalInterval: 1000,
    seed: 11,
  };
  const ref = freshModel();
  const refLosses: number[] = [];
  const refNorms: number[] = [];
  train(ref, data, config, {
    onStep: (i) => {
      refLosses.push(i.loss);
      refNorms.push(i.gradNorm);
    },
  });
  const model = freshModel();
  const norms: number[] = [];
  const tp = await trainTensorParallel(model, data, config, {
    workers: 2,
    spawn: spawnNodeTensorRank(),
    onStep: (i) => norms.push(i.gradNorm),
  });
  // The clip's norm is global: the shards' squares summed over ranks, the replicated ones once.
  close(norms, refNorms, 1e-4, 'gradient norm');
  const lossErr = close(tp.losses, refLosses, 1e-4, 'loss');
  let wErr = 0;
  for (const [k, p] of ref.namedParameters())
    wErr = Math.max(wErr, close(tp.weights[k], p.data, 1e-2, `weight ${k}`));
  t.diagnostic(`worst relative error: losses ${lossErr}, weights ${wErr}`);
  assert.equal(tp.comm.forwardCalls, 2 * 2 * 2); // 2 per block, 2 blocks, 2 micro-batches
  assert.equal(tp.comm.normCalls, 1);
});

test('tensor parallel: heads that do not divide among the workers, and a failing rank, are one clear error', async () => {
  await assert.rejects(
    trainTensorParallel(freshModel(2), data, { steps: 1 }, { workers: 4, spawn: spawnNodeTensorRank() }),
    /^LlmfsError: tensor parallel: nHead 2 does not divide among 4 workers \(heads are split\)$/,
  );
  // Too few tokens for one window: every rank throws before its first step; the run stops.
  await assert.rejects(
    trainTensorParallel(
      freshModel(2),
      { train: tokens(10) },
      { steps: 1 },
      { workers: 2, spawn: spawnNodeTensorRank() },
    ),
    /tensor parallel: worker \d of 2 failed: training data: 10 tokens are too few/,
  );
});
