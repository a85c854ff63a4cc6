// A Hugging Face tokenizer.json (the `tokenizers` library's one-file format) run as HF runs it:
// added tokens are cut out of the raw text, the rest is normalized, cut again at normalized added
// tokens, pre-tokenized into words, each word BPE-encoded, and the post-processor's template
// (e.g. Llama 3's <|begin_of_text|>) put around the ids. Decoding maps ids to token strings and
// runs the decoder chain. Implements the project's Tokenizer interface, so models use it as is.

import { LlmfsError } from '../../errors.js';
import { showBytes, utf8Encode } from '../bytes.js';
import { symbolsToBytes } from '../byte-unicode.js';
import { parseJson } from '../json-parse.js';
import type { EncodeOptions, Tokenizer } from '../types.js';
import { type AddedToken, parseAddedTokens, splitAdded } from './added-tokens.js';
import { type HfBpeModel, parseModel } from './bpe-model.js';
import { type Decode, parseDecoder } from './decoders.js';
import { type At, isObj } from './json-fields.js';
import { type Normalize, parseNormalizer } from './normalizers.js';
import { type Template, parsePostProcessor } from './post-processor.js';
import { type PreTokenize, parsePreTokenizer } from './pre-tokenizers.js';

/** encode's options; addSpecialTokens (default true) applies the post-processor's template. */
export type HfEncodeOptions = EncodeOptions;

interface Matchers {
  raw: Map<string, AddedToken>;
  normalized: Map<string, AddedToken>;
}

