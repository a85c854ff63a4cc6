// Reference solution of bilinear-resize (chapter 17, section "Reading images").

/** Output index o of an axis of `n` in, `m` out: the two input indices and the weight of the second. */
function axis(o: number, n: number, m: number): [number, number, number] {
  const s = Math.max(((o + 0.5) * n) / m - 0.5, 0); // pixel centres map to pixel centres
  const lo = Math.min(Math.floor(s), n - 1);
  return [lo, Math.min(lo + 1, n - 1), s - lo];
}

/** (H, W, C) -> (outH, outW, C), F.interpolate(mode='bilinear', align_corners=False). */
export function resizeBilinear(
  src: ArrayLike<number>,
  H: number,
  W: number,
  C: number,
  outH: number,
  outW: number,
): Float64Array {
  const out = new Float64Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const [y0, y1, wy] = axis(y, H, outH);
    for (let x = 0; x < outW; x++) {
      const [x0, x1, wx] = axis(x, W, outW);
      for (let c = 0; c < C; c++) {
        const p = (yy: number, xx: number) => src[(yy * W + xx) * C + c]!;
        const top = (1 - wx) * p(y0, x0) + wx * p(y0, x1);
        const bottom = (1 - wx) * p(y1, x0) + wx * p(y1, x1);
        out[(y * outW + x) * C + c] = (1 - wy) * top + wy * bottom;
      }
    }
  }
  return out;
}
