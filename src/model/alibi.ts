// ALiBi, attention with linear biases (Press et al., 2022, "Train Short, Test Long", section 3):
// no position embeddings at all; instead each head h adds a fixed penalty proportional to the
// distance between query and key to its scores before the softmax:
//   score_ij = q_i·k_j / sqrt(hs) - m_h · (i - j)      (j <= i, causal)
// The slopes m_h form a geometric sequence: for n heads, n a power of two, m_h = 2^(-8h/n),
// h = 1..n (n = 8: 1/2, 1/4, ..., 1/256). Otherwise (their reference code) take the slopes for the
// nearest lower power of two p, then every other slope of the 2p sequence for the rest.
// The bias depends only on i - j, so the same model reads contexts longer than it trained on.

import { Tensor } from '../tensor/tensor.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'alibi-slopes' (chapter 15): the n heads' ALiBi slopes, 2^(-8h/n) for n a power of two,
     * else the nearest lower power of two's slopes then every other slope of twice that many.
     */
    alibiSlopes(n: number): number[];
  }
}

/** m_h = 2^(-8h/n) for h = 1..n, n a power of two. */
function powerOfTwoSlopes(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 2 ** ((-8 * (i + 1)) / n));
}

/** The n heads' slopes, head 0 first (the steepest: head 0 looks most locally). */
export const alibiSlopes = exercisable('alibiSlopes', (n: number): number[] => {
  if (!Number.isInteger(n) || n <= 0) throw new LlmfsError(`ALiBi: number of heads must be >= 1, got ${n}`);
  const p = 2 ** Math.floor(Math.log2(n)); // the largest power of two <= n
  if (p === n) return powerOfTwoSlopes(n);
  const extra = powerOfTwoSlopes(2 * p).filter((_, i) => i % 2 === 0); // 2^(-8·1/2p), 2^(-8·3/2p), ...
  return [...powerOfTwoSlopes(p), ...extra.slice(0, n - p)];
});

/**
 * The bias added to the scores, (1, nh, Tq, Tk): -m_h · (pos_i - j), where query i sits at absolute
 * position pos_i = Tk - Tq + i (the queries come after Tk - Tq cached keys). Entries with j > pos_i
 * are positive but the causal mask removes them.
 */
export function alibiBias(slopes: readonly number[], Tq: number, Tk: number): Tensor {
  const nh = slopes.length;
  const b = new Float32Array(nh * Tq * Tk);
  const offset = Tk - Tq;
  for (let h = 0; h < nh; h++)
    for (let i = 0; i < Tq; i++)
      for (let j = 0; j < Tk; j++) b[(h * Tq + i) * Tk + j] = -slopes[h] * (offset + i - j);
  return new Tensor(b, [1, nh, Tq, Tk]);
}
