// Repetition penalty (Keskar et al., 2019, CTRL, section 4.1), in Hugging Face's form: for every
// token already present (prompt or generated), a positive logit is divided by θ and a negative one
// multiplied by θ, so θ > 1 always makes a repeat less likely (θ = 1.2 in the paper).

import type { LogitsProcessor } from './processor.js';
import { LlmfsError } from '../errors.js';

export function repetitionPenalty(theta: number): LogitsProcessor {
  if (!(theta > 0) || !Number.isFinite(theta))
    throw new LlmfsError(`repetition penalty must be a positive number, got ${theta}`);
  return (logits, ctx) => {
    if (theta === 1) return;
    for (const id of new Set(ctx.tokens)) {
      if (id < 0 || id >= logits.length) continue;
      logits[id] = logits[id] > 0 ? logits[id] / theta : logits[id] * theta;
    }
  };
}
