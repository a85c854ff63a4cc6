// Plain float64 versions of the chapter 5 functions with one thing changed (eps outside the square
// root, the unbiased variance, the exact erf GELU, ...), so a failing case can say which common
// mistake the learner's output matches.

import type { Tensor } from '../../tensor/tensor.js';
import type { Rng } from '../../tensor/rng.js';
import { randn } from '../helpers.js';

/** Whether `got` (a tensor) equals `want` within a loose tolerance. */
export function matches(got: unknown, want: ArrayLike<number>, rtol = 1e-3): boolean {
  const g = got as Tensor;
  if (!g || !g.data || g.data.length !== want.length) return false;
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(g.data[i]! - want[i]!) <= 1e-4 + rtol * Math.abs(want[i]!))) return false;
  return true;
}

export interface NormVariant {
  /** Divide the summed squares by C - 1 (torch.var's default) instead of C. */
  unbiased?: boolean;
  /** sqrt(var) + eps instead of sqrt(var + eps). */
  epsOutside?: boolean;
  /** Leave out eps. */
  noEps?: boolean;
  /** RMSNorm: the root of the sum of squares instead of their mean. */
  sumNotMean?: boolean;
  /** Leave out the weight and bias. */
  noAffine?: boolean;
}

/** Layer norm (or, with `rms`, RMS norm) over the last axis of x, in float64, with a variant. */
export function normVariant(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
  v: NormVariant,
  rms = false,
): Float64Array {
  const C = x.shape[x.ndim - 1]!;
  const rows = x.size / C;
  const y = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    if (!rms) {
      for (let c = 0; c < C; c++) mean += x.data[r * C + c]!;
      mean /= C;
    }
    let ss = 0;
    for (let c = 0; c < C; c++) ss += (x.data[r * C + c]! - mean) ** 2;
    const n = v.sumNotMean ? 1 : v.unbiased ? C - 1 : C;
    const e = v.noEps ? 0 : eps;
    const denom = v.epsOutside ? Math.sqrt(ss / n) + e : Math.sqrt(ss / n + e);
    for (let c = 0; c < C; c++) {
      const h = (x.data[r * C + c]! - mean) / denom;
      const w = weight && !v.noAffine ? weight.data[c]! : 1;
      const b = bias && !v.noAffine ? bias.data[c]! : 0;
      y[r * C + c] = h * w + b;
    }
  }
  return y;
}

/** Names the norm mistake `got` matches, or null. */
export function diagnoseNorm(
  got: unknown,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
  rms = false,
): string | null {
  const tries: [NormVariant, string][] = [
    [{ epsOutside: true }, 'eps is outside the square root: divide by sqrt(var + eps), not sqrt(var) + eps'],
    [{ noEps: true }, 'eps is missing: divide by sqrt(var + eps)'],
    [
      { unbiased: true },
      "that is the unbiased variance (divided by C - 1, torch.var's default): layer norm uses the biased " +
        'one, the plain mean of the squared deviations (divide by C)',
    ],
    [
      { sumNotMean: true },
      'that divides by the root of the SUM of squares: RMSNorm uses their mean (divide by C)',
    ],
    [
      { noAffine: true },
      'the normalisation is right but the weight (and bias) are not applied: y = x̂ · w + b',
    ],
  ];
  for (const [v, msg] of tries) {
    if (v.sumNotMean && !rms) continue;
    if (v.unbiased && rms) continue;
    if (matches(got, normVariant(x, weight, bias, eps, v, rms))) return msg;
  }
  return null;
}

/** GELU, exact (with erf, approximated to 1.5e-7: Abramowitz & Stegun 7.1.26) or with tanh. */
export function geluVariant(x: ArrayLike<number>, exact: boolean): Float64Array {
  const erf = (z: number) => {
    const s = Math.sign(z);
    const a = Math.abs(z);
    const t = 1 / (1 + 0.3275911 * a);
    const p =
      t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return s * (1 - p * Math.exp(-a * a));
  };
  return Float64Array.from(x, (v) =>
    exact
      ? 0.5 * v * (1 + erf(v / Math.SQRT2))
      : 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
  );
}

/** A norm's weight near 1 and bias near 0, (C) each. */
export const affine = (rng: Rng, C: number): [Tensor, Tensor] => {
  const w = randn(rng, [C], { scale: 0.2 });
  const b = randn(rng, [C], { scale: 0.2 });
  for (let i = 0; i < C; i++) w.data[i] = w.data[i]! + 1;
  return [w, b];
};
