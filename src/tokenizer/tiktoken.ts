// tiktoken's rank files: one token per entry, its bytes in base64 and its rank (= its id). A
// pair of tokens merges into the token their concatenated bytes form, lowest rank first. Reads the
// plain .tiktoken format ("<base64> <rank>" per line) and js-tiktoken's packed one.

import { LlmfsError } from '../errors.js';
import { bytesKey } from './bytes.js';
import { BpeTokenizer } from './bpe.js';
import { mergeScan } from './merge.js';
import { RankTable, type Merge, type MergeRules } from './rules.js';
import { GPT2_PATTERN, type Pretokenizer } from './pretokenize.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Decodes standard base64 (RFC 4648, with = padding); undefined if malformed. */
export function base64ToBytes(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0) return undefined;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      const isPad = c === 61 && i + k >= s.length - pad;
      const d = isPad ? 0 : c < 128 ? B64_VALUE[c] : -1;
      if (d < 0) return undefined;
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/**
 * Parses rank data: either lines "<base64> <rank>", or js-tiktoken's packed lines
 * "<tag> <first rank> <base64> <base64> ..." whose tokens take consecutive ranks.
 */
export function parseTiktokenRanks(data: string, file = 'ranks'): Uint8Array[] {
  const vocab: Uint8Array[] = [];
  const lines = data.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    const fields = line.split(' ');
    const packed = fields.length !== 2;
    const first = Number(fields[1]);
    const tokens = packed ? fields.slice(2) : [fields[0]];
    if (fields.length < 2 || !Number.isInteger(first) || first < 0) {
      throw new LlmfsError(`${where}: expected '<base64> <rank>', got ${JSON.stringify(line.slice(0, 40))}`);
    }
    tokens.forEach((tok, k) => {
      const bytes = base64ToBytes(tok);
      if (!bytes || bytes.length === 0)
        throw new LlmfsError(`${where}: ${JSON.stringify(tok.slice(0, 40))} is not base64`);
      if (vocab[first + k] !== undefined) throw new LlmfsError(`${where}: rank ${first + k} appears twice`);
      vocab[first + k] = bytes;
    });
  });
  return vocab;
}

/** The shape of js-tiktoken's rank modules (e.g. js-tiktoken/ranks/gpt2). */
export interface TiktokenData {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** A BpeTokenizer with tiktoken semantics: concatenation ranks, whole-chunk lookup first. */
export function fromTiktoken(data: TiktokenData, file = 'ranks'): BpeTokenizer {
  const vocab = parseTiktokenRanks(data.bpe_ranks, file);
  const byKey = new Map<string, number>();
  vocab.forEach((bytes, id) => byKey.set(bytesKey(bytes), id));
  const pretokenizer: Pretokenizer =
    data.pat_str === GPT2_PATTERN ? { type: 'gpt2' } : { type: 'regex', pattern: data.pat_str };
  return new BpeTokenizer({
    vocab,
    rules: new RankTable(vocab, byKey),
    wholeChunkLookup: true,
    specialTokens: data.special_tokens,
    pretokenizer,
  });
}

/**
 * Recovers the ordered merge list behind a rank table: token r (two bytes or more) is what BPE
 * makes of its own bytes using only tokens ranked below r, which must be exactly two parts.
 */
export function deriveMerges(vocab: readonly (Uint8Array | undefined)[]): Merge[] {
  const byKey = new Map<string, number>();
  vocab.forEach((bytes, id) => bytes && byKey.set(bytesKey(bytes), id));
  const byteIds = new Int32Array(256).fill(-1);
  vocab.forEach((bytes, id) => bytes && bytes.length === 1 && (byteIds[bytes[0]] = id));
  const merges: Merge[] = [];
  const order = vocab.map((b, id) => id).filter((id) => vocab[id] !== undefined && vocab[id]!.length > 1);
  for (const id of order) {
    const below: MergeRules = {
      rank: (l, r) => {
        const joined = byKey.get(bytesKey(new Uint8Array([...vocab[l]!, ...vocab[r]!])));
        return joined !== undefined && joined < id ? joined : Infinity;
      },
      merged: (l, r) => byKey.get(bytesKey(new Uint8Array([...vocab[l]!, ...vocab[r]!])))!,
    };
    const parts = mergeScan(
      Array.from(vocab[id]!, (b) => byteIds[b]),
      below,
    );
    if (parts.length !== 2)
      throw new LlmfsError(`rank ${id}: its bytes do not split into two lower-ranked tokens`);
    merges.push([parts[0], parts[1], id]);
  }
  return merges;
}
