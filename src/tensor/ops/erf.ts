// The error function erf(x) = 2/sqrt(pi) ∫_0^x exp(-t^2) dt, to double precision, for the exact
// GELU beside it (unary.ts). For |x| < 3 the everywhere-positive series (Abramowitz & Stegun 7.1.6)
//   erf(x) = 2/sqrt(pi) exp(-x^2) Σ_n 2^n x^(2n+1) / (1·3·…·(2n+1))
// has no cancellation; beyond, erfc by its continued fraction (A&S 7.1.14), evaluated bottom-up.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x); // erfc(6) ≈ 2e-17: below double resolution next to 1
  if (ax < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 0; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 3);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
