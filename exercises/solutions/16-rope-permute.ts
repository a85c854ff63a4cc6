// Reference solution of rope-permute (chapter 16, section "Two ways to pair the channels").

import { Tensor } from 'llm-from-scratch';

/** Meta's interleaved rows to HF's rotate_half order (or back), within each head. */
export function permuteForRotateHalf(w: Tensor, nHead: number, inverse = false): Tensor {
  const [rows, cols] = w.shape as [number, number];
  const hs = rows / nHead;
  const half = hs / 2;
  const out = new Float32Array(rows * cols);
  for (let h = 0; h < nHead; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const meta = h * hs + 2 * i + j;
        const hf = h * hs + j * half + i;
        const [from, to] = inverse ? [hf, meta] : [meta, hf];
        out.set(w.data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
  return new Tensor(out, [rows, cols]);
}
