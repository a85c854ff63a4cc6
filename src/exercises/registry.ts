// The registry of exercisable functions: the seam through which a learner's own code replaces
// the library's. Each library module that owns an exercisable function registers its reference
// with `exercisable(name, reference)` and calls the dispatcher that returns, so the library always
// goes through the registry; by default the dispatcher calls the reference. `implement` swaps in
// another function (a learner's), `restore` puts the reference back. The names and signatures
// are typed: each owning module adds its entry to `ExercisableFunctions` by declaration merging
// (`declare module '../exercises/registry.js'`), so this file imports nothing at run time.

/** Every exercisable function, by name. Owning modules add their entries by declaration merging. */
export interface ExercisableFunctions {}

export type ExercisableName = keyof ExercisableFunctions;
/** Any function: the registry stores them untyped; `ExercisableFunctions` gives each its type. */
type AnyFn = (...args: never[]) => unknown;

const references = new Map<string, AnyFn>();
const overrides = new Map<string, AnyFn>();

/**
 * Registers `reference` as the library's own `name` and returns the dispatcher the library calls:
 * the learner's implementation while one is installed, the reference otherwise.
 */
export function exercisable<K extends ExercisableName>(
  name: K,
  reference: ExercisableFunctions[K] & AnyFn,
): ExercisableFunctions[K] {
  if (references.has(name)) throw new Error(`exercisable: '${name}' is registered twice`);
  references.set(name, reference);
  const dispatch = (...args: never[]) => (overrides.get(name) ?? reference)(...args);
  return dispatch as ExercisableFunctions[K];
}

/** The library's own implementation of `name` (what a learner's function is checked against). */
export function referenceOf<K extends ExercisableName>(name: K): ExercisableFunctions[K] {
  const fn = references.get(name);
  if (!fn) throw new Error(`exercisable: no function named '${name}' is registered`);
  return fn as ExercisableFunctions[K];
}

/** Installs `fn` in place of the reference until `restore(name)` (or `restoreAll()`). */
export function implement<K extends ExercisableName>(name: K, fn: ExercisableFunctions[K]): void {
  if (!references.has(name)) throw new Error(`exercisable: no function named '${name}' is registered`);
  overrides.set(name, fn as AnyFn);
}

export function restore(name: ExercisableName): void {
  overrides.delete(name);
}

export function restoreAll(): void {
  overrides.clear();
}

/** Runs `body` with `fns` installed, then restores the references (also when `body` throws). */
export function withImplementations<T>(fns: Partial<ExercisableFunctions>, body: () => T): T {
  const names = Object.keys(fns) as ExercisableName[];
  const previous = names.map((n) => overrides.get(n));
  for (const n of names) implement(n, fns[n] as ExercisableFunctions[typeof n]);
  try {
    return body();
  } finally {
    names.forEach((n, i) => {
      const p = previous[i];
      if (p) overrides.set(n, p);
      else overrides.delete(n);
    });
  }
}

/** Runs `body` with every reference back in place (the learner's functions set aside meanwhile). */
export function withReferences<T>(body: () => T): T {
  const saved = new Map(overrides);
  overrides.clear();
  try {
    return body();
  } finally {
    for (const [k, v] of saved) overrides.set(k, v);
  }
}

/** Names of the registered functions (those whose owning modules have been imported). */
export function exercisableNames(): string[] {
  return [...references.keys()];
}

/** Whether a learner's implementation is installed for `name`. */
export function isImplemented(name: ExercisableName): boolean {
  return overrides.has(name);
}
