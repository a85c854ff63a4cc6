// The simplest tokenizer: one token per character (Unicode code point), as in char-rnn
// (Karpathy 2015) and nanoGPT's Shakespeare example. The vocabulary is every character seen in
// a corpus, sorted by code point; a character never seen is an error or <unk>, as the caller chose.

import { LlmfsError } from '../errors.js';
import type { Tokenizer } from './types.js';

/** What encode does with a character outside the vocabulary. */
export type UnknownPolicy = 'error' | 'unk';

export const UNK = '<unk>';

function describe(ch: string): string {
  const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `${JSON.stringify(ch)} (U+${hex})`;
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly vocabSize: number;
  /** The id of <unk> (the last id), or undefined under the 'error' policy. */
  readonly unkId: number | undefined;
  private readonly ids = new Map<string, number>();

  /** `chars[id]` is the character of token `id`; they must be distinct single code points. */
  constructor(
    readonly chars: readonly string[],
    readonly unknown: UnknownPolicy = 'error',
  ) {
    chars.forEach((ch, id) => {
      if (typeof ch !== 'string' || [...ch].length !== 1)
        throw new LlmfsError(`char tokenizer: entry ${id} must be one character, got ${JSON.stringify(ch)}`);
      if (this.ids.has(ch))
        throw new LlmfsError(
          `char tokenizer: character ${describe(ch)} appears twice (ids ${this.ids.get(ch)} and ${id})`,
        );
      this.ids.set(ch, id);
    });
    this.unkId = unknown === 'unk' ? chars.length : undefined;
    this.vocabSize = chars.length + (unknown === 'unk' ? 1 : 0);
  }

  /** A vocabulary of every distinct character in `corpus`, sorted by code point. */
  static fromCorpus(corpus: string, unknown: UnknownPolicy = 'error'): CharTokenizer {
    const seen = new Set<string>();
    for (const ch of corpus) seen.add(ch);
    const chars = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars, unknown);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    let index = 0;
    for (const ch of text) {
      const id = this.ids.get(ch) ?? this.unkId;
      if (id === undefined) {
        throw new LlmfsError(
          `char tokenizer: character ${describe(ch)} at index ${index} is not in the vocabulary of ` +
            `${this.chars.length} characters; build it from a corpus that contains it, or use the 'unk' ` +
            `policy`,
        );
      }
      out.push(id);
      index += ch.length;
    }
    return out;
  }

  /** Text of the ids; <unk> decodes to U+FFFD, the replacement character. */
  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) s += id === this.unkId ? '\uFFFD' : this.charOf(id);
    return s;
  }

  piece(id: number): string {
    return id === this.unkId ? UNK : this.charOf(id);
  }

  private charOf(id: number): string {
    const ch = this.chars[id];
    if (ch === undefined)
      throw new LlmfsError(`decode: token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    return ch;
  }
}
