// Compares a learner's output with the reference's, the way a reviewer would: same structure, same
// shape, every number within atol + rtol·|want| (torch.allclose's rule), and when they differ, the
// first differing index and a guess at the mistake (a constant factor, a flipped sign, NaN or
// infinity where the reference is finite, a transposed shape).

import { Tensor } from '../tensor/tensor-core.js';
import type { Tolerance } from './spec.js';

export interface Comparison {
  passed: boolean;
  /** The reference's shape, as '(2, 3)', or the kind of value. */
  shape: string;
  maxAbsDiff: number;
  /** Where they first differ, as 'out[1, 2]: got 0.5, want 0.25'. */
  firstDiff?: string;
  /** What is wrong, in words. */
  message?: string;
}

type Numeric = { shape: readonly number[]; data: ArrayLike<number> };

const fmt = (v: number): string =>
  Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5
      ? String(+v.toPrecision(6))
      : v.toExponential(3);
export const fmtShape = (s: readonly number[]): string => `(${s.join(', ')})`;

function isTypedArray(v: unknown): v is Float32Array | Float64Array | Int32Array | Uint8Array | Uint32Array {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** A tensor, typed array, or (nested, rectangular) array of numbers as shape + flat data; else null. */
export function asNumeric(v: unknown): Numeric | null {
  if (v instanceof Tensor) return { shape: v.shape, data: v.data };
  if (isTypedArray(v)) return { shape: [v.length], data: v as ArrayLike<number> };
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return { shape: [v.length], data: v };
  if (Array.isArray(v) && v.length > 0 && v.every((x) => Array.isArray(x) || isTypedArray(x))) {
    const rows = v.map(asNumeric);
    if (rows.some((r) => !r || r.shape.length !== rows[0]!.shape.length)) return null;
    if (rows.some((r) => r!.shape.join() !== rows[0]!.shape.join())) return null;
    const data: number[] = [];
    for (const r of rows) for (let i = 0; i < r!.data.length; i++) data.push(r!.data[i]);
    return { shape: [v.length, ...rows[0]!.shape], data };
  }
  return null;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a Tensor ${fmtShape(v.shape)}`;
  if (isTypedArray(v)) return `a ${v.constructor.name} of length ${v.length}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof Map) return `a Map of size ${v.size}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v} (${String(v)})`;
}

/** A value in a message: strings and small values as JSON, anything bigger by its kind. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  return kindOf(v);
}

/** Multi-index of flat position `i` in `shape`, as '[1, 2]'. */
export function indexAt(i: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return `[${idx.join(', ')}]`;
}

function compareNumeric(got: Numeric, want: Numeric, tol: Tolerance, path: string): Comparison {
  const shape = fmtShape(want.shape);
  if (got.shape.join() !== want.shape.join()) {
    const same = got.data.length === want.data.length;
    const t = want.shape.length === 2 && got.shape.join() === [want.shape[1], want.shape[0]].join();
    return {
      passed: false,
      shape,
      maxAbsDiff: Infinity,
      message:
        `${path} has shape ${fmtShape(got.shape)} but should have shape ${shape}` +
        (t
          ? ': transposed?'
          : same
            ? ': the right number of elements in the wrong layout (a reshape or permute?)'
            : ''),
    };
  }
  let maxAbsDiff = 0;
  let first = -1;
  let badNonFinite = -1;
  let scale = NaN; // got / want, while it stays constant
  let constantScale = true;
  let scaled = 0; // elements the scale was measured on
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i]!;
    const w = want.data[i]!;
    const d = !Number.isFinite(w) && g === w ? 0 : Math.abs(g - w);
    // ±Infinity (a masked logit) must be matched exactly: rtol·|∞| would accept any number.
    const close = Number.isNaN(w)
      ? Number.isNaN(g)
      : !Number.isFinite(w)
        ? g === w
        : d <= tol.atol + tol.rtol * Math.abs(w);
    if (!Number.isNaN(d) && d > maxAbsDiff) maxAbsDiff = d;
    if (Number.isNaN(d) && !Number.isNaN(w)) maxAbsDiff = NaN;
    if (!close && first < 0) first = i;
    if (!close && !Number.isFinite(g) && Number.isFinite(w) && badNonFinite < 0) badNonFinite = i;
    if (Math.abs(w) > 1e-6) {
      const r = g / w;
      scaled++;
      if (Number.isNaN(scale)) scale = r;
      else if (Math.abs(r - scale) > 1e-3 * Math.max(1, Math.abs(scale))) constantScale = false;
    } else if (Math.abs(g) > tol.atol + 1e-6) constantScale = false;
  }
  if (first < 0) return { passed: true, shape, maxAbsDiff };
  const at = `${path}${indexAt(first, want.shape)}`;
  const firstDiff = `${at}: got ${fmt(got.data[first]!)}, want ${fmt(want.data[first]!)}`;
  let message =
    want.shape.length === 0
      ? `${path} is ${fmt(got.data[0]!)}, should be ${fmt(want.data[0]!)}`
      : `${path} differs from the reference (first at ${indexAt(first, want.shape)})`;
  if (badNonFinite >= 0) {
    const i = badNonFinite;
    const g = got.data[i]!;
    const at = `${path}${indexAt(i, want.shape)} is ${g} where the reference is ${fmt(want.data[i]!)}`;
    message = Number.isNaN(g)
      ? `${at}: an overflow (exp of a large number?) or a 0/0`
      : `${at}: masked or filtered out where it should stay, or an overflow`;
  } else if (scaled < 2) {
    // one number: no pattern to name
  } else if (constantScale && Number.isFinite(scale) && Math.abs(scale + 1) < 1e-3)
    message = `${path} is the reference with its sign flipped: a sign error`;
  else if (constantScale && Number.isFinite(scale) && scale !== 0 && Math.abs(scale - 1) > 1e-3)
    message = `${path} is the reference times ${fmt(scale)}: a missing or extra scale factor`;
  return { passed: false, shape, maxAbsDiff, firstDiff, message };
}

