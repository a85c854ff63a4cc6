// Exercise causal-mask (chapter 4, section "Masks").
// Check it with: llmfs exercise check causal-mask

import { Tensor } from 'llm-from-scratch';

/**
 * The causal mask (Tq, Tk): 1 where query i may attend to key j, 0 where it is blocked.
 *
 * The Tq queries are the LAST Tq of Tk positions (with a KV cache, Tk - Tq keys came before them),
 * so query i sits at absolute position Tk - Tq + i and may see every key up to its own position:
 *
 *     mask[i, j] = 1  if  j <= Tk - Tq + i,   else 0
 *
 * Without a cache (Tq = Tk) this is the lower triangle, diagonal included (a token sees itself).
 * Build it in a Float32Array of Tq * Tk values (row-major: mask[i, j] is at i * Tk + j) and
 * return new Tensor(data, [Tq, Tk]).
 */
export function causalMask(Tq: number, Tk: number): Tensor {
  // TODO: fill the allowed positions with 1 and return a (Tq, Tk) tensor.
  throw new Error('not implemented yet');
}
