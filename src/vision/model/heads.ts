// Classification heads on the pooled image vector (ViT, Dosovitskiy et al., 2021, eq. 4: y = LN(z_L⁰),
// then a linear head). Several named heads share the encoder (multi-task: one head per attribute,
// e.g. shape, colour, count); each is a Linear D -> classes, and the loss is the sum of their mean
// cross-entropies.

import type { Tensor } from '../../tensor/tensor.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import type { IndexLike } from '../../tensor/ops/indexing.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { LlmfsError } from '../../errors.js';

export type HeadLogits = Record<string, Tensor>;

export class ClassifierHeads extends Module {
  private readonly _names: string[];

  /** One Linear(D, classes) per head, registered under its name (`heads.shape.weight`). */
  constructor(dModel: number, heads: Record<string, number>) {
    super();
    this._names = Object.keys(heads);
    for (const name of this._names) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name in this)
        throw new LlmfsError(
          `vit heads: '${name}' is not a usable head name (letters, digits, _; not a field)`,
        );
      (this as unknown as Record<string, Module>)[name] = new Linear(dModel, heads[name]);
    }
  }

  get names(): readonly string[] {
    return this._names;
  }

  head(name: string): Linear {
    if (!this._names.includes(name))
      throw new LlmfsError(`vit heads: no head '${name}' (heads: ${this._names.join(', ') || 'none'})`);
    return (this as unknown as Record<string, Linear>)[name];
  }

  /** pooled (B, D) -> {name: logits (B, classes)} */
  forward(pooled: Tensor): HeadLogits {
    const out: HeadLogits = {};
    for (const name of this._names) out[name] = this.head(name).forward(pooled); // (B, classes)
    return out;
  }
}

/** Σ over heads of the mean cross-entropy of logits (B, classes) against class ids (B). */
export function headsLoss(logits: HeadLogits, targets: Record<string, IndexLike>): Tensor {
  let loss: Tensor | null = null;
  for (const [name, l] of Object.entries(logits)) {
    const t = targets[name];
    if (t === undefined) throw new LlmfsError(`vit heads: no targets for head '${name}'`);
    const ce = crossEntropy(l, t);
    loss = loss ? loss.add(ce) : ce;
  }
  if (!loss) throw new LlmfsError('vit heads: the model has no classification heads to train');
  return loss;
}
