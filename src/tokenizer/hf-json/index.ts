// Hugging Face tokenizer.json, read and run in the order HF runs it: added tokens, normalizer,
// pre-tokenizer, BPE model, post-processor; decoder for the way back. One file per stage.

export {
  HfJsonTokenizer,
  hfTokenizerFromJson,
  isHfTokenizerJson,
  isGpt2Pipeline,
  type HfEncodeOptions,
} from './tokenizer.js';
export { onigurumaToJs, compileOniguruma } from './regex.js';
export type { AddedToken } from './added-tokens.js';
