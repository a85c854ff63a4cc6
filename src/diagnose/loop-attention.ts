// Why greedy decoding loops, measured on the loop itself. Greedy decoding is a deterministic
// function of the context: if a stretch of output leads back to a context the model has already
// seen (or one it treats the same way, because it mostly reads the last few tokens), it makes the
// same choice again, and the cycle closes. Two things then keep it closed (the self-reinforcement
// effect of Xu et al., 2022, "Learning to Break the Loop"):
//   - each cycle adds another copy of the cycle to the context, and heads that attend to earlier
//     occurrences of the current phrase copy what came next there (the induction/copying
//     behaviour of Olsson et al., 2022);
//   - the probability of repeating does not fall as the cycles pile up (for large models it rises
//     towards 1).
// This file measures the first: for a sequence that ends in a loop of period p starting at
// absolute position s, and for each query i in the second and later cycles (i >= s + p), the
// attention mass a head puts on the keys j in the loop (s <= j < i) at the same phase as the
// token it is about to predict, j ≡ i + 1 (mod p): the earlier copies of "what comes next". A head
// that ignored the loop would put on them the share of keys they are, k_i / (i + 1) (the uniform
// baseline); the ratio of the two is the head's pull towards the previous cycles.

import type { GPT } from '../model/gpt.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';

export interface LoopAttention {
  /** phase[l][h]: mean attention mass on the earlier copies of the next token's phase. */
  phase: number[][];
  /** The same mass under uniform causal attention (the same for every head). */
  uniform: number;
  /** The head with the largest phase / uniform ratio. */
  layer: number;
  head: number;
  /** That head's (T, T) attention over the last `window` positions, NaN above the diagonal. */
  pattern: number[][];
  /** First absolute position of `pattern`'s window. */
  windowStart: number;
}

/**
 * `ids` is the whole sequence (prompt + generated), `start` the absolute position where the loop
 * begins and `period` its length; `window` bounds the picture (default 48 positions).
 */
export function loopAttention(
  model: GPT,
  ids: readonly number[],
  start: number,
  period: number,
  window = 48,
): LoopAttention {
  const T = ids.length;
  const atts: Tensor[] = []; // per layer (1, nh, T, T)
  const wasTraining = model.training;
  model.eval();
  noGrad(() => model.forward(new Tensor(Float32Array.from(ids), [1, T]), { recordAttention: atts }));
  if (wasTraining) model.train();
  const queries: number[] = [];
  for (let i = start + period; i < T; i++) queries.push(i);
  // The keys at the next token's phase: j in [start, i) with (j - i - 1) divisible by period.
  const keysOf = (i: number) => {
    const ks: number[] = [];
    for (let j = start + ((((i + 1 - start) % period) + period) % period); j < i; j += period) ks.push(j);
    return ks;
  };
  const n = Math.max(queries.length, 1);
  const uniform = queries.reduce((a, i) => a + keysOf(i).length / (i + 1), 0) / n;
  const phase = atts.map((a) => {
    const w = a.contiguous().data;
    return Array.from({ length: a.shape[1] }, (_, h) => {
      let m = 0;
      for (const i of queries) for (const j of keysOf(i)) m += w[(h * T + i) * T + j];
      return m / n;
    });
  });
  let layer = 0;
  let head = 0;
  phase.forEach((row, l) =>
    row.forEach((v, h) => {
      if (v > phase[layer][head]) [layer, head] = [l, h];
    }),
  );
  const w = atts[layer].contiguous().data;
  const windowStart = Math.max(0, T - window);
  const pattern: number[][] = [];
  for (let i = windowStart; i < T; i++) {
    const row: number[] = [];
    for (let j = windowStart; j < T; j++) row.push(j <= i ? w[(head * T + i) * T + j] : NaN);
    pattern.push(row);
  }
  return { phase, uniform, layer, head, pattern, windowStart };
}
