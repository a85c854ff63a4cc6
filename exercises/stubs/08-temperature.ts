// Exercise temperature (chapter 8, section "The strategies").
// Check it with: llmfs exercise check temperature

/**
 * Temperature: sampling draws from p_i ∝ exp(z_i / T), so the logits are divided by T:
 *
 *     z_i ← z_i / t
 *
 * T < 1 sharpens the distribution, T > 1 flattens it. `logits` has length V; a -Infinity logit
 * (a removed token) stays -Infinity. You may change `logits` in place and return it, or return a
 * new Float64Array of the same length.
 */
export function applyTemperature(logits: Float64Array, t: number): Float64Array {
  // TODO: divide every logit by t.
  throw new Error('not implemented yet');
}
