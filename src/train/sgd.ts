// Stochastic gradient descent with optional momentum and (L2) weight decay, as torch.optim.SGD:
//   g = grad + λ θ;  v = μ v + g  (v = g at the first step);  θ = θ - lr · v
// (Nesterov: θ = θ - lr · (g + μ v)). Sutskever et al., 2013, for momentum in deep learning.

import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type ParamGroup } from './optimizer.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

/** The hyperparameters of one SGD update. */
export interface SGDStepOptions {
  lr: number;
  /** μ; 0 is plain SGD (no velocity buffer). */
  momentum: number;
  /** λ, added to the gradient as L2: g + λθ. */
  weightDecay: number;
  nesterov: boolean;
}

/** A parameter array and its velocity after one update (null velocity without momentum). */
export interface SGDStepResult {
  param: Float32Array;
  velocity: Float32Array | null;
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'sgd-momentum' (chapter 7): one SGD update of one parameter array as torch.optim.SGD
     * (v = μ v + g, v = g at the first step, when `velocity` is null); returns the new parameter
     * and velocity (the arrays given, updated in place, or new ones).
     */
    sgdStep(
      param: Float32Array,
      grad: Float32Array,
      velocity: Float32Array | null,
      o: SGDStepOptions,
    ): SGDStepResult;
  }
}

const sgdStep = exercisable('sgdStep', (w, g, velocity, o) => {
  const mu = o.momentum;
  const first = velocity === null;
  const v = velocity ?? (mu > 0 ? new Float32Array(w.length) : null);
  for (let i = 0; i < w.length; i++) {
    let d = g[i] + o.weightDecay * w[i];
    if (v) {
      v[i] = first ? d : mu * v[i] + d;
      d = o.nesterov ? d + mu * v[i] : v[i];
    }
    w[i] -= o.lr * d;
  }
  return { param: w, velocity: v };
});

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
        const w = p.data as Float32Array;
        const v = this.velocity.get(p) ?? null;
        const o = { lr: group.lr, momentum: mu, weightDecay: group.weightDecay, nesterov: this.nesterov };
        const r = sgdStep(w, p.grad.data as Float32Array, v, o);
        if (r.param !== w) w.set(r.param);
        if (r.velocity && r.velocity !== v) this.velocity.set(p, r.velocity);
      }
    }
  }
}
