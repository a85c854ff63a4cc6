// exp on four floats at once, after Cephes' expf: write x = n ln2 + r with |r| <= ln2/2, take
// e^r from a degree-6 polynomial (relative error ~1e-7) and build 2^n in the exponent bits.
// Below -87.3 the result is exactly 0 (so a -Infinity mask gives 0); NaN stays NaN.

import { madd } from './simd';

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375; // ln 2 split so n·LN2_HI is exact for |n| < 2^9
const LN2_LO: f32 = -2.12194440e-4;
const HI: f32 = 88.3762626647949;
const LO: f32 = -87.3365478515625; // e^LO is the smallest normal float

export function exp4(x: v128): v128 {
  const keep = f32x4.ge(x, f32x4.splat(LO)); // false for x < LO and for NaN
  const isNaN = f32x4.ne(x, x);
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(HI)), f32x4.splat(LO));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  // 2^n: n + 127 in the exponent field; n in [-126, 128), so split 2^n = 2^(n/2)·2^(n - n/2) to
  // stay finite at the top of the range
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const h = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(h, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), i32x4.splat(127)), 23);
  const y = f32x4.mul(f32x4.mul(p, s1), s2);
  return v128.or(v128.and(y, keep), v128.and(x, isNaN));
}

@inline export function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** (1 + tanh u) / 2 = e^{2u} / (e^{2u} + 1): no cancellation where tanh u is near -1. */
@inline export function halfOnePlusTanh4(u: v128): v128 {
  const e = exp4(f32x4.add(u, u));
  return f32x4.div(e, f32x4.add(e, f32x4.splat(1)));
}

