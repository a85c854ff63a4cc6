// Chapter 3's checking helpers: the common wrong versions of a sinusoidal table and of RoPE,
// computed so a failing case can name the mistake (sin and cos swapped, sines and cosines in two
// halves, adjacent pairs instead of halves, rotation the wrong way).

import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';

/** Whether `got` (a tensor or numbers) equals `want` within 1e-4 absolute + relative. */
export function closeTo(got: unknown, want: ArrayLike<number>): boolean {
  const g = got instanceof Tensor ? got.data : ArrayBuffer.isView(got) ? (got as Float32Array) : null;
  if (!g || g.length !== want.length) return false;
  for (let i = 0; i < g.length; i++)
    if (!(Math.abs(g[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)))) return false;
  return true;
}

/** A (maxLen, d) sinusoidal table built a given (possibly wrong) way. */
export function sinusoidalVariant(
  maxLen: number,
  d: number,
  base: number,
  kind: 'swapped' | 'halves' | 'exponent-i',
): Float64Array {
  const out = new Float64Array(maxLen * d);
  for (let pos = 0; pos < maxLen; pos++)
    for (let i = 0; i < d / 2; i++) {
      const angle = pos / Math.pow(base, (kind === 'exponent-i' ? i : 2 * i) / d);
      const [s, c] = [Math.sin(angle), Math.cos(angle)];
      if (kind === 'halves') {
        out[pos * d + i] = s;
        out[pos * d + d / 2 + i] = c;
      } else {
        out[pos * d + 2 * i] = kind === 'swapped' ? c : s;
        out[pos * d + 2 * i + 1] = kind === 'swapped' ? s : c;
      }
    }
  return out;
}

/** What is wrong with a sinusoidal table, if it is one of the common mistakes; else null. */
export function diagnoseSinusoidal(got: unknown, maxLen: number, d: number, base: number): string | null {
  if (closeTo(got, sinusoidalVariant(maxLen, d, base, 'swapped')))
    return 'sin and cos are swapped: even channels 2i hold sin, odd channels 2i+1 hold cos';
  if (closeTo(got, sinusoidalVariant(maxLen, d, base, 'halves')))
    return (
      'you put all the sines in the first half and the cosines in the second (the tensor2tensor ' +
      'layout); this table interleaves them: channel 2i sin, channel 2i+1 cos'
    );
  if (closeTo(got, sinusoidalVariant(maxLen, d, base, 'exponent-i')))
    return 'the exponent is 2i/d, with i the pair index (channel 2i), not i/d';
  return null;
}

/** x, cos and sin broadcast together, as flat arrays of x's size. */
function broadcastTables(
  x: Tensor,
  cos: Tensor,
  sin: Tensor,
): [Float32Array | Float64Array, ArrayLike<number>, ArrayLike<number>] {
  return noGrad(() => [x.data, x.mul(0).add(cos).data, x.mul(0).add(sin).data]);
}

/** RoPE on adjacent pairs (2j, 2j+1) with angle j (RoFormer's and Meta's original layout). */
export function ropeInterleaved(x: Tensor, cos: Tensor, sin: Tensor): Float64Array {
  const [xd, c, s] = broadcastTables(x, cos, sin);
  const hs = x.shape[x.ndim - 1]!;
  const out = new Float64Array(xd.length);
  for (let r = 0; r < xd.length; r += hs)
    for (let j = 0; j < hs / 2; j++) {
      const [a, b] = [xd[r + 2 * j]!, xd[r + 2 * j + 1]!];
      out[r + 2 * j] = a * c[r + j]! - b * s[r + j]!;
      out[r + 2 * j + 1] = b * c[r + j]! + a * s[r + j]!;
    }
  return out;
}

/** RoPE with the rotation the wrong way: x ⊙ cos − rotateHalf(x) ⊙ sin. */
export function ropeBackwards(x: Tensor, cos: Tensor, sin: Tensor): Float64Array {
  const [xd, c, s] = broadcastTables(x, cos, sin);
  const hs = x.shape[x.ndim - 1]!;
  const half = hs / 2;
  const out = new Float64Array(xd.length);
  for (let r = 0; r < xd.length; r += hs)
    for (let i = 0; i < hs; i++) {
      const rot = i < half ? -xd[r + i + half]! : xd[r + i - half]!;
      out[r + i] = xd[r + i]! * c[r + i]! - rot * s[r + i]!;
    }
  return out;
}
