// Checks a training_state.json read back from disk before a resume trusts it: every field the
// trainer restores must be present and of the right type, or one clear error names the file.

import type { TrainingState } from './trainer.js';
import type { RngState } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';

function isRng(x: unknown): x is RngState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { s?: unknown; spare?: unknown };
  return Array.isArray(r.s) && r.s.length === 4 && r.s.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) &&
    (r.spare === null || typeof r.spare === 'number');
}

export function parseTrainingState(raw: unknown, where: string): TrainingState {
  const bad = (what: string) => new LlmfsError(`${where}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('must hold a JSON object');
  const s = raw as Record<string, unknown>;
  if (!Number.isInteger(s.step) || (s.step as number) < 0) throw bad(`"step" must be an integer >= 0, got ${JSON.stringify(s.step)}`);
  if (typeof s.bestValLoss !== 'number' && s.bestValLoss !== null) throw bad('"bestValLoss" must be a number');
  if (!isRng(s.samplerRng)) throw bad('"samplerRng" is not a saved generator state ({ s: [4 integers], spare })');
  if (!isRng(s.globalRng)) throw bad('"globalRng" is not a saved generator state ({ s: [4 integers], spare })');
  const steps = s.optimizerSteps;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps) || !Object.values(steps).every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw bad('"optimizerSteps" must map parameter names to step counts');
  }
  if (typeof s.config !== 'object' || s.config === null) throw bad('"config" (the training settings) is missing');
  // JSON has no Infinity: a run that never evaluated saved bestValLoss as null.
  return { ...(s as unknown as TrainingState), bestValLoss: typeof s.bestValLoss === 'number' ? s.bestValLoss : Infinity };
}
