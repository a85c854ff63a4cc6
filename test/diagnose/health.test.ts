// Training-health measures against hand computation on a tiny model: per-group gradient norms add
// up (in squares) to the global norm clipping reports; one SGD step's update ratio is lr·||g||/||W||;
// units switched off by a huge negative bias are counted dead; attention made uniform by zero
// queries and keys has entropy ln(t + 1); the trainer's losses are the same with or without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from '../../src/model/gpt.js';
import { denseMlp } from '../../src/model/block.js';
import { gptPreset } from '../../src/model/presets.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { train } from '../../src/train/trainer.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { toTokenArray, splitTrainVal, batchAt } from '../../src/train/data.js';
import {
  attentionEntropy,
  deadUnits,
  groupGradNorms,
  healthMonitor,
  parameterGroups,
  probeActivity,
  type HealthRecord,
} from '../../src/diagnose/training-health.js';

const text = 'the cat sat on the mat; the dog sat on the log. '.repeat(20);
const vocab = [...new Set(text)];
const tokens = toTokenArray(
  [...text].map((ch) => vocab.indexOf(ch)),
  vocab.length,
);
function tiny(seed = 5, extra: object = {}): GPT {
  manualSeed(seed);
  return new GPT(gptPreset('tiny', { vocabSize: vocab.length, blockSize: 8, ...extra }));
}
const probe = batchAt(tokens, [0, 40, 80, 120], 8);

test('gradient norm per group: the norm of its gradients concatenated; squares sum to the global norm', () => {
  const model = tiny();
  model.forward(probe.x, { targets: probe.y }).loss!.backward();
  const groups = parameterGroups(model);
  assert.deepEqual(
    groups.map((g) => g.name),
    ['embeddings', 'h.0', 'h.1', 'head'],
  );
  const norms = groupGradNorms(groups);
  // By hand: h.1's gradients, picked by name and laid end to end.
  const flat = model
    .namedParameters()
    .filter(([n]) => n.startsWith('h.1.'))
    .flatMap(([, p]) => Array.from(p.grad!.data));
  assert.ok(Math.abs(norms[2] - Math.hypot(...flat)) < 1e-9 * norms[2]);
  const global = clipGradNorm(
    model.namedParameters().map(([, p]) => p),
    0,
  );
  const summed = Math.sqrt(norms.reduce((a, n) => a + n * n, 0));
  assert.ok(Math.abs(summed - global) < 1e-5 * global, `${summed} vs ${global}`);
});

test('update ratio of a plain SGD step equals lr·||g|| / ||W|| for every group', () => {
  const model = tiny();
  const groups = parameterGroups(model);
  const w0 = groups.map((g) => Math.hypot(...g.params.flatMap((p) => Array.from(p.data))));
  const records: HealthRecord[] = [];
  const lr = 0.05;
  const monitor = healthMonitor(model, probe.x, (r) => records.push(r));
  train(
    model,
    splitTrainVal(tokens, 0.2),
    {
      steps: 1,
      batchSize: 2,
      optimizer: 'sgd',
      momentum: 0,
      lr,
      schedule: 'constant',
      warmupSteps: 0,
      gradClip: 0,
      weightDecay: 0,
      evalBatches: 1,
    },
    { onUpdate: monitor },
  );
  assert.equal(records.length, 1);
  records[0].groups.forEach((g, i) => {
    const want = (lr * g.gradNorm) / w0[i];
    assert.ok(Math.abs(g.updateRatio - want) < 1e-4 * want, `${g.name}: ${g.updateRatio} vs ${want}`);
  });
});

test('dead units on a constructed layer: |h| <= 1e-3 at every position', () => {
  // 2 positions × 4 units: unit 0 is exactly 0, unit 1 a GELU tail (-1e-4), unit 2 fires once,
  // unit 3 is negative but not flat (GELU(-0.75) ≈ -0.17: it still passes gradient).
  const h = new Tensor(new Float32Array([0, -1e-4, 0, -0.17, 0, -2e-4, 0.5, -0.17]), [1, 2, 4]);
  const r = deadUnits(h);
  assert.equal(r.dead, 2 / 4);
  assert.equal(r.flat, 5 / 8);
});

test('dead units in a model: units given a bias of -100 are exactly the dead ones', () => {
  const model = tiny();
  const fc = denseMlp(model.h.at(1), 'test').c_fc;
  const H = fc.weight.shape[0];
  const C = fc.weight.shape[1];
  noGrad(() => {
    for (const j of [0, 5, 9]) {
      for (let c = 0; c < C; c++) fc.weight.data[j * C + c] = 0;
      fc.bias!.data[j] = -100;
    }
  });
  const r = probeActivity(model, probe.x);
  assert.equal(r.layers[1].dead, 3 / H);
  assert.equal(r.layers[0].dead, 0);
  assert.equal(r.residual.length, 3);
  assert.equal(model.training, true, 'the probe puts the model back in training mode');
});

test('attention entropy: one-hot rows 0, uniform rows ln Tk; zero queries and keys give ln(t + 1)', () => {
  const oneHot = new Tensor(new Float32Array([1, 0, 0, 1]), [1, 1, 2, 2]);
  assert.deepEqual(attentionEntropy(oneHot), [0]);
  const uniform = new Tensor(new Float32Array(8).fill(0.25), [1, 1, 2, 4]);
  assert.ok(Math.abs(attentionEntropy(uniform)[0] - Math.log(4)) < 1e-6);
  const model = tiny();
  const attn = model.h.at(0).attn.c_attn!;
  noGrad(() => {
    attn.weight.data.fill(0);
    attn.bias!.data.fill(0);
  });
  const T = 8;
  let want = 0;
  for (let t = 0; t < T; t++) want += Math.log(t + 1) / T;
  const r = probeActivity(model, probe.x);
  for (const e of r.layers[0].headEntropy) assert.ok(Math.abs(e - want) < 1e-5, `${e} vs ${want}`);
});

// Losses of this exact run, recorded from the trainer before the onUpdate hook existed.
const BEFORE = [
  2.7535648345947266, 2.4789841175079346, 2.3844332695007324, 2.5424747467041016, 2.4126780033111572,
  2.4369800090789795,
];

test('trainer: the same losses as before the hook, with diagnostics off or on (dropout on)', () => {
  const config = {
    steps: 6,
    batchSize: 2,
    evalInterval: 3,
    evalBatches: 2,
    warmupSteps: 0,
    lr: 3e-3,
    seed: 3,
  };
  const run = (diagnostics: boolean) => {
    const model = tiny(5, { dropout: 0.1 });
    const losses: number[] = [];
    const records: HealthRecord[] = [];
    const onUpdate = diagnostics ? healthMonitor(model, probe.x, (r) => records.push(r)) : undefined;
    train(model, splitTrainVal(tokens, 0.2), config, { onStep: (i) => void losses.push(i.loss), onUpdate });
    return { losses, records };
  };
  assert.deepEqual(run(false).losses, BEFORE);
  const on = run(true);
  assert.deepEqual(on.losses, BEFORE);
  assert.deepEqual(
    on.records.map((r) => r.step),
    [1, 3, 6],
  );
});
