// Attention for a few queries (a decoding step: one new token per sequence), straight from the
// (B, T, n·hs) arrays, in f32x4: per query and head a row of scores q·k_j · scale, masked
// (causal edge, padding), its log-sum-exp L = m + log Σ_j exp(s_j - m) saved, and the output
// Σ_j p_j v_j with p_j = exp(s_j - m) / Σ. The plain reference it must equal is
// directAttentionForward in src/kernels/wasm/tiled-attention.ts (Vaswani et al., 2017, eq. 1).

import { hsum, madd } from './simd';
import { exp4, exp1 } from './vmath';

// q·k over hs floats: four lanes, then the last hs % 4 products.
@inline function dot(q: usize, k: usize, hs: i32): f32 {
  const hs4 = hs & ~3;
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c < hs4; c += 4) acc = madd(v128.load(q + <usize>c * 4), v128.load(k + <usize>c * 4), acc);
  let d = hsum(acc);
  for (; c < hs; c++) d += load<f32>(q + <usize>c * 4) * load<f32>(k + <usize>c * 4);
  return d;
}

/**
 * q, out (B, Tq, nh·hs); k, v (B, Tk, nkv·hs); lse (B, nh, Tq); mask (B, Tk) with 0 for padding, or
 * 0 for none; s: scratch of Tk floats. Query i sees keys up to Tk - Tq + i when causal (the
 * queries are the last Tq positions), all Tk otherwise. A query that sees no key gets L = -Infinity
 * and an output of zeros.
 */
export function attnDirect(
  q: usize,
  k: usize,
  v: usize,
  out: usize,
  lse: usize,
  B: i32,
  Tq: i32,
  Tk: i32,
  nh: i32,
  nkv: i32,
  hs: i32,
  scale: f32,
  causal: bool,
  mask: usize,
  s: usize,
): void {
  const group = nh / nkv;
  const hs4 = hs & ~3;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = h / group;
      for (let i = 0; i < Tq; i++) {
        const qo = q + <usize>(((b * Tq + i) * nh + h) * hs) * 4;
        const oo = out + <usize>(((b * Tq + i) * nh + h) * hs) * 4;
        const n = max(0, min(causal ? Tk - Tq + i : Tk - 1, Tk - 1) + 1); // keys 0..n-1
        // scores and their max
        let m: f32 = -Infinity;
        for (let j = 0; j < n; j++) {
          const ko = k + <usize>(((b * Tk + j) * nkv + kh) * hs) * 4;
          const hidden = mask != 0 && load<f32>(mask + <usize>(b * Tk + j) * 4) == 0;
          const x: f32 = hidden ? -Infinity : dot(qo, ko, hs) * scale;
          store<f32>(s + <usize>j * 4, x);
          m = max(m, x);
        }
        for (let c = 0; c < hs; c++) store<f32>(oo + <usize>c * 4, 0);
        const lo = lse + <usize>((b * nh + h) * Tq + i) * 4;
        if (m == -Infinity) {
          store<f32>(lo, -Infinity); // no key visible: no weight anywhere
          continue;
        }
        // e_j = exp(s_j - m) in place, l = Σ e_j (>= 1: the max contributes e^0)
        const mm = f32x4.splat(m);
        let lv = f32x4.splat(0);
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          const e = exp4(f32x4.sub(v128.load(s + <usize>j * 4), mm));
          v128.store(s + <usize>j * 4, e);
          lv = f32x4.add(lv, e);
        }
        let l = hsum(lv);
        for (; j < n; j++) {
          const e = exp1(load<f32>(s + <usize>j * 4) - m);
          store<f32>(s + <usize>j * 4, e);
          l += e;
        }
        store<f32>(lo, m + <f32>Math.log(<f64>l));
        // out = Σ_j (e_j / l) v_j
        const inv: f32 = 1 / l;
        for (j = 0; j < n; j++) {
          const p = load<f32>(s + <usize>j * 4) * inv;
          if (p == 0) continue; // (a hidden key: 0 · v would turn an inf in v into NaN)
          const vo = v + <usize>(((b * Tk + j) * nkv + kh) * hs) * 4;
          const pv = f32x4.splat(p);
          let c = 0;
          for (; c < hs4; c += 4) {
            const at = oo + <usize>c * 4;
            v128.store(at, madd(pv, v128.load(vo + <usize>c * 4), v128.load(at)));
          }
          for (; c < hs; c++) {
            const at = oo + <usize>c * 4;
            store<f32>(at, load<f32>(at) + p * load<f32>(vo + <usize>c * 4));
          }
        }
      }
    }
  }
}
