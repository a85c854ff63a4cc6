// Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), as torch.optim.AdamW:
//   m = β1 m + (1-β1) g;   v = β2 v + (1-β2) g²
//   m̂ = m / (1-β1^t);      v̂ = v / (1-β2^t)
//   θ = θ - lr (m̂ / (sqrt(v̂) + ε) + λ θ)      (AdamW: decay decoupled from the gradient)
// With decoupled = false the decay is added to the gradient instead (classic Adam + L2).

import type { Parameter } from '../nn/parameter.js';
import { Optimizer, type ParamGroup } from './optimizer.js';
import { LlmfsError } from '../errors.js';
import { getBackend } from '../kernels/backend.js';
import { allocatePersistent } from '../tensor/dtype.js';
import { exercisable } from '../exercises/registry.js';

/** The hyperparameters of one AdamW update; `step` is t, counted from 1. */
export interface AdamWStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/** A parameter array and its two moments after one update (the same arrays when updated in place). */
export interface AdamWStepResult {
  param: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'adamw-step' (chapter 7): one AdamW update (bias-corrected, decay decoupled) of one
     * parameter array from its gradient and moments; returns the new parameter and moments (the
     * arrays given, updated in place, or new ones).
     */
    adamwStep(
      param: Float32Array,
      grad: Float32Array,
      m: Float32Array,
      v: Float32Array,
      o: AdamWStepOptions,
    ): AdamWStepResult;
  }
}

// The fused kernel (reference: kernels/js/adamw.ts) applies the header's decoupled update in place.
const adamwStep = exercisable('adamwStep', (param, grad, m, v, o) => {
  getBackend().adamw(param, grad, m, v, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.step);
  return { param, m, v };
});

export interface AdamWOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** true: AdamW (default); false: Adam with L2 penalty in the gradient. */
  decoupled?: boolean;
}

export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class AdamW extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly decoupled: boolean;
  readonly state = new Map<Parameter, AdamState>();

  constructor(params: Parameter[] | ParamGroup[], opts: AdamWOptions) {
    super(params, { lr: opts.lr, weightDecay: opts.weightDecay ?? 0.01 });
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.decoupled = opts.decoupled ?? true;
    for (const b of [this.beta1, this.beta2])
      if (!(b >= 0 && b < 1)) throw new LlmfsError(`AdamW: betas must be in [0, 1), got ${b}`);
  }

  protected readonly bufferNames = ['exp_avg', 'exp_avg_sq'] as const;

  protected buffers(p: Parameter) {
    const s = this.state.get(p);
    return s ? { arrays: { exp_avg: s.m, exp_avg_sq: s.v }, step: s.step } : null;
  }

  protected restore(p: Parameter, a: Record<string, Float32Array>, step: number): void {
    this.state.set(p, { step, m: a.exp_avg, v: a.exp_avg_sq });
  }

  protected forget(): void {
    this.state.clear();
  }

  step(): void {
    const { beta1: b1, beta2: b2, eps } = this;
    for (const group of this.groups) {
      const { lr, weightDecay: wd } = group;
      for (const p of group.params) {
        if (!p.grad) continue;
        let s = this.state.get(p);
        if (!s) {
          s = { step: 0, m: allocatePersistent(p.size), v: allocatePersistent(p.size) };
          this.state.set(p, s);
        }
        s.step++;
        if (this.decoupled) {
          // AdamW through the exercise slot (by default the fused kernel); the loop below is the
          // other variant, L2 folded into the gradient (classic Adam).
          const o = { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, step: s.step };
          const r = adamwStep(p.data as Float32Array, p.grad.data as Float32Array, s.m, s.v, o);
          if (r.param !== p.data) p.data.set(r.param);
          if (r.m !== s.m) s.m.set(r.m);
          if (r.v !== s.v) s.v.set(r.v);
          continue;
        }
        const bc1 = 1 - Math.pow(b1, s.step);
        const bc2 = 1 - Math.pow(b2, s.step);
        const w = p.data;
        const g = p.grad.data;
        const { m, v } = s;
        for (let i = 0; i < w.length; i++) {
          const gi = g[i] + wd * w[i]; // Adam: L2 penalty folded into the gradient
          m[i] = b1 * m[i] + (1 - b1) * gi;
          v[i] = b2 * v[i] + (1 - b2) * gi * gi;
          w[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
        }
      }
    }
  }
}

/** Adam: AdamW's update with the decay (default 0) folded into the gradient, as torch.optim.Adam. */
export class Adam extends AdamW {
  constructor(params: Parameter[] | ParamGroup[], opts: Omit<AdamWOptions, 'decoupled'>) {
    super(params, { weightDecay: 0, ...opts, decoupled: false });
  }
}
