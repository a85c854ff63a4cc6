// tokenizer.json "model" of type BPE (Sennrich et al. 2016, as Hugging Face tokenizers runs it):
// a word's characters are looked up in the vocabulary, a character that is missing becomes its
// UTF-8 bytes as <0xNN> tokens (byte_fallback, SentencePiece's trick) or the unk token, then
// adjacent pairs are merged lowest rank first (merge.ts). ignore_merges (Llama 3) takes a word
// that is itself in the vocabulary whole, before merging.

import { bpeMerge } from '../merge.js';
import { MAX_VOCAB, MergeList, type Merge } from '../rules.js';
import { utf8Encode } from '../bytes.js';
import { type At, type Obj, arr, bool, child, fail, isObj, obj } from './json-fields.js';

const CACHE_LIMIT = 1 << 16;

export class HfBpeModel {
  /** token string -> id, and back. */
  readonly vocab = new Map<string, number>();
  readonly tokens: string[] = [];
  readonly merges: Merge[];
  readonly unkId: number | undefined;
  private readonly rules: MergeList;
  private readonly byteFallback: boolean;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;
  /** byteIds[b] is the id of "<0xNN>" for byte b, or -1. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly cache = new Map<string, readonly number[]>();

  constructor(o: Obj, at: At) {
    const vocab = obj(o.vocab, child(at, 'vocab'));
    for (const [token, id] of Object.entries(vocab)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_VOCAB)
        fail(child(at, 'vocab'), `token ${JSON.stringify(token)} has a bad id ${JSON.stringify(id)}`);
      if (this.tokens[id] !== undefined)
        fail(
          child(at, 'vocab'),
          `tokens ${JSON.stringify(this.tokens[id])} and ${JSON.stringify(token)} share id ${id}`,
        );
      this.vocab.set(token, id);
      this.tokens[id] = token;
    }
    for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'])
      if (o[key] !== null && o[key] !== undefined && o[key] !== '')
        fail(child(at, key), 'is not supported (the Llama, Qwen and Mistral tokenizers leave it null)');
    if (typeof o.dropout === 'number' && o.dropout > 0)
      fail(child(at, 'dropout'), 'BPE dropout is a training-time regularizer; set it to null to encode');
    this.byteFallback = bool(o, 'byte_fallback', at, false);
    this.fuseUnk = bool(o, 'fuse_unk', at, false);
    this.ignoreMerges = bool(o, 'ignore_merges', at, false);
    if (o.unk_token !== null && o.unk_token !== undefined) {
      if (typeof o.unk_token !== 'string' || !this.vocab.has(o.unk_token))
        fail(child(at, 'unk_token'), `${JSON.stringify(o.unk_token)} is not in the vocab`);
      this.unkId = this.vocab.get(o.unk_token);
    }
    for (let b = 0; b < 256; b++)
      this.byteIds[b] = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    this.merges = this.parseMerges(arr(o, 'merges', at), child(at, 'merges'));
    // A pair listed twice ranks by its last line, as HF's merge map keeps the last insert.
    const last = new Map<string, number>();
    this.merges.forEach(([l, r], i) => last.set(`${l} ${r}`, i));
    this.rules = new MergeList(this.merges.filter(([l, r], i) => last.get(`${l} ${r}`) === i));
  }

  /** Merges as "a b" strings (older files) or [a, b] pairs (tokenizers >= 0.20). */
  private parseMerges(list: unknown[], at: At): Merge[] {
    return list.map((m, i) => {
      let pair: unknown[] | undefined;
      if (typeof m === 'string') {
        const parts = m.split(' ');
        if (parts.length === 2) pair = parts;
      } else if (Array.isArray(m) && m.length === 2) pair = m;
      if (!pair || typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
        fail(child(at, i), `expected "a b" or ["a", "b"], got ${JSON.stringify(m)?.slice(0, 60)}`);
      const [a, b] = pair as [string, string];
      const [l, r, result] = [this.vocab.get(a), this.vocab.get(b), this.vocab.get(a + b)];
      if (l === undefined || r === undefined || result === undefined)
        fail(
          child(at, i),
          `token ${JSON.stringify(l === undefined ? a : r === undefined ? b : a + b)} is not in the vocab`,
        );
      return [l, r, result] as const;
    });
  }

  /** Appends the ids of one pre-tokenized word to `out`. */
  tokenize(word: string, out: number[]): void {
    if (word.length === 0) return;
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = this.tokenizeWord(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (const id of ids) out.push(id);
  }

  private tokenizeWord(word: string): number[] {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const start: number[] = [];
    let pendingUnk = false; // fuse_unk: a run of unknown characters is one unk token
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        start.push(id);
        pendingUnk = false;
        continue;
      }
      if (this.byteFallback) {
        const bytes = [...utf8Encode(ch)].map((b) => this.byteIds[b]);
        if (bytes.every((b) => b >= 0)) {
          start.push(...bytes);
          pendingUnk = false;
          continue;
        }
      }
      // No unk token: HF's Rust BPE drops the character before merging, so its neighbours may
      // merge (@huggingface/tokenizers 0.2.0 drops it after merging instead).
      if (this.unkId === undefined) continue;
      if (!(this.fuseUnk && pendingUnk)) start.push(this.unkId);
      pendingUnk = true;
    }
    return bpeMerge(start, this.rules);
  }
}

/** Refuses model types other than BPE by name. */
export function parseModel(v: unknown, at: At): HfBpeModel {
  if (!isObj(v)) return fail(at, `expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
  if (v.type !== 'BPE')
    fail(
      child(at, 'type'),
      `model type ${JSON.stringify(v.type)} is not supported (supported: BPE; WordPiece, WordLevel and ` +
        'Unigram tokenizers cannot be read)',
    );
  return new HfBpeModel(v, at);
}
