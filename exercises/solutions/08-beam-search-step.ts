// Reference solution of beam-search-step (chapter 8, section "Beam search").

import type { BeamCandidate } from 'llm-from-scratch';

/** log p = z - max - log Σ exp(z - max): the max keeps exp from overflowing. */
function logSoftmax(z: Float32Array): number[] {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  return Array.from(z, (v) => v - lse);
}

export function beamSearchStep(
  logits: Float32Array[],
  beamLogprobs: number[],
  perBeam: number,
): BeamCandidate[] {
  const candidates: BeamCandidate[] = [];
  logits.forEach((row, beam) => {
    const lp = logSoftmax(row);
    const best = lp
      .map((_, id) => id)
      .sort((a, b) => lp[b] - lp[a] || a - b) // most likely first, lower id on ties
      .slice(0, perBeam);
    for (const token of best) candidates.push({ beam, token, logprob: beamLogprobs[beam] + lp[token] });
  });
  return candidates.sort((a, b) => b.logprob - a.logprob); // stable: equal scores keep their order
}
