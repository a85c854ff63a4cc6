// Reference solution of causal-mask (chapter 4, section "Masks").

import { Tensor } from 'llm-from-scratch';

/** The causal mask (Tq, Tk): query i, at absolute position Tk - Tq + i, sees keys j <= Tk - Tq + i. */
export function causalMask(Tq: number, Tk: number): Tensor {
  const m = new Float32Array(Tq * Tk); // (Tq, Tk), all blocked
  const offset = Tk - Tq; // cached keys before the first query
  for (let i = 0; i < Tq; i++) {
    for (let j = 0; j <= offset + i; j++) m[i * Tk + j] = 1; // its own position and every earlier one
  }
  return new Tensor(m, [Tq, Tk]);
}
