// Principal component analysis to 2-D (Pearson, 1901; Jolliffe, "Principal Component Analysis"):
// centre the n rows of X (n, d), form the covariance C = Xcᵀ Xc / (n - 1) (d, d), and project the
// rows on C's two leading eigenvectors. The eigenvectors come from block power iteration (orthogonal
// iteration, Golub & Van Loan §8.2.4) on a (d, 2) block, finished by a 2x2 Rayleigh-Ritz step, so
// two nearly equal eigenvalues still give the right plane. Deterministic: a fixed start block, and
// each component's sign chosen so its largest-|value| entry is positive (ties: the first such entry).

import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'pca-2d' (chapter 19): the rows of x (n, d) centred and projected on the two
     * leading eigenvectors of their covariance (divided by n - 1), each eigenvector's
     * largest-|value| entry positive; `iterations` may be left out.
     */
    pca2d(x: ArrayLike<number>, n: number, d: number): Pca2dResult;
  }
}

/** What an implementation of pca2d must give (the library's also counts its iterations). */
export type Pca2dResult = Omit<Pca2d, 'iterations'> & { iterations?: number };

export interface Pca2d {
  /** points[i] = [Xc[i]·v1, Xc[i]·v2]: row i's coordinates on the two components, (n, 2). */
  points: [number, number][];
  /** The two unit directions v1, v2 (d each), largest variance first. */
  components: [Float64Array, Float64Array];
  /** λ1, λ2: the variance along each component (eigenvalues of C). */
  variances: [number, number];
  /** λk / trace(C): the share of the total variance each component explains (0 when trace is 0). */
  explained: [number, number];
  /** Block power iterations taken (about log(tolerance) / log(λ3 / λ2)). */
  iterations: number;
}

/** Iterations of the block power method at most; it stops earlier once the block no longer moves. */
const MAX_ITERS = 5000;
const TOL = 1e-12;

/** C = Xcᵀ Xc / (n - 1) of row-major X (n, d), and the column means. */
function covariance(x: ArrayLike<number>, n: number, d: number): { cov: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] += row[a] * row[b];
  }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] = cov[a * d + b] / (n - 1);
  return { cov, mean };
}

function matVec(m: Float64Array, v: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = 0; b < d; b++) s += m[a * d + b] * v[b];
    out[a] = s;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** v / ||v||, in place; a vanished v (a rank-deficient C) becomes the first axis not along `other`. */
function normalise(v: Float64Array, other?: Float64Array): void {
  let n = Math.sqrt(dot(v, v));
  for (let k = 0; n < 1e-150 && k < v.length; k++) {
    v.fill(0);
    v[k] = 1;
    if (other) for (let j = 0; j < v.length; j++) v[j] -= other[k] * other[j];
    n = Math.sqrt(dot(v, v));
    if (n < 0.5) n = 0; // too close to `other`: try the next axis (one of any two axes will do)
  }
  for (let j = 0; j < v.length; j++) v[j] /= n;
}

/** Gram-Schmidt on two vectors, in place: u normalised, then w made orthogonal to u and normalised. */
function orthonormalise(u: Float64Array, w: Float64Array): void {
  normalise(u);
  const p = dot(u, w);
  for (let j = 0; j < w.length; j++) w[j] -= p * u[j];
  normalise(w, u);
}

/** The deterministic start block: two fixed, generic (non-axis) vectors, orthonormalised. */
function startBlock(d: number): [Float64Array, Float64Array] {
  const u = Float64Array.from({ length: d }, (_, j) => Math.sin(1.3 * j + 0.7) + 1.1);
  const w = Float64Array.from({ length: d }, (_, j) => Math.cos(2.9 * j + 0.3) - 0.2);
  orthonormalise(u, w);
  return [u, w];
}

/** Sign convention: the entry of largest |value| is positive (the first one on a tie). */
function fixSign(v: Float64Array): void {
  let k = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[k]) + 1e-12) k = j;
  if (v[k] < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j];
}

/**
 * The two leading principal components of the rows of `x` (row-major, n rows of d values).
 * Needs n >= 2 and d >= 2.
 */
export const pca2d = exercisable('pca2d', pca2dReference) as (
  x: ArrayLike<number>,
  n: number,
  d: number,
) => Pca2dResult;

/** The library's pca2d: block power iteration, then the 2x2 Rayleigh-Ritz step. */
function pca2dReference(x: ArrayLike<number>, n: number, d: number): Pca2d {
  if (!(Number.isInteger(n) && Number.isInteger(d) && n >= 2 && d >= 2))
    throw new LlmfsError(`pca2d: needs at least 2 rows and 2 columns, got (${n}, ${d})`);
  if (x.length !== n * d) throw new LlmfsError(`pca2d: ${x.length} values do not make a (${n}, ${d}) matrix`);
  const { cov, mean } = covariance(x, n, d);
  let [u, w] = startBlock(d);
  let h = [0, 0, 0]; // the 2x2 Ritz matrix Qᵀ C Q: [h00, h01, h11]
  let it = 0;
  for (; it < MAX_ITERS; it++) {
    const cu = matVec(cov, u, d);
    const cw = matVec(cov, w, d);
    const next = [dot(u, cu), dot(u, cw), dot(w, cw)];
    // The block has converged when C Q stays in span(Q): the residual C Q - Q H is ~0.
    let res = 0;
    for (let j = 0; j < d; j++) {
      res += (cu[j] - next[0] * u[j] - next[1] * w[j]) ** 2;
      res += (cw[j] - next[1] * u[j] - next[2] * w[j]) ** 2;
    }
    h = next;
    const scale = Math.max(Math.abs(h[0]) + Math.abs(h[2]), 1e-300);
    if (Math.sqrt(res) <= TOL * scale) break;
    orthonormalise(cu, cw);
    [u, w] = [cu, cw];
  }
  // Rayleigh-Ritz: rotate the plane's basis onto the eigenvectors of the 2x2 H (Jacobi angle θ,
  // tan 2θ = 2 h01 / (h00 - h11)), so v1 carries the larger eigenvalue.
  const theta = 0.5 * Math.atan2(2 * h[1], h[0] - h[2]);
  const [c, s] = [Math.cos(theta), Math.sin(theta)];
  const v1 = Float64Array.from(u, (uj, j) => c * uj + s * w[j]);
  const v2 = Float64Array.from(u, (uj, j) => -s * uj + c * w[j]);
  fixSign(v1);
  fixSign(v2);
  const lambda1 = dot(v1, matVec(cov, v1, d));
  const lambda2 = dot(v2, matVec(cov, v2, d));
  let trace = 0;
  for (let j = 0; j < d; j++) trace += cov[j * d + j];
  const points: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    let p1 = 0;
    let p2 = 0;
    for (let j = 0; j < d; j++) {
      const xc = x[i * d + j] - mean[j];
      p1 += xc * v1[j];
      p2 += xc * v2[j];
    }
    points.push([p1, p2]);
  }
  return {
    points,
    components: [v1, v2],
    variances: [lambda1, lambda2],
    explained: trace > 0 ? [lambda1 / trace, lambda2 / trace] : [0, 0],
    iterations: it,
  };
}
