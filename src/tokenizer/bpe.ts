// Byte-level BPE tokenizer (Sennrich et al. 2016; byte-level as in Radford et al. 2019, GPT-2):
// text -> UTF-8 bytes, cut into chunks by the pre-tokenizer, each chunk merged by rank (merge.ts).
// Any byte string encodes, since all 256 bytes are tokens; decoding concatenates token bytes.

import { LlmfsError } from '../errors.js';
import { bytesKey, concatBytes, showBytes, utf8Decode, utf8Encode, utf8Runs } from './bytes.js';
import { bpeMerge } from './merge.js';
import { MAX_VOCAB, type Merge, type MergeRules } from './rules.js';
import { Splitter, splitSpecials, type Pretokenizer } from './pretokenize.js';
import type { EncodeOptions, Tokenizer } from './types.js';

export interface BpeConfig {
  /** vocab[id] holds the bytes of ordinary token `id`; specials and unused ids are undefined. */
  vocab: readonly (Uint8Array | undefined)[];
  rules: MergeRules;
  /** The ordered merge list, when the rules are one (needed to save as merges.txt). */
  merges?: readonly Merge[];
  /** tiktoken looks a whole chunk up in the vocabulary before merging; Hugging Face does not. */
  wholeChunkLookup?: boolean;
  specialTokens?: Readonly<Record<string, number>>;
  pretokenizer?: Pretokenizer;
}

const CACHE_LIMIT = 1 << 16;

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly vocabSize: number;
  readonly vocab: readonly (Uint8Array | undefined)[];
  readonly merges: readonly Merge[] | undefined;
  readonly specialTokens: Readonly<Record<string, number>>;
  readonly pretokenizer: Pretokenizer;
  /** How pairs are ranked: a merge list (trained, Hugging Face) or tiktoken ranks. */
  readonly rules: MergeRules;
  private readonly wholeChunkLookup: boolean;
  /** byteIds[b] is the id of the one-byte token b. */
  private readonly byteIds: Int32Array;
  private readonly byKey = new Map<string, number>();
  private readonly specialById = new Map<number, string>();
  private readonly splitter: Splitter;
  /** Chunk text -> ids; ordinary text repeats its words, so most chunks are cache hits. */
  private readonly cache = new Map<string, readonly number[]>();

  constructor(config: BpeConfig) {
    this.vocab = config.vocab;
    this.rules = config.rules;
    this.merges = config.merges;
    this.wholeChunkLookup = config.wholeChunkLookup ?? false;
    this.specialTokens = { ...(config.specialTokens ?? {}) };
    this.pretokenizer = config.pretokenizer ?? { type: 'gpt2' };
    this.splitter = new Splitter(this.pretokenizer);
    let size = this.vocab.length;
    this.vocab.forEach((bytes, id) => {
      if (bytes !== undefined && !this.byKey.has(bytesKey(bytes))) this.byKey.set(bytesKey(bytes), id);
    });
    for (const [text, id] of Object.entries(this.specialTokens)) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_VOCAB)
        throw new LlmfsError(`special token ${JSON.stringify(text)}: bad id ${id}`);
      if (this.vocab[id] !== undefined)
        throw new LlmfsError(`special token ${JSON.stringify(text)}: id ${id} is already an ordinary token`);
      if (this.specialById.has(id))
        throw new LlmfsError(
          `special tokens ${JSON.stringify(this.specialById.get(id))} and ${JSON.stringify(text)} share id ` +
            `${id}`,
        );
      this.specialById.set(id, text);
      size = Math.max(size, id + 1);
    }
    this.vocabSize = size;
    this.byteIds = new Int32Array(256);
    for (let b = 0; b < 256; b++) {
      const id = this.byKey.get(String.fromCharCode(b));
      if (id === undefined)
        throw new LlmfsError(
          `byte-level BPE: the vocabulary has no token for byte 0x${b.toString(16).padStart(2, '0')}`,
        );
      this.byteIds[b] = id;
    }
  }

  /** Token ids of one pre-token chunk's bytes. */
  private encodeChunkBytes(bytes: Uint8Array): readonly number[] {
    if (this.wholeChunkLookup) {
      const whole = this.byKey.get(bytesKey(bytes));
      if (whole !== undefined) return [whole];
    }
    const start = new Array<number>(bytes.length);
    for (let i = 0; i < bytes.length; i++) start[i] = this.byteIds[bytes[i]];
    return bpeMerge(start, this.rules);
  }

  private encodeChunk(chunk: string, out: number[]): void {
    let ids = this.cache.get(chunk);
    if (ids === undefined) {
      ids = this.encodeChunkBytes(utf8Encode(chunk));
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(chunk, ids);
    }
    for (const id of ids) out.push(id);
  }

  /** Ordinary text: pre-tokenize, then merge each chunk. */
  private encodeOrdinary(text: string, out: number[]): void {
    this.splitter.forEach(text, (chunk) => this.encodeChunk(chunk, out));
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const allowed =
      options.allowedSpecial === 'all' ? Object.keys(this.specialTokens) : (options.allowedSpecial ?? []);
    for (const s of allowed) {
      if (this.specialTokens[s] === undefined)
        throw new LlmfsError(`encode: ${JSON.stringify(s)} is not a special token of this tokenizer`);
    }
    const out: number[] = [];
    for (const seg of splitSpecials(text, allowed)) {
      if (seg.special) out.push(this.specialTokens[seg.text]);
      else this.encodeOrdinary(seg.text, out);
    }
    return out;
  }

  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): number[][] {
    return texts.map((t) => this.encode(t, options));
  }

  /**
   * Encodes raw bytes, valid UTF-8 or not. Well-formed stretches are pre-tokenized as text; each
   * run of invalid bytes is one chunk of its own. decodeBytes(encodeBytes(b)) equals b exactly.
   */
  encodeBytes(bytes: Uint8Array): number[] {
    const out: number[] = [];
    for (const run of utf8Runs(bytes)) {
      const part = bytes.subarray(run.start, run.end);
      if (run.valid) this.encodeOrdinary(utf8Decode(part), out);
      else for (const id of this.encodeChunkBytes(part)) out.push(id);
    }
    return out;
  }

  /** The bytes of one token (a special token's are its UTF-8 text). */
  tokenBytes(id: number): Uint8Array {
    const bytes = this.vocab[id];
    if (bytes !== undefined) return bytes;
    const special = this.specialById.get(id);
    if (special !== undefined) return utf8Encode(special);
    throw new LlmfsError(`decode: token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
  }

  decodeBytes(ids: readonly number[]): Uint8Array {
    return concatBytes(ids.map((id) => this.tokenBytes(id)));
  }

  /** Text of the ids; bytes that are not valid UTF-8 become U+FFFD, never an exception. */
  decode(ids: readonly number[]): string {
    return utf8Decode(this.decodeBytes(ids));
  }

  piece(id: number): string {
    return this.specialById.get(id) ?? showBytes(this.tokenBytes(id));
  }

  /** The id of the token with exactly these bytes, if there is one. */
  tokenId(bytes: Uint8Array): number | undefined {
    return this.byKey.get(bytesKey(bytes));
  }

  isSpecial(id: number): boolean {
    return this.specialById.has(id);
  }
}
