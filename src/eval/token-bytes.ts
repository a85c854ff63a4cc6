// How many UTF-8 bytes each token of an encoded text stands for: the denominator of bits per
// byte counts the bytes of the scored tokens only, so it needs the bytes token by token.

import type { Tokenizer } from '../tokenizer/types.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import { HfJsonTokenizer } from '../tokenizer/hf-json/tokenizer.js';
import { utf8Encode } from '../tokenizer/bytes.js';
import { LlmfsError } from '../errors.js';

/** UTF-8 length of one code point (a lone surrogate is written as U+FFFD: 3 bytes). */
function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * bytes[i] = the UTF-8 bytes token ids[i] of `text` decodes to. Byte-level BPE: the token's own
 * bytes (a special token's: its text). Char: the character of the text at that position, which
 * is also right for <unk> (one unknown character, however many bytes). They sum to the text's
 * UTF-8 length when `ids` is the whole encoding of `text`.
 */
export function tokenByteCounts(tokenizer: Tokenizer, text: string, ids: readonly number[]): number[] {
  if (tokenizer instanceof BpeTokenizer || tokenizer instanceof HfJsonTokenizer)
    return ids.map((id) => tokenizer.tokenBytes(id).length);
  if (tokenizer.kind === 'char') {
    const out: number[] = [];
    for (const ch of text) out.push(utf8Length(ch.codePointAt(0)!));
    if (out.length !== ids.length)
      throw new LlmfsError(`eval: ${ids.length} char tokens for ${out.length} characters`);
    return out;
  }
  return ids.map((id) => utf8Encode(tokenizer.decode([id])).length);
}
