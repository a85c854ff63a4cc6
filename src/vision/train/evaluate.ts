// Classification accuracy of a ViT on scenes: per head, the fraction of scenes whose predicted
// class (the argmax of the head's logits) is the true one; overall, the exact match, the fraction
// whose every head is right. Chance is 1/classes per head, the product of those for exact match.

import { noGrad } from '../../tensor/autograd.js';
import { BufferArena } from '../../tensor/arena.js';
import type { ViT } from '../model/vit.js';
import type { NormalizeOptions } from '../to-tensor.js';
import type { SceneOptions } from '../scenes/scene.js';
import type { Split } from '../scenes/splits.js';
import type { LabelVocabularies } from './labels.js';
import { rangeBatches, sceneBatch } from './batches.js';

export interface ClassifyAccuracy {
  split: Split;
  count: number;
  /** head -> fraction right. */
  heads: Record<string, number>;
  /** Fraction of scenes with every head right. */
  exact: number;
  /** Mean over scenes of the summed heads' cross-entropy. */
  loss: number;
}

export interface EvaluateOptions {
  split: Split;
  /** Scenes start..start+count-1 of the split. */
  start?: number;
  count: number;
  batchSize?: number;
  scenes: SceneOptions;
  norm?: NormalizeOptions;
  onBatch?(done: number, total: number): void;
}

/** The index of the largest of row r of a (B, K) array. */
export function argmaxRow(data: ArrayLike<number>, r: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (data[r * K + k] > data[r * K + best]) best = k;
  return best;
}

/** Accuracy per head and exact match of `vit` on scenes of one split, in eval mode, no graph. */
export function evaluateClassifier(vit: ViT, vocab: LabelVocabularies, o: EvaluateOptions): ClassifyAccuracy {
  const heads = Object.keys(vocab);
  const right: Record<string, number> = Object.fromEntries(heads.map((h) => [h, 0]));
  let exact = 0;
  let lossSum = 0;
  const batches = rangeBatches(o.start ?? 0, o.count, o.batchSize ?? 64);
  const wasTraining = vit.training;
  const arena = new BufferArena();
  vit.eval();
  try {
    noGrad(() => {
      batches.forEach((indices, i) => {
        const b = sceneBatch(o.split, indices, o.scenes, vocab, o.norm);
        arena.run(() => {
          const { logits, loss } = vit.forward(b.images, b.targets);
          lossSum += loss!.item() * indices.length;
          const allRight = new Array<boolean>(indices.length).fill(true);
          for (const h of heads) {
            const l = logits[h]; // (B, K)
            const K = l.shape[1];
            for (let r = 0; r < indices.length; r++) {
              if (argmaxRow(l.data, r, K) === b.targets[h][r]) right[h]++;
              else allRight[r] = false;
            }
          }
          exact += allRight.filter(Boolean).length;
        });
        o.onBatch?.(i + 1, batches.length);
      });
    });
  } finally {
    arena.dispose();
    vit.train(wasTraining);
  }
  const n = o.count;
  return {
    split: o.split,
    count: n,
    heads: Object.fromEntries(heads.map((h) => [h, right[h] / n])),
    exact: exact / n,
    loss: lossSum / n,
  };
}
