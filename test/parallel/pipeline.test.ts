import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed, Rng } from '../../src/tensor/rng.js';
import { train, type TrainConfig } from '../../src/train/trainer.js';
import { trainPipeline } from '../../src/parallel/pipeline/pipeline.js';
import { stageLayers } from '../../src/parallel/pipeline/stage.js';
import { gpipeBubble, measuredBubble, type StageEvent } from '../../src/parallel/pipeline/bubble.js';
import { spawnNodePipelineRank } from '../../src/parallel/tensor/teaching-node.js';

function tokens(n: number): Uint16Array {
  const rng = new Rng(5);
  return Uint16Array.from({ length: n }, (_, i) => (rng.random() < 0.2 ? rng.randint(0, 64) : (i * 7) % 64));
}
const data = { train: tokens(6000), val: new Uint16Array(0) };
const CONFIG: Partial<TrainConfig> = {
  steps: 10,
  batchSize: 8,
  gradAccum: 1,
  gradClip: 0.5,
  lr: 3e-3,
  evalInterval: 1000,
  seed: 11,
};

function freshModel(over: { nLayer?: number; tieWeights?: boolean } = {}): GPT {
  manualSeed(3);
  return new GPT(gptPreset('tiny', { vocabSize: 64, dropout: 0, ...over }));
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

function oneWorker(config: Partial<TrainConfig>, over: Parameters<typeof freshModel>[0] = {}) {
  const model = freshModel(over);
  const losses: number[] = [];
  const norms: number[] = [];
  train(model, data, config, {
    onStep: (i) => {
      losses.push(i.loss);
      norms.push(i.gradNorm);
    },
  });
  return { model, losses, norms };
}

test('pipeline stages: contiguous runs of blocks, sizes differing by at most one', () => {
  assert.deepEqual(stageLayers(2, 2), [
    [0, 1],
    [1, 2],
  ]);
  assert.deepEqual(stageLayers(5, 3), [
    [0, 2],
    [2, 4],
    [4, 5],
  ]);
});

test('pipeline bubble: an ideal GPipe schedule (unit forwards, backwards twice as long) idles (N-1)/(M+N-1)', () => {
  // Built by hand: stage s runs forward m at time s + m, and backward m (last first) after the
  // last stage's forwards, in the mirror order.
  for (const [N, M] of [
    [2, 1],
    [2, 4],
    [4, 8],
  ]) {
    const rows: StageEvent[][] = [];
    for (let s = 0; s < N; s++) {
      const row: StageEvent[] = [];
      for (let m = 0; m < M; m++) row.push({ kind: 'F', micro: m, start: s + m, end: s + m + 1 });
      const bStart = M + N - 1; // when the last stage's forwards end
      for (let k = 0; k < M; k++) {
        const t = bStart + 2 * (N - 1 - s) + 2 * k;
        row.push({ kind: 'B', micro: M - 1 - k, start: t, end: t + 2 });
      }
      rows.push(row);
    }
    assert.ok(Math.abs(measuredBubble(rows) - gpipeBubble(N, M)) < 1e-12, `N ${N}, M ${M}`);
  }
});

let shared: ReturnType<typeof oneWorker> | null = null; // one reference for M = 1, 2, 4
for (const M of [1, 2, 4]) {
  test(`pipeline, 2 stages, ${M} micro-batches: 10 steps give one worker's losses and final weights`, async (t) => {
    const ref = (shared ??= oneWorker(CONFIG));
    const model = freshModel();
    const norms: number[] = [];
    const r = await trainPipeline(model, data, CONFIG, {
      stages: 2,
      microBatches: M,
      spawn: spawnNodePipelineRank(),
      onStep: (i) => norms.push(i.gradNorm),
    });
    // The clip's norm is global: every stage's squares summed, the tied head's counted once.
    close(norms, ref.norms, 1e-4, 'gradient norm');
    const lossErr = close(r.losses, ref.losses, 1e-4, 'loss');
    let wErr = 0;
    for (const [k, p] of ref.model.namedParameters())
      wErr = Math.max(wErr, close(r.weights[k], p.data, 1e-2, `weight ${k}`));
    t.diagnostic(`worst relative error: losses ${lossErr}, weights ${wErr}`);
    // GPipe's order on every stage: all forwards 0..M-1, then the backwards M-1..0; a stage's
    // forward m starts after the previous stage's ended, its backward after the next stage's.
    const step = r.timeline[9];
    for (const row of step) {
      assert.deepEqual(
        row.map((e) => `${e.kind}${e.micro}`),
        [
          ...Array.from({ length: M }, (_, m) => `F${m}`),
          ...Array.from({ length: M }, (_, m) => `B${M - 1 - m}`),
        ],
      );
    }
    for (let m = 0; m < M; m++) {
      const f = (s: number) => step[s].find((e) => e.kind === 'F' && e.micro === m)!;
      const b = (s: number) => step[s].find((e) => e.kind === 'B' && e.micro === m)!;
      assert.ok(f(1).start >= f(0).end);
      assert.ok(b(0).start >= b(1).end);
    }
    assert.equal(r.predictedBubble, 1 / (M + 1));
    t.diagnostic(
      `bubble measured ${r.bubbles
        .slice(2)
        .map((b) => b.toFixed(3))
        .join(' ')} predicted ${r.predictedBubble}`,
    );
  });
}

test('pipeline, untied head, 3 stages over 3 blocks with accumulation: 5 steps equal one worker', async () => {
  const over = { nLayer: 3, tieWeights: false };
  const config = { ...CONFIG, steps: 5, gradAccum: 2, batchSize: 4 };
  const ref = oneWorker(config, over);
  const model = freshModel(over);
  const r = await trainPipeline(model, data, config, {
    stages: 3,
    microBatches: 2,
    spawn: spawnNodePipelineRank(),
  });
  close(r.losses, ref.losses, 1e-4, 'loss');
  for (const [k, p] of ref.model.namedParameters()) close(r.weights[k], p.data, 1e-2, `weight ${k}`);
});

test('pipeline: more stages than blocks, or a batch that does not split into M, is one clear error', async () => {
  const spawn = spawnNodePipelineRank();
  await assert.rejects(
    trainPipeline(freshModel(), data, CONFIG, { stages: 3, microBatches: 1, spawn }),
    /^LlmfsError: pipeline: stages 3 is more than nLayer 2: each stage needs a block$/,
  );
  await assert.rejects(
    trainPipeline(freshModel(), data, CONFIG, { stages: 2, microBatches: 3, spawn }),
    /^LlmfsError: pipeline: batchSize 8 does not split into 3 equal micro-batches$/,
  );
});
