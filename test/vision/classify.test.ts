// Classification training on scenes: labels and batches agree with the generator; accuracy is
// counted right (a model that always answers one class scores that class's share, counted here
// from the scenes themselves); a tiny run's loss falls and beats chance by a wide margin on an easy
// task (counting objects); runs are deterministic by seed; an abort stops after the current step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { ViT } from '../../src/vision/model/index.js';
import { imageToTensor } from '../../src/vision/to-tensor.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { LlmfsError } from '../../src/errors.js';
import {
  classifierConfig,
  evaluateClassifier,
  rangeBatches,
  sceneBatch,
  sceneTargets,
  sceneVocabularies,
  trainClassifier,
} from '../../src/vision/train/index.js';

const scenes = { size: 48, minObjects: 1, maxObjects: 4 };

test('classify labels: heads per object range, ids are indices into the class lists', () => {
  assert.deepEqual(Object.keys(sceneVocabularies(1, 4)), ['shape', 'colour', 'size', 'count']);
  assert.deepEqual(sceneVocabularies(2, 3).count, ['2', '3']);
  assert.deepEqual(Object.keys(sceneVocabularies(1, 1)), ['shape', 'colour', 'size']);
  const v = sceneVocabularies(1, 4);
  const t = sceneTargets({ shape: 'cross', colour: 'orange', size: 'large', count: 3 }, v);
  assert.deepEqual(t, { shape: 3, colour: 5, size: 1, count: 2 });
  assert.throws(
    () => sceneTargets({ shape: 'cross', colour: 'red', size: 'small', count: 4 }, sceneVocabularies(1, 2)),
    (e: unknown) =>
      e instanceof LlmfsError && /count '4' is not one of the model's classes \(1, 2\)/.test(e.message),
  );
});

test('classify batches: each image and target is the generator scene of that index', () => {
  const v = sceneVocabularies(1, 4);
  const norm = { mean: [0.1, 0.2, 0.3] as const, std: [0.5, 0.6, 0.7] as const };
  const b = sceneBatch('val', [7, 3, 11], scenes, v, norm);
  assert.deepEqual(b.images.shape, [3, 3, 48, 48]);
  [7, 3, 11].forEach((index, i) => {
    const ex = sceneExample('val', index, scenes);
    const x = imageToTensor(ex.image, norm).data;
    assert.deepEqual(b.images.data.subarray(i * x.length, (i + 1) * x.length), x);
    assert.equal(v.shape[b.targets.shape[i]], ex.record.labels.shape);
    assert.equal(v.colour[b.targets.colour[i]], ex.record.labels.colour);
    assert.equal(v.size[b.targets.size[i]], ex.record.labels.size);
    assert.equal(Number(v.count[b.targets.count[i]]), ex.record.labels.count);
  });
  assert.deepEqual(rangeBatches(5, 7, 3), [[5, 6, 7], [8, 9, 10], [11]]);
});

test('classify eval: a model that always answers one class scores exactly that class share', () => {
  const v = sceneVocabularies(1, 4);
  T.manualSeed(2);
  const vit = new ViT(classifierConfig(v, { dModel: 8, nHead: 2, nLayer: 1 }));
  // Each head's weights zeroed and one bias raised: it always predicts that class.
  const always = { shape: 1, colour: 2, size: 0, count: 0 };
  noGrad(() => {
    for (const [h, k] of Object.entries(always)) {
      const lin = vit.heads.head(h);
      lin.weight.data.fill(0);
      lin.bias!.data.fill(0);
      lin.bias!.data[k] = 5;
    }
  });
  const n = 40;
  const a = evaluateClassifier(vit, v, { split: 'test', start: 3, count: n, batchSize: 16, scenes });
  const labels = Array.from({ length: n }, (_, i) => sceneExample('test', 3 + i, scenes).record.labels);
  const share = (f: (l: (typeof labels)[number]) => boolean) => labels.filter(f).length / n;
  assert.equal(
    a.heads.shape,
    share((l) => l.shape === 'square'),
  );
  assert.equal(
    a.heads.colour,
    share((l) => l.colour === 'blue'),
  );
  assert.equal(
    a.heads.size,
    share((l) => l.size === 'small'),
  );
  assert.equal(
    a.heads.count,
    share((l) => l.count === 1),
  );
  const all = share(
    (l) => l.shape === 'square' && l.colour === 'blue' && l.size === 'small' && l.count === 1,
  );
  assert.equal(a.exact, all);
  assert.ok(a.heads.shape > 0 && a.heads.shape < 1, 'the test scenes hold more than one shape');
  assert.equal(a.count, n);
});

test('classify train: the count head learns, far above chance (1/4), in a few seconds', () => {
  const v = { count: sceneVocabularies(1, 4).count };
  T.manualSeed(4);
  const vit = new ViT({ ...classifierConfig(v, { dModel: 16, nHead: 2, nLayer: 1 }), pool: 'mean' });
  const losses: number[] = [];
  const r = trainClassifier(
    vit,
    v,
    { scenes },
    { steps: 150, batchSize: 16, lr: 5e-3, warmupSteps: 5, evalEvery: 0, evalCount: 96, seed: 4 },
    { onStep: (i) => losses.push(i.loss) },
  );
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [first, last] = [mean(losses.slice(0, 10)), mean(losses.slice(-10))];
  assert.equal(r.steps, 150);
  assert.ok(last < 0.7 * first, `mean loss of the first 10 steps ${first}, of the last 10 ${last}`);
  assert.ok(r.val!.heads.count >= 0.5, `val count accuracy ${r.val!.heads.count}`);
});

test('classify train: the same seed gives the same weights, another seed others; abort stops early', () => {
  const v = { size: ['small', 'large'] };
  const run = (seed: number, abortAfter = Infinity) => {
    T.manualSeed(seed);
    const vit = new ViT(classifierConfig(v, { dModel: 8, nHead: 2, nLayer: 1 }));
    const signal = { aborted: false };
    const settings = { steps: 4, batchSize: 4, evalEvery: 2, evalCount: 8, seed };
    const evals: number[] = [];
    const r = trainClassifier(
      vit,
      v,
      { scenes },
      settings,
      { onStep: (i) => (signal.aborted = i.step >= abortAfter), onEval: (s) => evals.push(s) },
      signal,
    );
    return { w: vit.heads.head('size').weight.data.slice(), r, evals };
  };
  const a = run(9);
  assert.deepEqual(run(9).w, a.w);
  assert.notDeepEqual(run(10).w, a.w);
  assert.deepEqual(a.evals, [2, 4]);
  const stopped = run(9, 3);
  assert.equal(stopped.r.steps, 3);
  assert.equal(stopped.r.stopped, true);
  assert.deepEqual(stopped.evals, [2, 3]);
  assert.throws(
    () => trainClassifier(new ViT(classifierConfig(v)), v, { scenes }, { steps: 0 }),
    /steps must be/,
  );
});
