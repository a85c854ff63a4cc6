// Frequency and presence penalties as OpenAI's API defines them:
//   z_j ← z_j - c_j · α_frequency - [c_j > 0] · α_presence
// where c_j counts how often token j was generated so far (the prompt is not counted). The first
// grows with every repeat, the second is a flat charge for having appeared at all.

import type { LogitsProcessor } from './processor.js';
import { LlmfsError } from '../errors.js';

export function frequencyPresencePenalty(frequency: number, presence: number): LogitsProcessor {
  for (const [name, v] of [
    ['frequency', frequency],
    ['presence', presence],
  ] as const) {
    if (!Number.isFinite(v)) throw new LlmfsError(`${name} penalty must be a finite number, got ${v}`);
  }
  return (logits, ctx) => {
    const counts = new Map<number, number>();
    for (const id of ctx.generated) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, c] of counts) {
      if (id < 0 || id >= logits.length) continue;
      logits[id] -= c * frequency + presence;
    }
  };
}