/** Compares `got` with `want` (structures of tensors, arrays, numbers, strings, Maps, objects). */
export function compareValues(got: unknown, want: unknown, tol: Tolerance, path = 'output'): Comparison {
  const wn = asNumeric(want);
  if (wn) {
    const gn = asNumeric(got);
    if (!gn)
      return {
        passed: false,
        shape: fmtShape(wn.shape),
        maxAbsDiff: Infinity,
        message: `${path} should be ${kindOf(want)}, not ${kindOf(got)}`,
      };
    return compareNumeric(gn, wn, tol, path);
  }
  if (typeof want === 'number') {
    if (typeof got !== 'number')
      return {
        passed: false,
        shape: 'number',
        maxAbsDiff: Infinity,
        message: `${path} should be a number, not ${kindOf(got)}`,
      };
    return compareNumeric({ shape: [], data: [got] }, { shape: [], data: [want] }, tol, path);
  }
  if (typeof want === 'string' || typeof want === 'boolean' || want === null || want === undefined) {
    const ok = got === want;
    return {
      passed: ok,
      shape: typeof want,
      maxAbsDiff: ok ? 0 : Infinity,
      ...(ok
        ? {}
        : {
            firstDiff: `${path}: got ${describeValue(got)}, want ${describeValue(want)}`,
            message: `${path} is ${describeValue(got)}, should be ${describeValue(want)}`,
          }),
    };
  }
  if (want instanceof Map) {
    if (!(got instanceof Map))
      return {
        passed: false,
        shape: `Map`,
        maxAbsDiff: Infinity,
        message: `${path} should be ${kindOf(want)}, not ${kindOf(got)}`,
      };
    for (const [k, v] of want) {
      if (!got.has(k))
        return {
          passed: false,
          shape: `Map(${want.size})`,
          maxAbsDiff: Infinity,
          message: `${path} is missing the key ${JSON.stringify(k)}`,
        };
      const c = compareValues(got.get(k), v, tol, `${path}.get(${JSON.stringify(k)})`);
      if (!c.passed) return { ...c, shape: `Map(${want.size})` };
    }
    for (const k of got.keys())
      if (!want.has(k))
        return {
          passed: false,
          shape: `Map(${want.size})`,
          maxAbsDiff: Infinity,
          message: `${path} has an extra key ${JSON.stringify(k)}`,
        };
    return { passed: true, shape: `Map(${want.size})`, maxAbsDiff: 0 };
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got))
      return {
        passed: false,
        shape: `[${want.length}]`,
        maxAbsDiff: Infinity,
        message: `${path} should be ${kindOf(want)}, not ${kindOf(got)}`,
      };
    if (got.length !== want.length)
      return {
        passed: false,
        shape: `[${want.length}]`,
        maxAbsDiff: Infinity,
        message: `${path} has ${got.length} elements, should have ${want.length}`,
      };
    let max = 0;
    const shapes: string[] = [];
    for (let i = 0; i < want.length; i++) {
      const c = compareValues(got[i], want[i], tol, `${path}[${i}]`);
      shapes.push(c.shape);
      if (!c.passed) return c;
      max = Math.max(max, c.maxAbsDiff);
    }
    const shape = want.length <= 4 ? shapes.join(' ') : `[${want.length}]`;
    return { passed: true, shape, maxAbsDiff: max };
  }
  if (typeof want === 'object') {
    if (typeof got !== 'object' || got === null)
      return {
        passed: false,
        shape: 'object',
        maxAbsDiff: Infinity,
        message: `${path} should be an object, not ${kindOf(got)}`,
      };
    let max = 0;
    for (const k of Object.keys(want as object)) {
      const c = compareValues(
        (got as Record<string, unknown>)[k],
        (want as Record<string, unknown>)[k],
        tol,
        `${path}.${k}`,
      );
      if (!c.passed) return { ...c, shape: 'object' };
      max = Math.max(max, c.maxAbsDiff);
    }
    return { passed: true, shape: 'object', maxAbsDiff: max };
  }
  return {
    passed: false,
    shape: typeof want,
    maxAbsDiff: Infinity,
    message: `${path}: cannot compare ${kindOf(got)}`,
  };
}

/** A deep copy of a case's arguments, so neither function sees the other's in-place changes. */
export function deepCopy<T>(v: T): T {
  if (v instanceof Tensor) return new Tensor(v.data.slice(), v.shape, v.requiresGrad) as T;
  if (isTypedArray(v)) return v.slice() as T;
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [deepCopy(k), deepCopy(x)])) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = deepCopy(x);
    return o as T;
  }
  return v; // numbers, strings, functions, class instances (models) are shared
}
