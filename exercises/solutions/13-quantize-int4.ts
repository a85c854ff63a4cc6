// Reference solution of quantize-int4 (chapter 13, section "Why int4 needs groups").

/** One scale (and zero point) per group of G; 4-bit codes packed low nibble first. */
export function quantizeInt4(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  o: { groupSize?: number; zeroPoint?: boolean } = {},
): {
  rows: number;
  cols: number;
  groupSize: number;
  packed: Uint8Array;
  scales: Float32Array;
  zeros: Uint8Array | null;
} {
  const G = o.groupSize ?? 32;
  const n = rows * cols;
  const scales = new Float32Array(n / G);
  const zeros = o.zeroPoint ? new Uint8Array(n / G) : null;
  const packed = new Uint8Array(n / 2);
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  for (let g = 0; g < n / G; g++) {
    const group = Array.from({ length: G }, (_, k) => w[g * G + k]);
    let code: (v: number) => number;
    if (zeros) {
      const [lo, hi] = [Math.min(...group), Math.max(...group)];
      const s = Math.fround((hi - lo) / 15);
      const z = s === 0 ? 0 : clamp(Math.round(-lo / s), 0, 15);
      [scales[g], zeros[g]] = [s, z];
      code = (v) => (s === 0 ? z : clamp(Math.round(v / s) + z, 0, 15));
    } else {
      const s = Math.fround(Math.max(...group.map(Math.abs)) / 7);
      scales[g] = s;
      code = (v) => (s === 0 ? 0 : clamp(Math.round(v / s), -8, 7)) + 8;
    }
    for (let k = 0; k < G; k++) {
      const i = g * G + k;
      packed[i >> 1] |= code(group[k]) << ((i & 1) * 4);
    }
  }
  return { rows, cols, groupSize: G, packed, scales, zeros };
}
