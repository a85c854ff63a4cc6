// Exercise beam-search-step (chapter 8, section "Beam search").
// Check it with: llmfs exercise check beam-search-step

import type { BeamCandidate } from 'llm-from-scratch';

/**
 * One step of beam search. Beam r has log-probability beamLogprobs[r] so far and next-token
 * logits logits[r] (length V). Each beam is extended by its `perBeam` most likely tokens (all V
 * if perBeam > V; lower id first on equal scores), and each extension is scored
 *
 *     score(r, token) = beamLogprobs[r] + log softmax(logits[r])[token]
 *
 * Return every candidate { beam, token, logprob: score }, sorted best first; on equal scores keep
 * the order they were made in (beam 0 first, then by rank within the beam): a stable sort.
 * (The library then keeps the best `beams` of them, setting aside those that end the text.)
 */
export function beamSearchStep(
  logits: Float32Array[],
  beamLogprobs: number[],
  perBeam: number,
): BeamCandidate[] {
  // logits: one row (V) per beam; beamLogprobs: one number per beam
  // TODO: log-softmax each row, take its perBeam best tokens, score them, sort all candidates.
  throw new Error('not implemented yet');
}
