// Evaluation: perplexity and bits per byte of a model on a text, over context-sized windows.
export { evalWindows, predictedCount, type Window } from './windows.js';
export {
  evaluateTokens,
  evaluateText,
  gptLogits,
  tokenNll,
  type LogitsModel,
  type EvalOptions,
  type EvalResult,
} from './perplexity.js';
export { tokenByteCounts } from './token-bytes.js';
export { unigramEntropy } from './unigram-entropy.js';
