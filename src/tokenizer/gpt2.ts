// The built-in `gpt2` encoding: GPT-2's 50,257 tokens (Radford et al. 2019), read by our own
// parser from the rank data that the js-tiktoken package ships. Loaded on first use, since the
// data module is half a megabyte.

import type { BpeTokenizer } from './bpe.js';
import { fromTiktoken, type TiktokenData } from './tiktoken.js';
import { LlmfsError } from '../errors.js';

/** GPT-2's end-of-text token, id 50256: the last id of its vocabulary. */
export const GPT2_EOT = '<|endoftext|>';
export const GPT2_VOCAB_SIZE = 50257;

let loading: Promise<BpeTokenizer> | undefined;

/** The GPT-2 tokenizer. Ids are identical to OpenAI's (tested against js-tiktoken). */
export function gpt2(): Promise<BpeTokenizer> {
  loading ??= import('js-tiktoken/ranks/gpt2').then((mod) => {
    const data = mod.default as TiktokenData & { explicit_n_vocab?: number };
    const tok = fromTiktoken(data, 'js-tiktoken/ranks/gpt2');
    if (tok.vocabSize !== GPT2_VOCAB_SIZE) {
      throw new LlmfsError(
        `gpt2: expected ${GPT2_VOCAB_SIZE} tokens in js-tiktoken's data, found ${tok.vocabSize}`,
      );
    }
    return tok;
  });
  return loading;
}
