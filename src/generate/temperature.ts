// Temperature (Ackley, Hinton & Sejnowski, 1985; as used for sampling from neural language
// models): p_i ∝ exp(z_i / T). T < 1 sharpens the distribution towards the argmax, T > 1 flattens
// it towards uniform; T → 0 is greedy decoding, which the sampler handles as a special case.

import type { LogitsProcessor } from './processor.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'temperature' (chapter 8): the logits divided by t, z_i / t. May edit `logits` in
     * place; the processor copies what it returns back into the row.
     */
    applyTemperature(logits: Float64Array, t: number): Float64Array;
  }
}

const applyTemperature = exercisable('applyTemperature', (logits: Float64Array, t: number): Float64Array => {
  for (let i = 0; i < logits.length; i++) logits[i] /= t;
  return logits;
});

export function temperature(t: number): LogitsProcessor {
  if (!(t > 0) || !Number.isFinite(t))
    throw new LlmfsError(
      `temperature must be a positive number, got ${t} (use the greedy strategy for temperature 0)`,
    );
  return (logits) => {
    const out = applyTemperature(logits, t);
    if (out !== logits) logits.set(out);
  };
}