export class HfJsonTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly vocabSize: number;
  /** Special added tokens: text -> id (e.g. "<|end_of_text|>"). */
  readonly specialTokens: Readonly<Record<string, number>>;
  readonly addedTokens: readonly AddedToken[];
  private readonly model: HfBpeModel;
  private readonly normalizer: Normalize | null;
  private readonly preTokenizer: PreTokenize | null;
  private readonly template: Template | null;
  private readonly decoder: Decode | null;
  private readonly addedById = new Map<number, AddedToken>();
  private readonly matcherCache = new Map<string, Matchers>();
  /** True when the decoder turns GPT-2 byte symbols back into bytes (for piece()). */
  private readonly byteLevel: boolean;

  /** `source` is the file's text, kept so a checkpoint can save the tokenizer unchanged. */
  constructor(
    readonly source: string,
    readonly file = 'tokenizer.json',
  ) {
    const data = parseJson(source, file);
    if (!isObj(data)) throw new LlmfsError(`${file}: expected a JSON object (a Hugging Face tokenizer.json)`);
    if (!isObj(data.model))
      throw new LlmfsError(`${file}: no "model" object; not a Hugging Face tokenizer.json`);
    const at = (path: string): At => ({ file, path });
    this.model = parseModel(data.model, at('model'));
    this.normalizer = parseNormalizer(data.normalizer, at('normalizer'));
    this.preTokenizer = parsePreTokenizer(data.pre_tokenizer, at('pre_tokenizer'));
    this.template = parsePostProcessor(data.post_processor, at('post_processor'));
    this.decoder = parseDecoder(data.decoder, at('decoder'));
    this.byteLevel = JSON.stringify(data.decoder ?? null).includes('"ByteLevel"');
    this.addedTokens = parseAddedTokens(data.added_tokens, at('added_tokens'));
    const specials: Record<string, number> = {};
    let size = this.model.tokens.length;
    for (const t of this.addedTokens) {
      const inVocab = this.model.tokens[t.id];
      if (inVocab !== undefined && inVocab !== t.content)
        throw new LlmfsError(
          `${file}: added token ${JSON.stringify(t.content)} has id ${t.id}, which the vocab gives to ` +
            JSON.stringify(inVocab),
        );
      this.addedById.set(t.id, t);
      if (t.special) specials[t.content] = t.id;
      size = Math.max(size, t.id + 1);
    }
    for (const id of [...(this.template?.before ?? []), ...(this.template?.after ?? [])])
      if (this.tokenOf(id) === undefined)
        throw new LlmfsError(`${file}: post_processor: id ${id} is neither in the vocab nor an added token`);
    this.specialTokens = specials;
    this.vocabSize = size;
  }

  /** The id of a token string (added or in the vocab), if any. */
  tokenToId(token: string): number | undefined {
    return this.addedTokens.find((t) => t.content === token)?.id ?? this.model.vocab.get(token);
  }

  /** The token string of an id, as the file writes it. */
  tokenOf(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.tokens[id];
  }

  encode(text: string, options: HfEncodeOptions = {}): number[] {
    const allowed = options.allowedSpecial ?? [];
    for (const s of allowed === 'all' ? [] : allowed)
      if (this.specialTokens[s] === undefined)
        throw new LlmfsError(`encode: ${JSON.stringify(s)} is not a special token of this tokenizer`);
    const { raw, normalized } = this.matchers(allowed);
    const out: number[] = [];
    if (options.addSpecialTokens !== false && this.template) out.push(...this.template.before);
    splitAdded(text, raw).forEach((section, i) => {
      if (section.token) {
        out.push(section.token.id);
        return;
      }
      const norm = this.normalizer ? this.normalizer(section.text) : section.text;
      splitAdded(norm, normalized).forEach((sub, j) => {
        if (sub.token) return void out.push(sub.token.id);
        // The first piece of the text (HF: original offset 0) is where Metaspace "first" prepends.
        const words = this.preTokenizer ? this.preTokenizer([sub.text], i === 0 && j === 0) : [sub.text];
        for (const w of words) this.model.tokenize(w, out);
      });
    });
    if (options.addSpecialTokens !== false && this.template) out.push(...this.template.after);
    return out;
  }

  /** The added tokens to find in raw and in normalized text, for one allowedSpecial setting. */
  private matchers(allowed: 'all' | readonly string[]): Matchers {
    const key = allowed === 'all' ? '\u0000all' : allowed.join('\u0000');
    let m = this.matcherCache.get(key);
    if (m) return m;
    m = { raw: new Map(), normalized: new Map() };
    for (const t of this.addedTokens) {
      if (t.special && allowed !== 'all' && !allowed.includes(t.content)) continue;
      if (t.normalized && this.normalizer) m.normalized.set(this.normalizer(t.content), t);
      else m.raw.set(t.content, t);
    }
    if (this.matcherCache.size >= 64) this.matcherCache.clear();
    this.matcherCache.set(key, m);
    return m;
  }

  private tokensOf(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const t = this.tokenOf(id);
      if (t === undefined)
        throw new LlmfsError(`decode: token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      return t;
    });
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const kept = options.skipSpecialTokens ? ids.filter((id) => !this.addedById.get(id)?.special) : ids;
    const tokens = this.tokensOf(kept);
    if (!this.decoder) return tokens.join(' ');
    return this.decoder(
      tokens,
      kept.map((id) => this.addedById.has(id)),
    ).join('');
  }

  /**
   * The bytes one token stands for: byte-level tokens' bytes, <0xNN> its byte, a SentencePiece
   * piece its text with "▁" as a space, an added token its text.
   */
  tokenBytes(id: number): Uint8Array {
    const [t] = this.tokensOf([id]);
    if (this.addedById.has(id)) return utf8Encode(t);
    const bytes = this.byteLevel ? symbolsToBytes(t) : undefined;
    if (bytes) return bytes;
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
    return m ? Uint8Array.of(parseInt(m[1], 16)) : utf8Encode(t.replaceAll('▁', ' '));
  }

  piece(id: number): string {
    return this.addedById.has(id) ? this.tokensOf([id])[0] : showBytes(this.tokenBytes(id));
  }
}

/** Reads a Hugging Face tokenizer.json's text; `file` names it in error messages. */
export function hfTokenizerFromJson(text: string, file = 'tokenizer.json'): HfJsonTokenizer {
  return new HfJsonTokenizer(text, file);
}

/** Whether parsed JSON looks like a Hugging Face tokenizer.json (it has a "model" object). */
export function isHfTokenizerJson(data: unknown): boolean {
  return isObj(data) && isObj(data.model) && data.format === undefined;
}

/**
 * Whether a tokenizer.json describes GPT-2's own pipeline (no normalizer, the ByteLevel
 * pre-tokenizer with GPT-2's regex, no template): then vocab.json + merges.txt beside it hold the
 * same tokenizer, and the GPT-2 reader (hf-format.ts) is used for it.
 */
export function isGpt2Pipeline(data: unknown): boolean {
  if (!isHfTokenizerJson(data) || !isObj(data)) return false;
  const pre = data.pre_tokenizer;
  const post = data.post_processor;
  return (
    (data.normalizer ?? null) === null &&
    isObj(pre) &&
    pre.type === 'ByteLevel' &&
    pre.use_regex !== false &&
    pre.add_prefix_space !== true &&
    ((post ?? null) === null || (isObj(post) && post.type === 'ByteLevel'))
  );
}
