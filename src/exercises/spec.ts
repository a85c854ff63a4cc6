// What an exercise is: one function a learner writes (the stub in exercises/stubs/, the reference
// solution apart in exercises/solutions/), the registry slot it replaces, the chapter section it
// belongs to, progressive hints, and its checks: seeded random cases compared with the library's
// own function, a finite-difference gradient check for backward exercises, and an integration
// step that runs the learner's function inside a real model.

import type { Rng } from '../tensor/rng.js';
import type { ExercisableName } from './registry.js';

/** A function of unknown signature (the learner's export, before it is checked). */
export type LearnerFn = (...args: never[]) => unknown;

/** Subjects an exercise is about: they decide the advanced and researcher paths. */
export type Topic =
  | 'autograd'
  | 'tokenizer'
  | 'positions'
  | 'attention'
  | 'norms'
  | 'model'
  | 'training'
  | 'schedules'
  | 'sampling'
  | 'inference'
  | 'weights'
  | 'performance';

export interface CheckCase {
  /** What the case probes, shown in the table: "odd shape (3, 5)", "large inputs (±1000)". */
  name: string;
  /** Arguments for both the reference and the learner's function (each gets its own deep copy). */
  args: unknown[];
  /** Tolerance for this case, if not the exercise's. */
  tolerance?: Tolerance;
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The outcome of a gradient check or an integration step. */
export interface StepOutcome {
  passed: boolean;
  /** One line: what was measured; on failure, what is wrong. */
  message: string;
  maxAbsDiff?: number;
}

export interface ExtraCheck {
  kind: 'gradcheck' | 'integration';
  /** Shown in the table: "finite differences", "tiny GPT trains 40 steps". */
  name: string;
  /** Runs with the learner's function installed in the registry (the checker installs it). */
  run(): StepOutcome;
  /** Time limit for this step in ms (default: the exercise's). */
  timeLimitMs?: number;
}

export interface ExerciseSpec {
  /** Stable id, kebab-case: 'mul-backward'. */
  id: string;
  chapter: number;
  /** The chapter section it belongs to, as in the docs: '1.5 Backward, op by op'. */
  section: string;
  title: string;
  /** The function the learner's file exports, e.g. 'mulBackward'. */
  exportName: string;
  /** The registry slot the learner's function replaces. */
  slot: ExercisableName;
  topics: readonly Topic[];
  /** For the researcher path: how PyTorch / Hugging Face / others do this differently. */
  compare?: string;
  /** Progressive hints, the last one nearly the answer. */
  hints: readonly string[];
  tolerance?: Tolerance;
  /** Time limit per check in ms (default 4000). */
  timeLimitMs?: number;
  /** Seeded inputs: odd shapes, size 1, extreme values. */
  cases(rng: Rng): CheckCase[];
  /**
   * A guess at the mistake when a case differs, in words ("each row sums to 2, not 1: ..."), or
   * null. The generic comparison already spots scale factors, sign flips, NaN and shape errors.
   */
  diagnose?(got: unknown, want: unknown, c: CheckCase): string | null;
  /** Runs before each call of the reference and of the learner's function (e.g. to seed dropout). */
  before?(c: CheckCase): void;
  /**
   * Puts an output in canonical form before comparing, applied to both (e.g. gradients summed to
   * their input's shape, where the library accepts either form).
   */
  normalize?(out: unknown, c: CheckCase): unknown;
  /**
   * The function must leave its arguments as they were (the library keeps using them): a learner's
   * in-place change of an input is named.
   */
  pureInputs?: boolean;
  /**
   * The library differentiates through this function's Tensor output (a forward op used in
   * training): the checker then also requires the output to carry autograd's graph.
   */
  differentiable?: boolean;
  /**
   * Decides a case instead of the elementwise comparison, where more than one answer is right (any
   * valid topological order, say): passed, or what is wrong.
   */
  accept?(got: unknown, want: unknown, c: CheckCase): { passed: boolean; message?: string };
  /** Gradient checks and integration steps, run after every case passed. */
  extra?: readonly ExtraCheck[];
}

/** One row of the check table. */
export interface CheckRow {
  kind: 'compile' | 'export' | 'case' | 'gradcheck' | 'integration';
  name: string;
  passed: boolean;
  shape?: string;
  maxAbsDiff?: number;
  allclose?: boolean;
  firstDiff?: string;
  message?: string;
}

export interface CheckReport {
  id: string;
  passed: boolean;
  checks: CheckRow[];
  /** The first failure's message, for the one-line summary. */
  message?: string;
}
