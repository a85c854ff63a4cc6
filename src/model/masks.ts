// Attention masks, as 1 = "may attend" and 0 = "blocked" (PyTorch's boolean attn_mask
// convention). Blocked scores are set to -inf before the softmax, so they get weight 0.

import { Tensor } from '../tensor/tensor.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'causal-mask' (chapter 4): the (Tq, Tk) causal mask, 1 where query i (at absolute
     * position Tk - Tq + i) may attend to key j (j <= Tk - Tq + i), 0 elsewhere.
     */
    causalMask(Tq: number, Tk: number): Tensor;
  }
}

const causalMaskSlot = exercisable('causalMask', (Tq: number, Tk: number): Tensor => {
  const m = new Float32Array(Tq * Tk);
  const offset = Tk - Tq;
  for (let i = 0; i < Tq; i++) for (let j = 0; j <= i + offset; j++) m[i * Tk + j] = 1;
  return new Tensor(m, [Tq, Tk]);
});

/**
 * Causal mask (Tq, Tk): query i sits at absolute position (Tk - Tq + i) and may attend to keys
 * at positions up to its own. With Tq = Tk this is the lower triangle; with a KV cache the new
 * queries come after the cached keys.
 */
export function causalMask(Tq: number, Tk = Tq): Tensor {
  if (Tk < Tq) throw new LlmfsError(`causalMask: ${Tq} queries cannot come after only ${Tk} keys`);
  return causalMaskSlot(Tq, Tk);
}

/**
 * Key-padding mask (B, 1, 1, T) from the true length of each sequence: keys at positions >= its
 * length are padding and blocked. Broadcasts against scores (B, nh, Tq, T).
 */
export function paddingMask(lengths: readonly number[], T: number): Tensor {
  const m = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 0 || len > T)
      throw new LlmfsError(`paddingMask: length ${len} of sequence ${b} is not in [0, ${T}]`);
    m.fill(1, b * T, b * T + len);
  });
  return new Tensor(m, [lengths.length, 1, 1, T]);
}

/** Both conditions at once: elementwise product of masks that broadcast together. */
export function combineMasks(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  return a.mul(b);
}
