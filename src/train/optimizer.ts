// The optimizer interface shared by SGD, Adam and AdamW: parameters in groups (each group may
// override the learning rate and weight decay), step() applies one update from `.grad`,
// zeroGrad() clears the gradients. Updates run without recording a graph.

import type { Parameter } from '../nn/parameter.js';
import { LlmfsError } from '../errors.js';

export interface ParamGroup {
  params: Parameter[];
  lr?: number;
  weightDecay?: number;
}

export abstract class Optimizer {
  readonly groups: Required<ParamGroup>[];

  constructor(params: Parameter[] | ParamGroup[], defaults: { lr: number; weightDecay: number }) {
    if (!(defaults.lr >= 0) || !Number.isFinite(defaults.lr)) throw new LlmfsError(`optimizer: learning rate must be a finite number >= 0, got ${defaults.lr}`);
    if (!(defaults.weightDecay >= 0)) throw new LlmfsError(`optimizer: weight decay must be >= 0, got ${defaults.weightDecay}`);
    const list: ParamGroup[] = params.length > 0 && !('params' in params[0]) ? [{ params: params as Parameter[] }] : (params as ParamGroup[]);
    this.groups = list.map((g) => ({ params: g.params, lr: g.lr ?? defaults.lr, weightDecay: g.weightDecay ?? defaults.weightDecay }));
  }

  /** Sets the learning rate of every group (what a schedule calls each step). */
  setLr(lr: number): void {
    for (const g of this.groups) g.lr = lr;
  }

  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) p.grad = null;
  }

  abstract step(): void;
}
