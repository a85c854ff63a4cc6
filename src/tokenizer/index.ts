// Tokenizers: text <-> token ids. Character-level (char.ts) and byte-level BPE (bpe.ts, trained
// by train.ts), GPT-2 exact (gpt2.ts), Hugging Face tokenizer.json (hf-json/). Portable: nothing
// here imports Node; files are read and written by src/io/tokenizer-files.ts.

export type { Tokenizer, EncodeOptions } from './types.js';
export { CharTokenizer, UNK, type UnknownPolicy } from './char.js';
export { BpeTokenizer, type BpeConfig } from './bpe.js';
export {
  trainBpe,
  bpeFromMerges,
  countChunks,
  type TrainOptions,
  type TrainProgress,
  type MergeLoopHooks,
} from './train.js';
export { trainMergesReadable, bpePairCounts, mergePair } from './train-readable.js';
export { gpt2, GPT2_EOT, GPT2_VOCAB_SIZE } from './gpt2.js';
export {
  fromTiktoken,
  parseTiktokenRanks,
  deriveMerges,
  base64ToBytes,
  type TiktokenData,
} from './tiktoken.js';
export { bpeFromHf, bpeToHf, parseVocabJson, parseMergesTxt, type HfFiles } from './hf-format.js';
export { tokenizerFromJson, tokenizerToJson } from './json-format.js';
export {
  HfJsonTokenizer,
  hfTokenizerFromJson,
  isHfTokenizerJson,
  isGpt2Pipeline,
  onigurumaToJs,
  type AddedToken,
} from './hf-json/index.js';
export {
  GPT2_PATTERN,
  Splitter,
  splitSpecials,
  parsePretokenizer,
  pretokenizerName,
  type Pretokenizer,
} from './pretokenize.js';
export { BYTE_TO_CHAR, bytesToSymbols, symbolsToBytes } from './byte-unicode.js';
export { MergeList, RankTable, type Merge, type MergeRules } from './rules.js';
export { mergeScan, mergeHeap, bpeMerge } from './merge.js';
export { utf8Encode, utf8Decode, showBytes } from './bytes.js';
