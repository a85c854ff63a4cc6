// The training configuration: one typed object with a default and a comment per field, as
// model/config.ts is for the model. `trainConfig()` fills the defaults and checks every field;
// the CLI, the tests and the docs read their defaults from TRAIN_DEFAULTS instead of repeating them.

import { LlmfsError } from '../errors.js';
import { SCHEDULE_KINDS, type ScheduleKind } from './schedule.js';

/** The optimizers `train()` can build (the choice list the CLI offers too). */
export const OPTIMIZER_KINDS = ['adamw', 'adam', 'sgd'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export interface TrainConfig {
  /** Optimizer steps in the whole run. */
  steps: number;
  /** Sequences per micro-batch (B). */
  batchSize: number;
  /** Micro-batches whose gradients are averaged into one step. */
  gradAccum: number;
  optimizer: OptimizerKind;
  /** Peak learning rate. */
  lr: number;
  schedule: ScheduleKind;
  /** Linear warm-up steps (default: min(100, steps / 10)). */
  warmupSteps: number;
  /** Steps over which cosine decays (default: steps). */
  decaySteps: number;
  /** The floor cosine decays to (default: min(1e-4, lr / 10); never above lr). */
  minLr: number;
  /** Weight decay on matrices (default 0.1 for adamw, decoupled; 0 for adam and sgd, as L2). */
  weightDecay: number;
  /** Adam β1 and β2: decay rates of the gradient's first and second moment averages. */
  beta1: number;
  beta2: number;
  /** Adam ε, added to sqrt(v̂) so the division is safe. */
  eps: number;
  /** SGD momentum. */
  momentum: number;
  /** Clip the global gradient norm to this (0 disables). */
  gradClip: number;
  /** Evaluate (and report a checkpoint) every this many steps, and at the last one. */
  evalInterval: number;
  /** Batches per evaluation. */
  evalBatches: number;
  /** Seeds the batch sampler (evaluation batches use seed + 1000003). */
  seed: number;
}

/** The fields whose default depends on others (see trainConfig). */
type Derived = 'warmupSteps' | 'decaySteps' | 'weightDecay' | 'minLr';

export const TRAIN_DEFAULTS: Omit<TrainConfig, Derived> = {
  steps: 2000,
  batchSize: 12,
  gradAccum: 1,
  optimizer: 'adamw',
  lr: 1e-3,
  schedule: 'cosine',
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  momentum: 0.9,
  gradClip: 1,
  evalInterval: 250,
  evalBatches: 20,
  seed: 1337,
};

export interface TrainConfigOptions {
  /** What errors start with (default 'train config'). */
  label?: string;
  /** How errors name a field (the CLI names its flag: warmupSteps -> --warmup). */
  flagName?: (field: string) => string;
}

const KNOWN = new Set<string>([
  ...Object.keys(TRAIN_DEFAULTS),
  'warmupSteps',
  'decaySteps',
  'weightDecay',
  'minLr',
]);

/** The cosine floor when none is given: 1e-4, or lr / 10 for a peak rate below 1e-3 (nanoGPT's ratio). */
export function defaultMinLr(lr: number): number {
  return Math.min(1e-4, lr / 10);
}

/** Fills defaults and checks every field; throws one clear error line naming the field. */
export function trainConfig(input: Partial<TrainConfig> = {}, opts: TrainConfigOptions = {}): TrainConfig {
  const label = opts.label ?? 'train config';
  const name = opts.flagName ?? ((k: string) => k);
  const bad = (k: string, what: string, v: unknown) => {
    const got = typeof v === 'string' ? `'${v}'` : String(v);
    return new LlmfsError(`${label}: ${name(k)} must be ${what}, got ${got}`);
  };
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k)) {
      throw new LlmfsError(`${label}: unknown setting '${k}' (known: ${[...KNOWN].join(', ')})`);
    }
  }
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const base = { ...TRAIN_DEFAULTS, ...defined } as Omit<TrainConfig, Derived> & Partial<TrainConfig>;
  const c: TrainConfig = {
    ...base,
    warmupSteps: base.warmupSteps ?? Math.min(100, Math.floor(base.steps / 10)),
    decaySteps: base.decaySteps ?? base.steps,
    weightDecay: base.weightDecay ?? (base.optimizer === 'adamw' ? 0.1 : 0),
    minLr: base.minLr ?? defaultMinLr(base.lr),
  };
  for (const k of ['steps', 'batchSize', 'gradAccum', 'decaySteps', 'evalInterval', 'evalBatches'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw bad(k, 'a positive integer', c[k]);
  }
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0) {
    throw bad('warmupSteps', 'an integer >= 0', c.warmupSteps);
  }
  if (!Number.isSafeInteger(c.seed)) throw bad('seed', 'an integer', c.seed);
  if (!(OPTIMIZER_KINDS as readonly string[]).includes(c.optimizer)) {
    throw bad('optimizer', `one of ${OPTIMIZER_KINDS.join(', ')}`, c.optimizer);
  }
  if (!(SCHEDULE_KINDS as readonly string[]).includes(c.schedule)) {
    throw bad('schedule', `one of ${SCHEDULE_KINDS.join(', ')}`, c.schedule);
  }
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) throw bad('lr', 'a finite number > 0', c.lr);
  if (!(c.eps > 0) || !Number.isFinite(c.eps)) throw bad('eps', 'a finite number > 0', c.eps);
  for (const k of ['minLr', 'weightDecay', 'gradClip'] as const) {
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw bad(k, 'a finite number >= 0', c[k]);
  }
  if (c.minLr > c.lr) {
    const why = 'the schedule decays from the peak rate down to the floor';
    throw new LlmfsError(
      `${label}: ${name('minLr')} (${c.minLr}) must not exceed ${name('lr')} (${c.lr}): ${why}`,
    );
  }
  for (const k of ['beta1', 'beta2', 'momentum'] as const) {
    if (!(c[k] >= 0 && c[k] < 1)) throw bad(k, 'in [0, 1)', c[k]);
  }
  if (c.schedule === 'cosine' && !(c.decaySteps > c.warmupSteps)) {
    const [d, w] = [`${name('decaySteps')} (${c.decaySteps})`, `${name('warmupSteps')} (${c.warmupSteps})`];
    throw new LlmfsError(`${label}: cosine decay needs ${d} greater than ${w}`);
  }
  return c;
}
