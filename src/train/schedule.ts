// Learning-rate schedules, as a function of the step. Warm-up (Goyal et al., 2017) ramps the
// rate linearly so early, large gradients through an untrained network do not blow it up;
// cosine decay (Loshchilov & Hutter, 2017, "SGDR") lowers it smoothly to a floor.

import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

/** The settings of a warm-up + cosine schedule (validated by makeSchedule). */
export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of warm-up. */
  lr: number;
  warmupSteps: number;
  /** The step at which the decay reaches minLr (> warmupSteps). */
  totalSteps: number;
  minLr: number;
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'cosine-schedule' (chapter 7): the learning rate at `step` (0, 1, 2, ...) of linear
     * warm-up, lr·(step+1)/W for step < W, then cosine decay from lr to minLr at totalSteps.
     */
    cosineSchedule(step: number, o: CosineScheduleOptions): number;
  }
}

const cosineSchedule = exercisable('cosineSchedule', (step, o) => {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (step >= o.totalSteps) return o.minLr;
  const ratio = (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (o.lr - o.minLr);
});

export const SCHEDULE_KINDS = ['constant', 'cosine', 'step'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps (all kinds): step s < W gets lr·(s+1)/W, so step 0 already gets lr/W. */
  warmupSteps?: number;
  /** Total steps (cosine decays over warmupSteps..totalSteps). */
  totalSteps?: number;
  /** The floor for cosine (default lr / 10, as nanoGPT). */
  minLr?: number;
  /** Step decay: multiply by `gamma` every `stepSize` steps. */
  stepSize?: number;
  gamma?: number;
}

/** Returns lr(step) for step = 0, 1, 2, ... */
export function makeSchedule(o: ScheduleOptions): (step: number) => number {
  const warm = o.warmupSteps ?? 0;
  if (!(o.lr >= 0) || !Number.isFinite(o.lr))
    throw new LlmfsError(`schedule: lr must be a finite number >= 0, got ${o.lr}`);
  if (!Number.isInteger(warm) || warm < 0)
    throw new LlmfsError(`schedule: warmupSteps must be an integer >= 0, got ${warm}`);
  const warmup = (step: number) => (o.lr * (step + 1)) / warm;
  switch (o.kind) {
    case 'constant':
      return (step) => (step < warm ? warmup(step) : o.lr);
    case 'cosine': {
      const total = o.totalSteps ?? 0;
      if (!(total > warm))
        throw new LlmfsError(
          `schedule: cosine needs totalSteps (${total}) greater than warmupSteps (${warm})`,
        );
      const c = { lr: o.lr, warmupSteps: warm, totalSteps: total, minLr: o.minLr ?? o.lr / 10 };
      return (step) => cosineSchedule(step, c);
    }
    case 'step': {
      const size = o.stepSize ?? 1000;
      const gamma = o.gamma ?? 0.1;
      if (!Number.isInteger(size) || size <= 0)
        throw new LlmfsError(`schedule: stepSize must be a positive integer, got ${size}`);
      return (step) =>
        step < warm ? warmup(step) : o.lr * Math.pow(gamma, Math.floor((step - warm) / size));
    }
    default:
      throw new LlmfsError(`schedule: unknown kind '${String(o.kind)}' (constant, cosine, step)`);
  }
}
