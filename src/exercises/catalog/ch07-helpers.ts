// Chapter 7's checking aids: seeded float32 arrays, and the common wrong versions of the optimizer
// updates and the schedule, so `diagnose` can say which mistake a learner's output matches.

import type { Rng } from '../../tensor/rng.js';
import type { AdamWStepOptions } from '../../train/adamw.js';
import type { SGDStepOptions } from '../../train/sgd.js';
import type { CosineScheduleOptions } from '../../train/schedule.js';

/** A Float32Array of normal(0, scale) values (scale may be per element: 'mixed magnitudes'). */
export function randf(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/** |a| of positive normal values (second moments are never negative). */
export function randPositive(rng: Rng, n: number, scale = 1): Float32Array {
  return randf(rng, n, scale).map(Math.abs);
}

/** Whether `got` (a numeric array) equals `want` within a relative 1e-4. */
export function closeTo(got: unknown, want: ArrayLike<number>): boolean {
  if (!ArrayBuffer.isView(got) && !Array.isArray(got)) return false;
  const g = got as ArrayLike<number>;
  if (g.length !== want.length) return false;
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(g[i]! - want[i]!) <= 1e-6 + 1e-4 * Math.abs(want[i]!))) return false;
  return true;
}

/** The AdamW mistakes diagnose looks for. */
export type AdamWVariant = 'coupled' | 'no-bias-correction' | 'decay-without-lr' | 'no-decay';

/** One Adam(W) update of copies of the arrays, done the `variant` (wrong) way; returns the parameter. */
export function adamwVariant(
  p0: Float32Array,
  g: Float32Array,
  m0: Float32Array,
  v0: Float32Array,
  o: AdamWStepOptions,
  variant: AdamWVariant,
): Float64Array {
  const p = Float64Array.from(p0);
  const bc1 = variant === 'no-bias-correction' ? 1 : 1 - Math.pow(o.beta1, o.step);
  const bc2 = variant === 'no-bias-correction' ? 1 : 1 - Math.pow(o.beta2, o.step);
  for (let i = 0; i < p.length; i++) {
    const gi = variant === 'coupled' ? g[i]! + o.weightDecay * p[i]! : g[i]!;
    if (variant === 'decay-without-lr') p[i] -= o.weightDecay * p[i]!;
    else if (variant !== 'coupled' && variant !== 'no-decay') p[i] -= o.lr * o.weightDecay * p[i]!;
    const m = o.beta1 * m0[i]! + (1 - o.beta1) * gi;
    const v = o.beta2 * v0[i]! + (1 - o.beta2) * gi * gi;
    p[i] -= (o.lr * (m / bc1)) / (Math.sqrt(v / bc2) + o.eps);
  }
  return p;
}

/** The SGD mistakes diagnose looks for. */
export type SGDVariant = 'dampened' | 'lr-in-velocity';

/** One SGD update of copies done the `variant` way; returns the parameter and the velocity. */
export function sgdVariant(
  w0: Float32Array,
  g: Float32Array,
  v0: Float32Array | null,
  o: SGDStepOptions,
  variant: SGDVariant,
): { param: Float64Array; velocity: Float64Array } {
  const w = Float64Array.from(w0);
  const v = v0 ? Float64Array.from(v0) : new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const d = g[i]! + o.weightDecay * w[i]!;
    if (variant === 'dampened') v[i] = o.momentum * v[i]! + (1 - o.momentum) * d;
    else v[i] = o.momentum * v[i]! + o.lr * d;
    const step = o.nesterov ? d + o.momentum * v[i]! : v[i]!;
    w[i] -= variant === 'dampened' ? o.lr * step : step;
  }
  return { param: w, velocity: v };
}

/** The schedule's common wrong versions at `step`, by the name of the mistake. */
export function cosineVariants(step: number, o: CosineScheduleOptions): Record<string, number> {
  const { lr, warmupSteps: W, totalSteps: N, minLr } = o;
  const cos = (ratio: number, floor: number) => floor + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (lr - floor);
  return {
    'warm-up from 0': W > 0 && step < W ? (lr * step) / W : NaN,
    'warm-up through step W': step === W && W > 0 ? (lr * (step + 1)) / W : NaN,
    'decay over totalSteps': step >= W && step < N ? cos(step / N, minLr) : NaN,
    'decay from step 0': step >= W && step < N && W > 0 ? cos((step - W) / N, minLr) : NaN,
    'decay to 0': step >= W && step < N ? cos((step - W) / (N - W), 0) : NaN,
    'no floor after totalSteps': step >= N ? cos((step - W) / (N - W), minLr) : NaN,
  };
}
