// Generation: logits processors (temperature, top-k, top-p, min-p, penalties), greedy and
// sampled decoding with streaming, beam search, and the KV-cached stepper they share.

export { type LogitsProcessor, type ProcessorContext, applyProcessors } from './processor.js';
export { temperature } from './temperature.js';
export { topK } from './top-k.js';
export { topP } from './top-p.js';
export { minP } from './min-p.js';
export { repetitionPenalty } from './repetition-penalty.js';
export { noRepeatNgram, bannedNgramTokens } from './no-repeat-ngram.js';
export { frequencyPresencePenalty } from './frequency-presence.js';
export { buildProcessors, type SamplingOptions } from './settings.js';
export { sampleIndex, chooseToken, type Strategy } from './sampler.js';
export {
  argmax as argmaxRow,
  softmax as softmaxRow,
  logSoftmax as logSoftmaxRow,
  logSumExp,
  entropy,
  topIds,
} from './probs.js';
export { type CausalLm, type LmCache, GptCache, Seq2SeqCache, gptLm, seq2seqLm, asLm } from './lm.js';
export { Stepper, type StepperOptions, type OverflowPolicy } from './stepper.js';
export { TextStream } from './stream.js';
export {
  generate,
  type GenerateOptions,
  type GenerateResult,
  type GeneratedToken,
  type FinishReason,
} from './generate.js';
export {
  beamSearch,
  type BeamSearchOptions,
  type BeamCandidate,
  type EarlyStopping,
  type Hypothesis,
} from './beam-search.js';
export {
  hfLengthPenalty,
  gnmtLengthPenalty,
  lengthNormalisedScore,
  type LengthPenaltyFormula,
} from './length-penalty.js';
