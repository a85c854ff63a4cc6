// The checks train makes before it writes anything: the settings asked of a resumed run against
// the saved ones (only RESUME_MAY_CHANGE may differ), --init's model flags against the checkpoint's
// architecture, a train/validation split that holds at least one window, and the memory budget.

import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { GPTConfig, GPTConfigInput } from '../model/config.js';
import { trainConfig } from '../train/config.js';
import type { TrainConfig } from '../train/trainer.js';
import type { RunConfig } from '../io/training-run.js';
import { LlmfsError } from '../errors.js';

/** What resumeSettings reads of the train job's options (TrainJobOptions in train-job.ts). */
export interface ResumeAsk extends Omit<RunConfig, 'train'> {
  train: Partial<TrainConfig>;
  out: string;
  /** The settings asked for; undefined: every one given. */
  asked?: ReadonlySet<string>;
}

/** Training settings that may change when a run is resumed; the rest would make it another run. */
export const RESUME_MAY_CHANGE: readonly (keyof TrainConfig)[] = [
  'steps',
  'lr',
  'minLr',
  'schedule',
  'warmupSteps',
  'decaySteps',
  'gradClip',
  'evalInterval',
  'evalBatches',
];

/** --init keeps the source's architecture: a model flag that disagrees with it is an error. */
export function checkInitOverrides(
  init: string,
  config: GPTConfig,
  overrides: Partial<GPTConfigInput>,
): void {
  for (const [k, v] of Object.entries(overrides)) {
    const have = config[k as keyof GPTConfig];
    if (v !== undefined && v !== have) {
      const flag = `--${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
      throw new LlmfsError(
        `train --init ${init}: ${flag} ${String(v)} does not match the model there ` +
          `(${k} ${String(have)}); drop the flag: with --init the architecture comes from the checkpoint`,
      );
    }
  }
}

/**
 * The settings of a resumed run: the saved ones, with the changes `o` asks for among
 * RESUME_MAY_CHANGE (listed in `changes`); asking for another value of any other setting is an error.
 */
export function resumeSettings(
  saved: RunConfig,
  step: number,
  model: GPTConfig,
  o: ResumeAsk,
  name: (field: string) => string,
): { settings: RunConfig; changes: string[] } {
  const asked = (k: string) => o.asked === undefined || o.asked.has(k);
  const conflict = (k: string, want: unknown, have: unknown) =>
    new LlmfsError(
      `train --resume: ${name(k)} ${String(want)} differs from the saved run's (${String(have)}); ` +
        `drop it to continue the run in ${o.out}, or start a new run (another --out, or --force)`,
    );
  const same = (k: string, a: unknown, b: unknown) =>
    k === 'data' && typeof a === 'string' && typeof b === 'string' ? resolve(a) === resolve(b) : a === b;
  for (const k of ['data', 'maxChars', 'encoding', 'preset', 'tokenizer', 'valFraction'] as const) {
    // Runs saved before --encoding existed, and library callers that leave it out, read utf8.
    const want = k === 'encoding' ? (o[k] ?? 'utf8') : o[k];
    const have = k === 'valFraction' ? (saved[k] ?? 0.1) : k === 'encoding' ? (saved[k] ?? 'utf8') : saved[k];
    if (asked(k) && !same(k, want, have)) throw conflict(k, want ?? 'the bundled corpus', have ?? 'none');
  }
  for (const [k, want] of Object.entries(o.modelOverrides ?? {})) {
    const have = model[k as keyof GPTConfig];
    if (asked(k) && want !== undefined && want !== have) throw conflict(k, want, have);
  }
  const train: Record<string, unknown> = { ...saved.train };
  const changes: string[] = [];
  for (const [k, want] of Object.entries(o.train)) {
    const have = train[k];
    if (!asked(k) || want === undefined || want === have) continue;
    if (!(RESUME_MAY_CHANGE as readonly string[]).includes(k)) throw conflict(k, want, have);
    train[k] = want;
    changes.push(`${name(k)} ${String(want)} (was ${String(have)})`);
  }
  const checked = trainConfig(train as Partial<TrainConfig>, { label: 'train --resume', flagName: name });
  if (checked.steps < step) {
    throw new LlmfsError(
      `train --resume: ${name('steps')} ${checked.steps} is fewer than the ${step} the run has done; ` +
        `${name('steps')} is the run's new total`,
    );
  }
  if (changes.length > 0 && checked.schedule === 'cosine' && step >= checked.decaySteps) {
    changes.push(
      `(the cosine decay ended at step ${checked.decaySteps}, so the rate stays at ${name('minLr')} ` +
        `${checked.minLr}; ${name('decaySteps')} extends it)`,
    );
  }
  return { settings: { ...saved, train: checked }, changes };
}

/** Refuses splits the loop could not draw a window from, with the sizes and the fix. */
export function checkSplit(
  split: { train: ArrayLike<number>; val: ArrayLike<number> },
  T: number,
  valFraction: number,
  name: (field: string) => string,
): void {
  const n = split.train.length + split.val.length;
  if (split.train.length < T + 1) {
    throw new LlmfsError(
      `train: the training split has ${split.train.length} tokens, fewer than one window of ` +
        `block size + 1 = ${T + 1}; use more data or a smaller ${name('blockSize')}`,
    );
  }
  if (split.val.length > 0 && split.val.length < T + 1) {
    const need = Math.ceil((100 * (T + 2)) / n) / 100;
    const more = n - Math.ceil(n * (1 - need)) >= T + 1 && n - (T + 1) >= T + 1 ? ` (at least ${need})` : '';
    throw new LlmfsError(
      `train: the validation split (${name('valFraction')} ${valFraction}) has ${split.val.length} ` +
        `tokens, fewer than one window of block size + 1 = ${T + 1}; use more data, a larger ` +
        `${name('valFraction')}${more}, or ${name('valFraction')} 0 (best/ is then chosen by the train loss)`,
    );
  }
}

/** --resume continues the run in --out: --init (a new run) and --force (replace it) contradict it. */
export function checkFlagMix(o: { resume: boolean; init?: string; force?: boolean }): void {
  if (o.resume && o.init !== undefined) {
    const why = '--resume continues the run in --out, --init starts a new one';
    throw new LlmfsError(`train: --init and --resume do not mix: ${why}`);
  }
  if (o.resume && o.force) {
    throw new LlmfsError(
      'train: --resume and --force do not mix: --force replaces the run --resume continues',
    );
  }
}

/**
 * The memory a run may plan to use: 80% of this machine's memory, or LLMFS_MEMORY_BUDGET bytes
 * when set (tests, or a machine shared with other work).
 */
export function memoryBudget(env: Record<string, string | undefined> = process.env): number {
  const asked = Number(env.LLMFS_MEMORY_BUDGET);
  return Number.isFinite(asked) && asked > 0 ? asked : Math.floor(totalmem() * 0.8);
}
