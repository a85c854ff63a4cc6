// Batches for classification training, made in memory from the scene generator: scene i of a
// split is the same every time (sceneExample), so a batch is just a list of indices. Images become
// (B, 3, H, W) float tensors normalised as the checkpoint says; targets one id list per head.

import type { Tensor } from '../../tensor/tensor.js';
import { fromArray } from '../../tensor/creation.js';
import type { Rng } from '../../tensor/rng.js';
import { imageToTensor, type NormalizeOptions } from '../to-tensor.js';
import { sceneExample } from '../scenes/dataset.js';
import type { SceneOptions } from '../scenes/scene.js';
import { SPLIT_SEEDS, type Split } from '../scenes/splits.js';
import { type LabelVocabularies, sceneTargets } from './labels.js';

export interface SceneBatch {
  /** (B, 3, H, W), H = W = the scene size. */
  images: Tensor;
  /** head -> class ids (B). */
  targets: Record<string, number[]>;
  indices: number[];
}

/** The scenes `indices` of `split` as one batch. */
export function sceneBatch(
  split: Split,
  indices: readonly number[],
  scenes: SceneOptions,
  vocab: LabelVocabularies,
  norm: NormalizeOptions = {},
): SceneBatch {
  const targets: Record<string, number[]> = Object.fromEntries(Object.keys(vocab).map((h) => [h, []]));
  let data: Float32Array | null = null;
  let per = 0;
  let H = 0;
  let W = 0;
  indices.forEach((index, b) => {
    const { image, record } = sceneExample(split, index, scenes);
    const x = imageToTensor(image, norm); // (3, H, W)
    if (!data) {
      [, H, W] = x.shape;
      per = 3 * H * W;
      data = new Float32Array(indices.length * per);
    }
    data.set(x.data, b * per);
    for (const [h, id] of Object.entries(sceneTargets(record.labels, vocab))) targets[h].push(id);
  });
  return {
    images: fromArray(data ?? new Float32Array(0), [indices.length, 3, H, W]),
    targets,
    indices: [...indices],
  };
}

/**
 * Training indices: B uniform draws from the whole train split (a billion scenes), so a run of any
 * length sees fresh scenes and two runs with one seed see the same ones.
 */
export function drawIndices(rng: Rng, batchSize: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < batchSize; i++) out.push(rng.randint(0, SPLIT_SEEDS));
  return out;
}

/** start, start+1, ..., start+count-1 in batches of at most `batchSize` (evaluation order). */
export function rangeBatches(start: number, count: number, batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = start; i < start + count; i += batchSize) {
    const end = Math.min(start + count, i + batchSize);
    out.push(Array.from({ length: end - i }, (_, k) => i + k));
  }
  return out;
}
