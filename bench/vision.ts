// Vision benchmarks (issue 20, docs/17-seeing.md "Speed"): the scene generator (scenes/s, drawn,
// rendered, captioned and questioned), PNG encode and decode of a 48x48 scene (ops/s), the patch
// unfold forward and backward at a ViT-B/16 size (8 images of 224x224, 196 patches of 768), and
// the default scene classifier (48x48, 16x16 patches, D 64, 3 layers): one training step of 32
// scenes (ms, scene rendering included) and evaluation throughput (images/s, rendering included).

import type { Suite, BenchRow } from './harness.js';
import { timeMs } from './harness.js';
import { sceneExample } from '../src/vision/scenes/dataset.js';
import { decodePng, encodePng } from '../src/vision/png.js';
import { foldPatches, unfoldPatches } from '../src/tensor/ops/unfold-patches.js';
import { manualSeed, Rng } from '../src/tensor/rng.js';
import { randn } from '../src/exercises/helpers.js';
import { ViT } from '../src/vision/model/vit.js';
import { classifierConfig } from '../src/vision/train/model.js';
import { sceneVocabularies } from '../src/vision/train/labels.js';
import { trainClassifier } from '../src/vision/train/classify.js';
import { evaluateClassifier } from '../src/vision/train/evaluate.js';

export const visionSuite: Suite = {
  name: 'vision',
  run(): BenchRow[] {
    const suite = 'vision';
    const rows: BenchRow[] = [];

    // The generator: 200 scenes per timed run, fresh indices each time.
    let next = 0;
    const scenesMs = timeMs(() => {
      for (let i = 0; i < 200; i++) sceneExample('train', next++, { size: 48 });
    });
    rows.push({
      suite,
      name: 'scene generator, 48x48 (draw, render, caption, questions)',
      value: 200 / (scenesMs / 1000),
      unit: 'scenes/s',
    });

    const { image } = sceneExample('test', 0, { size: 48 });
    const png = encodePng(image);
    const encMs = timeMs(() => {
      for (let i = 0; i < 50; i++) encodePng(image);
    });
    const decMs = timeMs(() => {
      for (let i = 0; i < 50; i++) decodePng(png);
    });
    rows.push({
      suite,
      name: `PNG encode, 48x48 scene (${png.length} bytes)`,
      value: 50 / (encMs / 1000),
      unit: 'ops/s',
    });
    rows.push({
      suite,
      name: 'PNG decode, 48x48 scene (CRC checked)',
      value: 50 / (decMs / 1000),
      unit: 'ops/s',
    });

    // The unfold at a ViT-B/16 size: (8, 3, 224, 224) -> (8, 196, 768).
    const x = randn(new Rng(0), [8, 3, 224, 224]);
    const fwdMs = timeMs(() => void unfoldPatches(x, 16));
    const g = randn(new Rng(1), [8, 196, 768]); // dL/dpatches
    const bwdMs = timeMs(() => void foldPatches(g, [224, 224], 16)); // unfold's backward
    rows.push({
      suite,
      name: 'unfoldPatches forward (8, 3, 224, 224) P 16',
      value: fwdMs,
      unit: 'ms',
      note: '1.2M floats copied',
    });
    rows.push({
      suite,
      name: 'unfoldPatches backward (foldPatches of the gradient)',
      value: bwdMs,
      unit: 'ms',
    });

    // The default classifier: a training step of 32 scenes, then evaluation.
    const vocab = sceneVocabularies(1, 4);
    manualSeed(1);
    const vit = new ViT(classifierConfig(vocab));
    const data = { scenes: { size: 48, minObjects: 1, maxObjects: 4 } };
    const stepTimes: number[] = [];
    let last = 0;
    trainClassifier(
      vit,
      vocab,
      data,
      { steps: 25, batchSize: 32, evalEvery: 0, evalCount: 1, warmupSteps: 5 },
      {
        onStep: (s) => {
          stepTimes.push((s.seconds - last) * 1000);
          last = s.seconds;
        },
      },
    );
    const steady = stepTimes.slice(5).sort((a, b) => a - b); // the first steps warm up
    rows.push({
      suite,
      name: 'classifier train step, 32 scenes (default ViT, 201k params)',
      value: steady[Math.floor(steady.length / 2)]!,
      unit: 'ms',
      note: 'median of steps 6-25; rendering included',
    });
    const t0 = performance.now();
    evaluateClassifier(vit, vocab, { split: 'test', count: 512, batchSize: 64, scenes: data.scenes });
    rows.push({
      suite,
      name: 'classifier eval, 512 test scenes in batches of 64',
      value: 512 / ((performance.now() - t0) / 1000),
      unit: 'images/s',
      note: 'rendering included',
    });
    return rows;
  },
};
