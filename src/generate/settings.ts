// The decoding settings a caller chooses, turned into the processor list, in Hugging Face's
// order: penalties on the raw scores first (repetition, then no repeated n-grams, then
// frequency/presence), then the
// warpers that shape the sampling distribution (temperature, top-k, top-p, min-p).

import type { LogitsProcessor } from './processor.js';
import { repetitionPenalty } from './repetition-penalty.js';
import { noRepeatNgram } from './no-repeat-ngram.js';
import { frequencyPresencePenalty } from './frequency-presence.js';
import { temperature } from './temperature.js';
import { topK } from './top-k.js';
import { topP } from './top-p.js';
import { minP } from './min-p.js';

export interface SamplingOptions {
  /** Divides the logits before sampling (default 1). Ignored by greedy decoding's argmax. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of likely tokens with total probability >= p. */
  topP?: number;
  /** Keep tokens with probability >= minP · (the top probability). */
  minP?: number;
  /** CTRL's θ (> 1 discourages repeats of any token in the prompt or output; 1 = off). */
  repetitionPenalty?: number;
  /** Ban tokens that would repeat an n-gram of this size (HF's no_repeat_ngram_size; 0 = off). */
  noRepeatNgramSize?: number;
  /** OpenAI's frequency penalty: subtract count · α from a generated token's logit. */
  frequencyPenalty?: number;
  /** OpenAI's presence penalty: subtract α once from any token already generated. */
  presencePenalty?: number;
}

export function buildProcessors(o: SamplingOptions): LogitsProcessor[] {
  const list: LogitsProcessor[] = [];
  if (o.repetitionPenalty !== undefined && o.repetitionPenalty !== 1)
    list.push(repetitionPenalty(o.repetitionPenalty));
  if (o.noRepeatNgramSize !== undefined && o.noRepeatNgramSize !== 0)
    list.push(noRepeatNgram(o.noRepeatNgramSize));
  if (o.frequencyPenalty || o.presencePenalty)
    list.push(frequencyPresencePenalty(o.frequencyPenalty ?? 0, o.presencePenalty ?? 0));
  if (o.temperature !== undefined && o.temperature !== 1) list.push(temperature(o.temperature));
  if (o.topK !== undefined) list.push(topK(o.topK));
  if (o.topP !== undefined) list.push(topP(o.topP));
  if (o.minP !== undefined) list.push(minP(o.minP));
  return list;
}
