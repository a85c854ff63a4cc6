// Stochastic gradient descent with optional momentum and (L2) weight decay, as torch.optim.SGD:
//   g = grad + λ θ;  v = μ v + g  (v = g at the first step);  θ = θ - lr · v
// (Nesterov: θ = θ - lr · (g + μ v)). Sutskever et al., 2013, for momentum in deep learning.

import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type ParamGroup } from './optimizer.js';
import { LlmfsError } from '../errors.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  private velocity = new Map<Parameter, Float32Array>();
  private steps = 0;
  protected readonly bufferNames = ['momentum_buffer'] as const;

  constructor(params: Parameter[] | ParamGroup[], opts: SGDOptions) {
    super(params, { lr: opts.lr, weightDecay: opts.weightDecay ?? 0 });
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new LlmfsError(`SGD: momentum must be in [0, 1), got ${this.momentum}`);
  }

  protected buffers(p: Parameter) {
    const v = this.velocity.get(p);
    return v ? { arrays: { momentum_buffer: v }, step: this.steps } : null;
  }

  protected restore(p: Parameter, a: Record<string, Float32Array>, step: number): void {
    this.velocity.set(p, a.momentum_buffer);
    this.steps = step;
  }

  protected forget(): void {
    this.velocity.clear();
    this.steps = 0;
  }

  step(): void {
    this.steps++;
    const mu = this.momentum;
    for (const group of this.groups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        const g = p.grad.data;
        const w = p.data;
        let v = this.velocity.get(p);
        const first = v === undefined;
        if (mu > 0 && v === undefined) {
          v = new Float32Array(w.length);
          this.velocity.set(p, v);
        }
        for (let i = 0; i < w.length; i++) {
          let d = g[i] + group.weightDecay * w[i];
          if (v) {
            v[i] = first ? d : mu * v[i] + d;
            d = this.nesterov ? d + mu * v[i] : v[i];
          }
          w[i] -= group.lr * d;
        }
      }
    }
  }
}
