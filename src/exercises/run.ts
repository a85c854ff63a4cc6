// Runs one exercise's checks against a learner's function, in order: every seeded case compared
// with the library's reference (a table row each), then, if all agree, the gradient checks and the
// integration steps with the learner's function installed in the registry. Portable: the CLI runs
// it in a worker thread (so a function that never returns can be stopped), the lab in a Web Worker.

import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor-core.js';
import { compareValues, deepCopy } from './compare.js';
import { referenceOf, withImplementations, type ExercisableFunctions } from './registry.js';
import type { CheckReport, CheckRow, ExerciseSpec, LearnerFn, Tolerance } from './spec.js';

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };
export const DEFAULT_TIME_LIMIT_MS = 4000;

export interface RunHooks {
  /** Called before each check starts, with its time limit (the worker arms a timer). */
  onStart?(row: { kind: CheckRow['kind']; name: string }, timeLimitMs: number): void;
  /** Turns an exception from the learner's code into one line (the Node side adds file:line). */
  describeError?(e: unknown): string;
}

/** The seed of an exercise's cases: fixed, so a failure reproduces. */
export const CASE_SEED = 20261130;

function defaultDescribe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `threw ${String(e)}`;
}

/** Plain data (compared for in-place changes); models, functions and other objects are not. */
function isData(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function';
  if (v instanceof Tensor || ArrayBuffer.isView(v) || Array.isArray(v) || v instanceof Map) return true;
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** The case's arguments with every float Tensor a leaf that requires a gradient. */
function withGrad(args: unknown[]): unknown[] {
  return deepCopy(args).map((a) => (a instanceof Tensor ? new Tensor(a.data, a.shape, true) : a));
}

/**
 * A forward op's output must carry autograd's graph, or training cannot learn through it: a
 * result computed with loops over `.data` has the right values but no gradient.
 */
function gradientFlows(
  fn: (...a: unknown[]) => unknown,
  args: unknown[],
  describe: (e: unknown) => string,
): CheckRow {
  const name = 'the output carries gradients';
  let out: unknown;
  try {
    out = fn(...withGrad(args));
  } catch (e) {
    return { kind: 'gradcheck', name, passed: false, message: `your function threw ${describe(e)}` };
  }
  const outs = (Array.isArray(out) ? out : [out]).filter((t): t is Tensor => t instanceof Tensor);
  const ok = outs.length === 0 || outs.some((t) => t.requiresGrad);
  return {
    kind: 'gradcheck',
    name,
    passed: ok,
    message: ok
      ? 'autograd can differentiate through your output'
      : 'your output has the right values but carries no gradient (requiresGrad is false), so training ' +
        'cannot learn through it: loops over .data are invisible to autograd; build the result from ' +
        'tensor ops (x.sub, x.mean, x.mul, ...)',
  };
}

/** Checks `fn` (the learner's export) against `spec`'s reference. */
export function runExercise(spec: ExerciseSpec, fn: LearnerFn, hooks: RunHooks = {}): CheckReport {
  const describe = hooks.describeError ?? defaultDescribe;
  const limit = spec.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const reference = referenceOf(spec.slot) as unknown as (...a: unknown[]) => unknown;
  const learner = fn as unknown as (...a: unknown[]) => unknown;
  const checks: CheckRow[] = [];
  const cases = spec.cases(new Rng(CASE_SEED));
  for (const c of cases) {
    hooks.onStart?.({ kind: 'case', name: c.name }, limit);
    spec.before?.(c);
    let want = reference(...deepCopy(c.args));
    let got: unknown;
    const args = deepCopy(c.args);
    try {
      spec.before?.(c);
      got = learner(...args);
    } catch (e) {
      checks.push({
        kind: 'case',
        name: c.name,
        passed: false,
        message: `your function threw ${describe(e)}`,
      });
      continue;
    }
    if (spec.pureInputs) {
      const changed = args.findIndex(
        (a, i) => isData(a) && !compareValues(a, c.args[i], { atol: 0, rtol: 0 }).passed,
      );
      if (changed >= 0) {
        checks.push({
          kind: 'case',
          name: c.name,
          passed: false,
          message:
            `your function changed its argument ${changed + 1} in place; the library keeps using it ` +
            'afterwards: build and return a new value instead',
        });
        continue;
      }
    }
    if (spec.normalize) {
      want = spec.normalize(want, c);
      try {
        got = spec.normalize(got, c);
      } catch {
        // leave it as it is: the comparison then says what is wrong with its form
      }
    }
    const tol = c.tolerance ?? spec.tolerance ?? DEFAULT_TOLERANCE;
    const cmp = compareValues(got, want, tol);
    if (spec.accept) {
      const verdict = spec.accept(got, want, c);
      checks.push({
        kind: 'case',
        name: c.name,
        passed: verdict.passed,
        shape: cmp.shape,
        allclose: verdict.passed,
        ...(verdict.passed ? {} : { message: verdict.message ?? cmp.message }),
      });
      continue;
    }
    const hint = cmp.passed ? null : (spec.diagnose?.(got, want, c) ?? null);
    checks.push({
      kind: 'case',
      name: c.name,
      passed: cmp.passed,
      shape: cmp.shape,
      maxAbsDiff: cmp.maxAbsDiff,
      allclose: cmp.passed,
      ...(cmp.firstDiff ? { firstDiff: cmp.firstDiff } : {}),
      ...(cmp.passed ? {} : { message: hint ? `${hint} (${cmp.message})` : cmp.message }),
    });
  }
  if (spec.differentiable && cases.length > 0 && checks.every((r) => r.passed)) {
    hooks.onStart?.({ kind: 'gradcheck', name: 'the output carries gradients' }, limit);
    checks.push(gradientFlows(learner, cases[0]!.args, describe));
  }
  if (checks.every((r) => r.passed)) {
    const install = { [spec.slot]: fn } as Partial<ExercisableFunctions>;
    for (const x of spec.extra ?? []) {
      hooks.onStart?.({ kind: x.kind, name: x.name }, x.timeLimitMs ?? limit);
      try {
        const o = withImplementations(install, () => x.run());
        checks.push({
          kind: x.kind,
          name: x.name,
          passed: o.passed,
          message: o.message,
          ...(o.maxAbsDiff !== undefined ? { maxAbsDiff: o.maxAbsDiff } : {}),
        });
      } catch (e) {
        checks.push({
          kind: x.kind,
          name: x.name,
          passed: false,
          message: `your function threw ${describe(e)}`,
        });
      }
      if (!checks[checks.length - 1]!.passed) break;
    }
  }
  const failed = checks.find((r) => !r.passed);
  const notStarted = checks.every((r) => r.kind !== 'case' || /not implemented yet/.test(r.message ?? ''));
  const message = !failed
    ? undefined
    : notStarted
      ? `you have not written ${spec.exportName} yet: it still throws 'not implemented yet'`
      : `${failed.name}: ${failed.message ?? 'differs from the reference'}`;
  return { id: spec.id, passed: !failed, checks, ...(message ? { message } : {}) };
}
