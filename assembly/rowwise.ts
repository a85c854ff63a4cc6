// Row-wise kernels on (rows, cols) blocks in f32x4: softmax and log-softmax (max-shifted, as
// the reference in src/kernels/js/softmax.ts) and layer norm (Ba, Kiros & Hinton, 2016), each
// forward beside its backward. Every row is a vector body of 4 columns and a scalar tail.

import { hsum, hmax } from './simd';
import { exp4, exp1 } from './vmath';

@inline function rowMax(x: usize, cols: i32): f32 {
  let j = 0;
  let mv = f32x4.splat(-Infinity);
  for (; j + 4 <= cols; j += 4) mv = f32x4.max(mv, v128.load(x + <usize>j * 4));
  let m = hmax(mv);
  for (; j < cols; j++) m = max(m, load<f32>(x + <usize>j * 4));
  return m == -Infinity ? 0 : m; // a fully masked row: every exp is 0
}

export function softmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * cols) * 4;
    const yr = y + <usize>(r * cols) * 4;
    const m = rowMax(xr, cols);
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const e = exp4(f32x4.sub(v128.load(xr + <usize>j * 4), mv));
      v128.store(yr + <usize>j * 4, e);
      sv = f32x4.add(sv, e);
    }
    let s = hsum(sv);
    for (; j < cols; j++) {
      const e = exp1(load<f32>(xr + <usize>j * 4) - m);
      store<f32>(yr + <usize>j * 4, e);
      s += e;
    }
    const inv: f32 = s > 0 ? 1 / s : 0;
    const iv = f32x4.splat(inv);
    j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(yr + <usize>j * 4, f32x4.mul(v128.load(yr + <usize>j * 4), iv));
    for (; j < cols; j++) store<f32>(yr + <usize>j * 4, load<f32>(yr + <usize>j * 4) * inv);
  }
}

// dx_j = y_j (dy_j - sum_k dy_k y_k)
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) * 4;
    let dv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) dv = f32x4.add(dv, f32x4.mul(v128.load(dy + o + <usize>j * 4), v128.load(y + o + <usize>j * 4)));
    let dot = hsum(dv);
    for (; j < cols; j++) dot += load<f32>(dy + o + <usize>j * 4) * load<f32>(y + o + <usize>j * 4);
    const dotv = f32x4.splat(dot);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = o + <usize>j * 4;
      v128.store(dx + p, f32x4.mul(v128.load(y + p), f32x4.sub(v128.load(dy + p), dotv)));
    }
    for (; j < cols; j++) {
      const p = o + <usize>j * 4;
      store<f32>(dx + p, load<f32>(y + p) * (load<f32>(dy + p) - dot));
    }
  }
}

// log softmax(x)_j = x_j - m - log sum_k exp(x_k - m)
export function logSoftmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * cols) * 4;
    const yr = y + <usize>(r * cols) * 4;
    const m = rowMax(xr, cols);
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) sv = f32x4.add(sv, exp4(f32x4.sub(v128.load(xr + <usize>j * 4), mv)));
    let s = hsum(sv);
    for (; j < cols; j++) s += exp1(load<f32>(xr + <usize>j * 4) - m);
    const lse = m + <f32>Math.log(<f64>s);
    const lv = f32x4.splat(lse);
    j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(yr + <usize>j * 4, f32x4.sub(v128.load(xr + <usize>j * 4), lv));
    for (; j < cols; j++) store<f32>(yr + <usize>j * 4, load<f32>(xr + <usize>j * 4) - lse);
  }
}

// dx_j = dy_j - exp(y_j) sum_k dy_k
export function logSoftmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) * 4;
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) sv = f32x4.add(sv, v128.load(dy + o + <usize>j * 4));
    let s = hsum(sv);
    for (; j < cols; j++) s += load<f32>(dy + o + <usize>j * 4);
    const svv = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = o + <usize>j * 4;
      v128.store(dx + p, f32x4.sub(v128.load(dy + p), f32x4.mul(exp4(v128.load(y + p)), svv)));
    }
    for (; j < cols; j++) {
      const p = o + <usize>j * 4;
      store<f32>(dx + p, load<f32>(dy + p) - exp1(load<f32>(y + p)) * s);
    }
  }
}
