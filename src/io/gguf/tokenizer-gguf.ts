// Our byte-level BPE tokenizer as GGUF's tokenizer metadata, the keys llama.cpp's "gpt2"
// tokenizer reads (llama.cpp gguf-py constants.py, src/llama-vocab.cpp):
//   tokenizer.ggml.model = "gpt2"; tokenizer.ggml.pre = "gpt-2" (GPT-2's pre-tokenizer regex);
//   tokenizer.ggml.tokens[id] = the token's bytes in GPT-2's byte->Unicode alphabet (as vocab.json);
//   tokenizer.ggml.token_type[id] = 1 normal, 3 control (special tokens), 5 unused (padding ids);
//   tokenizer.ggml.merges[rank] = "left right" in that alphabet (as merges.txt);
//   tokenizer.ggml.bos/eos_token_id.
// Only byte-level BPE with GPT-2's pre-tokenizer and a merge list maps faithfully; others are refused.

import { LlmfsError } from '../../errors.js';
import { BpeTokenizer } from '../../tokenizer/bpe.js';
import { bytesToSymbols } from '../../tokenizer/byte-unicode.js';
import { GPT2_PATTERN } from '../../tokenizer/pretokenize.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import type { Metadata } from './gguf-types.js';

/** llama_token_type values. */
export const TOKEN_TYPE = { normal: 1, control: 3, unused: 5 } as const;

function checkMappable(tok: Tokenizer): BpeTokenizer {
  if (!(tok instanceof BpeTokenizer))
    throw new LlmfsError(
      `export gguf: the model's tokenizer is ${tok.kind}-level; GGUF's gpt2 tokenizer is byte-level BPE ` +
        `(train one with 'llmfs tokenizer train' and retrain the model on it)`,
    );
  const p = tok.pretokenizer;
  if (!(p.type === 'gpt2' || (p.type === 'regex' && p.pattern === GPT2_PATTERN)))
    throw new LlmfsError(
      `export gguf: the tokenizer's pre-tokenizer is ` +
        `${p.type === 'regex' ? 'a custom regex' : `'${p.type}'`}; ` +
        `llama.cpp's gpt2 tokenizer (tokenizer.ggml.pre = gpt-2) splits text with GPT-2's regex only`,
    );
  if (!tok.merges)
    throw new LlmfsError(
      'export gguf: the tokenizer has merge ranks but no merge list (tiktoken style); ' +
        'tokenizer.ggml.merges needs the ordered list',
    );
  return tok;
}

export interface TokenizerGguf {
  metadata: Metadata;
  /** Ids padded with unused tokens so the list is as long as the model's vocabulary. */
  padded: number;
}

/**
 * The tokenizer.ggml.* keys for `tok`, padded to `vocabSize` entries (the embedding's rows).
 * `eosId` (e.g. <|endoftext|>) becomes both bos and eos, as GPT-2's own files do; without one,
 * llama.cpp falls back to id 11.
 */
export function tokenizerMetadata(tok: Tokenizer, vocabSize: number, eosId: number | null): TokenizerGguf {
  const bpe = checkMappable(tok);
  if (bpe.vocabSize > vocabSize)
    throw new LlmfsError(
      `export gguf: the tokenizer has ${bpe.vocabSize} tokens, the model only ${vocabSize}`,
    );
  const special = new Map(Object.entries(bpe.specialTokens).map(([text, id]) => [id, text]));
  const tokens: string[] = [];
  const types: number[] = [];
  let padded = 0;
  for (let id = 0; id < vocabSize; id++) {
    const bytes = bpe.vocab[id];
    const text = special.get(id);
    if (bytes !== undefined) {
      tokens.push(bytesToSymbols(bytes));
      types.push(TOKEN_TYPE.normal);
    } else if (text !== undefined) {
      tokens.push(text);
      types.push(TOKEN_TYPE.control);
    } else {
      tokens.push(`[PAD${id}]`); // as llama.cpp's convert_hf_to_gguf.py fills unused ids
      types.push(TOKEN_TYPE.unused);
      padded++;
    }
  }
  const merges = bpe.merges!.map(
    ([l, r]) => `${bytesToSymbols(bpe.vocab[l]!)} ${bytesToSymbols(bpe.vocab[r]!)}`,
  );
  const metadata: Metadata = new Map();
  metadata.set('tokenizer.ggml.model', { type: 'string', value: 'gpt2' });
  metadata.set('tokenizer.ggml.pre', { type: 'string', value: 'gpt-2' });
  metadata.set('tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: tokens });
  metadata.set('tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', values: types });
  metadata.set('tokenizer.ggml.merges', { type: 'array', itemType: 'string', values: merges });
  if (eosId !== null && eosId < vocabSize) {
    metadata.set('tokenizer.ggml.bos_token_id', { type: 'uint32', value: eosId });
    metadata.set('tokenizer.ggml.eos_token_id', { type: 'uint32', value: eosId });
  }
  metadata.set('tokenizer.ggml.add_bos_token', { type: 'bool', value: false });
  return { metadata, padded };
}
