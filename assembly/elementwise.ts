// Elementwise kernels in f32x4: GELU (tanh form, Hendrycks & Gimpel 2016) forward and backward,
// the common broadcast cases of a binary op, and the AdamW update (Loshchilov & Hutter, 2019,
// with torch.optim.AdamW's bias correction). Each is a vector body and a scalar tail.

import { madd } from './simd';
import { exp4, halfOnePlusTanh4 } from './vmath';

const C: f32 = 0.7978845608028654; // sqrt(2/pi)
const A: f32 = 0.044715;

// gelu(x) = 0.5 x (1 + tanh u), u = C (x + A x^3). With e = exp(2u), s = (1 + tanh u)/2 = e/(e+1)
// and q = (1 - tanh u)/2 = 1/(e+1) are computed without cancellation, so the tails stay accurate:
// gelu(x) = x s,  gelu'(x) = s + 2 x s q C (1 + 3 A x^2)   (since 1 - tanh^2 u = 4 s q)
@inline function gelu4(v: v128): v128 {
  const u = f32x4.mul(f32x4.splat(C), madd(f32x4.mul(f32x4.splat(A), f32x4.mul(v, v)), v, v));
  return f32x4.mul(v, halfOnePlusTanh4(u));
}

@inline function geluGrad4(v: v128): v128 {
  const x2 = f32x4.mul(v, v);
  const u = f32x4.mul(f32x4.splat(C), madd(f32x4.mul(f32x4.splat(A), x2), v, v));
  const e = exp4(f32x4.add(u, u));
  const q = f32x4.div(f32x4.splat(1), f32x4.add(e, f32x4.splat(1)));
  const s = f32x4.mul(e, q);
  const inner = f32x4.mul(f32x4.splat(2 * C), madd(f32x4.splat(3 * A), x2, f32x4.splat(1)));
  return madd(f32x4.mul(v, f32x4.mul(s, q)), inner, s);
}

/** Loads lanes [i, i+4) of x, or the tail [i, n) padded with zeros. */
@inline function load4(x: usize, i: i32, n: i32): v128 {
  if (i + 4 <= n) return v128.load(x + <usize>i * 4);
  let v = f32x4.splat(0);
  if (i < n) v = f32x4.replace_lane(v, 0, load<f32>(x + <usize>i * 4));
  if (i + 1 < n) v = f32x4.replace_lane(v, 1, load<f32>(x + <usize>(i + 1) * 4));
  if (i + 2 < n) v = f32x4.replace_lane(v, 2, load<f32>(x + <usize>(i + 2) * 4));
  return v;
}

@inline function store4(y: usize, i: i32, n: i32, v: v128): void {
  if (i + 4 <= n) { v128.store(y + <usize>i * 4, v); return; }
  if (i < n) store<f32>(y + <usize>i * 4, f32x4.extract_lane(v, 0));
  if (i + 1 < n) store<f32>(y + <usize>(i + 1) * 4, f32x4.extract_lane(v, 1));
  if (i + 2 < n) store<f32>(y + <usize>(i + 2) * 4, f32x4.extract_lane(v, 2));
}

export function geluTanhForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) store4(y, i, n, gelu4(load4(x, i, n)));
}

export function geluTanhBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) store4(dx, i, n, f32x4.mul(load4(dy, i, n), geluGrad4(load4(x, i, n))));
}

// Binary ops, codes as BINARY_OPS in src/kernels/wasm/elementwise.ts.
@inline function apply(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    case 4: return f32x4.max(a, b);
    default: return f32x4.min(a, b);
  }
}

/**
 * out (rows, cols) = a op b, each operand read by its mode: 0 a full (rows, cols) block,
 * 1 a single value, 2 a row of cols values repeated on every row, 3 one value per row.
 */
export function binary(op: i32, a: usize, aMode: i32, b: usize, bMode: i32, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const ar = aMode == 0 ? a + <usize>(r * cols) * 4 : aMode == 3 ? a + <usize>r * 4 : a;
    const br = bMode == 0 ? b + <usize>(r * cols) * 4 : bMode == 3 ? b + <usize>r * 4 : b;
    const or = out + <usize>(r * cols) * 4;
    const aSplat = aMode == 1 || aMode == 3;
    const bSplat = bMode == 1 || bMode == 3;
    const as = f32x4.splat(load<f32>(ar));
    const bs = f32x4.splat(load<f32>(br));
    for (let j = 0; j < cols; j += 4) {
      const av = aSplat ? as : load4(ar, j, cols);
      const bv = bSplat ? bs : load4(br, j, cols);
      store4(or, j, cols, apply(op, av, bv));
    }
  }
}

/**
 * One AdamW step on n parameters, in place: p = decay p; m = b1 m + c1 g; v = b2 v + c2 g^2;
 * p -= stepSize m / (sqrt(v ibc2) + eps). The caller computes the scalars in double precision:
 * c = 1 - beta, decay = 1 - lr wd, stepSize = lr / (1 - b1^t), ibc2 = 1 / (1 - b2^t).
 */
export function adamw(p: usize, g: usize, m: usize, v: usize, n: i32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, decay: f32, stepSize: f32, ibc2: f32): void {
  const b1v = f32x4.splat(b1), c1v = f32x4.splat(c1);
  const b2v = f32x4.splat(b2), c2v = f32x4.splat(c2);
  const dv = f32x4.splat(decay), sv = f32x4.splat(stepSize), iv = f32x4.splat(ibc2), ev = f32x4.splat(eps);
  for (let i = 0; i < n; i += 4) {
    const gi = load4(g, i, n);
    const mi = madd(b1v, load4(m, i, n), f32x4.mul(c1v, gi));
    const vi = madd(b2v, load4(v, i, n), f32x4.mul(c2v, f32x4.mul(gi, gi)));
    const denom = f32x4.add(f32x4.sqrt(f32x4.mul(vi, iv)), ev);
    const pi = f32x4.sub(f32x4.mul(load4(p, i, n), dv), f32x4.div(f32x4.mul(sv, mi), denom));
    store4(m, i, n, mi);
    store4(v, i, n, vi);
    store4(p, i, n, pi);
  }
}
