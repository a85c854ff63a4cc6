// Layer norm over the rows of a (rows, cols) block in f32x4 (Ba, Kiros & Hinton, 2016):
//   y = (x - mean) rstd w + b,  rstd = 1 / sqrt(var + eps), var the population variance.
// Backward with xhat = (x - mean) rstd, g = dy w: dx = rstd (g - mean(g) - xhat mean(g xhat)),
// dw += sum_rows dy xhat, db += sum_rows dy. A null w, b, dw or db is passed as address 0.

import { hsum } from './simd';

export function layerNormForward(x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, rows: i32, cols: i32, eps: f32): void {
  const n = <f32>cols;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * cols) * 4;
    const yr = y + <usize>(r * cols) * 4;
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) sv = f32x4.add(sv, v128.load(xr + <usize>j * 4));
    let s = hsum(sv);
    for (; j < cols; j++) s += load<f32>(xr + <usize>j * 4);
    const m = s / n;
    const mv = f32x4.splat(m);
    let vv = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const d = f32x4.sub(v128.load(xr + <usize>j * 4), mv);
      vv = f32x4.add(vv, f32x4.mul(d, d));
    }
    let v = hsum(vv);
    for (; j < cols; j++) {
      const d = load<f32>(xr + <usize>j * 4) - m;
      v += d * d;
    }
    const rs = <f32>(1 / Math.sqrt(<f64>(v / n) + <f64>eps));
    store<f32>(mean + <usize>r * 4, m);
    store<f32>(rstd + <usize>r * 4, rs);
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = <usize>j * 4;
      let h = f32x4.mul(f32x4.sub(v128.load(xr + p), mv), rv);
      if (w) h = f32x4.mul(h, v128.load(w + p));
      if (b) h = f32x4.add(h, v128.load(b + p));
      v128.store(yr + p, h);
    }
    for (; j < cols; j++) {
      const p = <usize>j * 4;
      let h = (load<f32>(xr + p) - m) * rs;
      if (w) h *= load<f32>(w + p);
      if (b) h += load<f32>(b + p);
      store<f32>(yr + p, h);
    }
  }
}

export function layerNormBackward(dy: usize, x: usize, w: usize, mean: usize, rstd: usize, dx: usize, dw: usize, db: usize, rows: i32, cols: i32): void {
  const n = <f32>cols;
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) * 4;
    const m = load<f32>(mean + <usize>r * 4);
    const s = load<f32>(rstd + <usize>r * 4);
    const mv = f32x4.splat(m);
    const sv = f32x4.splat(s);
    let gv = f32x4.splat(0);
    let gxv = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = <usize>j * 4;
      const d = v128.load(dy + o + p);
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + o + p), mv), sv);
      const g = w ? f32x4.mul(d, v128.load(w + p)) : d;
      gv = f32x4.add(gv, g);
      gxv = f32x4.add(gxv, f32x4.mul(g, xhat));
      if (dw) v128.store(dw + p, f32x4.add(v128.load(dw + p), f32x4.mul(d, xhat)));
      if (db) v128.store(db + p, f32x4.add(v128.load(db + p), d));
    }
    let meanG = hsum(gv);
    let meanGX = hsum(gxv);
    for (; j < cols; j++) {
      const p = <usize>j * 4;
      const d = load<f32>(dy + o + p);
      const xhat = (load<f32>(x + o + p) - m) * s;
      const g = w ? d * load<f32>(w + p) : d;
      meanG += g;
      meanGX += g * xhat;
      if (dw) store<f32>(dw + p, load<f32>(dw + p) + d * xhat);
      if (db) store<f32>(db + p, load<f32>(db + p) + d);
    }
    meanG /= n;
    meanGX /= n;
    const mg = f32x4.splat(meanG);
    const mgx = f32x4.splat(meanGX);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = <usize>j * 4;
      const d = v128.load(dy + o + p);
      const xhat = f32x4.mul(f32x4.sub(v128.load(x + o + p), mv), sv);
      const g = w ? f32x4.mul(d, v128.load(w + p)) : d;
      v128.store(dx + o + p, f32x4.mul(sv, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xhat, mgx))));
    }
    for (; j < cols; j++) {
      const p = <usize>j * 4;
      const d = load<f32>(dy + o + p);
      const xhat = (load<f32>(x + o + p) - m) * s;
      const g = w ? d * load<f32>(w + p) : d;
      store<f32>(dx + o + p, s * (g - meanG - xhat * meanGX));
    }
  }
}
