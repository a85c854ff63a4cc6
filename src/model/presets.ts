// Named model configurations. `tiny` is for tests and quick experiments; `cpu-small` is nanoGPT's
// CPU configuration (a laptop trains it in minutes); `gpt2`, `gpt2-medium`, `gpt2-large` and
// `gpt2-xl` are the published GPT-2 shapes (124M, 355M, 774M and 1558M parameters);
// `seq2seq-small` is an encoder-decoder for toy tasks.

import type { GPTConfigInput } from './config.js';
import type { EncoderDecoderConfigInput } from './encoder-decoder-config.js';
import { LlmfsError } from '../errors.js';

export const GPT_PRESETS: Record<string, GPTConfigInput> = {
  tiny: { vocabSize: 256, blockSize: 32, nLayer: 2, nHead: 2, nEmbd: 64 },
  'cpu-small': { vocabSize: 256, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 },
  gpt2: { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768 },
  'gpt2-medium': { vocabSize: 50257, blockSize: 1024, nLayer: 24, nHead: 16, nEmbd: 1024 },
  'gpt2-large': { vocabSize: 50257, blockSize: 1024, nLayer: 36, nHead: 20, nEmbd: 1280 },
  'gpt2-xl': { vocabSize: 50257, blockSize: 1024, nLayer: 48, nHead: 25, nEmbd: 1600 },
};

export const SEQ2SEQ_PRESETS: Record<string, EncoderDecoderConfigInput> = {
  'seq2seq-small': {
    srcVocabSize: 32,
    tgtVocabSize: 32,
    dModel: 64,
    nHead: 4,
    nEncoderLayer: 2,
    nDecoderLayer: 2,
    dFF: 256,
    maxLen: 64,
  },
};

export const PRESET_NAMES = [...Object.keys(GPT_PRESETS), ...Object.keys(SEQ2SEQ_PRESETS)];

/** A GPT preset by name, with fields overridden (e.g. the tokenizer's vocabulary size). */
export function gptPreset(name: string, overrides: Partial<GPTConfigInput> = {}): GPTConfigInput {
  const p = GPT_PRESETS[name];
  if (!p)
    throw new LlmfsError(`unknown GPT preset '${name}' (known: ${Object.keys(GPT_PRESETS).join(', ')})`);
  return { ...p, ...overrides };
}
