// Our one-file tokenizer format, tokenizer.json: {"format": "llmfs-tokenizer", "version": 1,
// "type": "char" | "bpe", ...}. A BPE file lists every token (GPT-2 byte symbols, one per line),
// the merges as id pairs in priority order, the special tokens and the pre-tokenizer, so a
// custom regex survives a save, which vocab.json + merges.txt cannot express.

import { LlmfsError } from '../errors.js';
import { BpeTokenizer } from './bpe.js';
import { bytesKey } from './bytes.js';
import { bytesToSymbols, symbolsToBytesOrThrow } from './byte-unicode.js';
import { CharTokenizer } from './char.js';
import { parseJson } from './json-parse.js';
import { HfJsonTokenizer, isHfTokenizerJson } from './hf-json/tokenizer.js';
import { parsePretokenizer, pretokenizerName } from './pretokenize.js';
import { MAX_VOCAB, MergeList, RankTable, type Merge } from './rules.js';
import type { Tokenizer } from './types.js';

export const FORMAT = 'llmfs-tokenizer';
export const FORMAT_VERSION = 1;

const q = (v: unknown): string => JSON.stringify(v);

export function tokenizerToJson(tok: Tokenizer): string {
  const head = `{\n  "format": ${q(FORMAT)},\n  "version": ${FORMAT_VERSION},\n  "type": ${q(tok.kind)},\n`;
  if (tok instanceof CharTokenizer) {
    const chars = tok.chars.map((c) => `    ${q(c)}`).join(',\n');
    return `${head}  "unknown": ${q(tok.unknown)},\n  "chars": [\n${chars}\n  ]\n}\n`;
  }
  // A Hugging Face tokenizer.json is saved as it was read, so the checkpoint keeps its pipeline.
  if (tok instanceof HfJsonTokenizer) return tok.source;
  if (!(tok instanceof BpeTokenizer)) throw new LlmfsError('save: unknown tokenizer type');
  const vocab: string[] = [];
  for (let id = 0; id < tok.vocab.length; id++) {
    const bytes = tok.vocab[id];
    vocab.push(`    ${bytes ? q(bytesToSymbols(bytes)) : 'null'}`);
  }
  const rules = tok.merges ? 'merges' : 'ranks';
  const merges = (tok.merges ?? []).map(([l, r]) => `    [${l}, ${r}]`).join(',\n');
  return (
    head +
    `  "pretokenizer": ${q(pretokenizerName(tok.pretokenizer))},\n` +
    `  "special_tokens": ${q(tok.specialTokens)},\n` +
    `  "rules": ${q(rules)},\n` +
    `  "vocab": [\n${vocab.join(',\n')}\n  ],\n` +
    `  "merges": [\n${merges}\n  ]\n}\n`
  );
}

type Obj = Record<string, unknown>;

function field<T>(obj: Obj, key: string, file: string, check: (v: unknown) => v is T, what: string): T {
  const v = obj[key];
  if (!check(v))
    throw new LlmfsError(`${file}: "${key}" must be ${what}, got ${q(v)?.slice(0, 60) ?? 'nothing'}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < MAX_VOCAB;

export function tokenizerFromJson(text: string, file = 'tokenizer.json'): Tokenizer {
  const data = parseJson(text, file);
  if (isHfTokenizerJson(data)) return new HfJsonTokenizer(text, file);
  if (!isObject(data) || data.format !== FORMAT) {
    throw new LlmfsError(`${file}: not an llmfs tokenizer file (expected "format": "${FORMAT}")`);
  }
  if (data.version !== FORMAT_VERSION)
    throw new LlmfsError(
      `${file}: unsupported version ${q(data.version)} (this build reads ${FORMAT_VERSION})`,
    );
  if (data.type === 'char') {
    const unknown = field(
      data,
      'unknown',
      file,
      (v): v is 'error' | 'unk' => v === 'error' || v === 'unk',
      '"error" or "unk"',
    );
    const chars = field(data, 'chars', file, isArray, 'an array of characters');
    chars.forEach((c, i) => {
      if (!isString(c)) throw new LlmfsError(`${file}: chars[${i}] must be a string, got ${q(c)}`);
    });
    try {
      return new CharTokenizer(chars as string[], unknown);
    } catch (err) {
      throw err instanceof LlmfsError ? new LlmfsError(`${file}: ${err.message}`) : err;
    }
  }
  if (data.type !== 'bpe')
    throw new LlmfsError(`${file}: "type" must be "char" or "bpe", got ${q(data.type)}`);
  const pretokenizer = parsePretokenizer(
    field(data, 'pretokenizer', file, isString, 'a string ("gpt2", "none" or a regex)'),
  );
  const specials = field(data, 'special_tokens', file, isObject, 'an object mapping text to id');
  for (const [s, id] of Object.entries(specials)) {
    if (!isId(id)) throw new LlmfsError(`${file}: special token ${q(s)} has a bad id ${q(id)}`);
  }
  const rules = field(
    data,
    'rules',
    file,
    (v): v is 'merges' | 'ranks' => v === 'merges' || v === 'ranks',
    '"merges" or "ranks"',
  );
  const symbols = field(data, 'vocab', file, isArray, 'an array of tokens');
  if (symbols.length >= MAX_VOCAB)
    throw new LlmfsError(`${file}: vocab has ${symbols.length} entries, more than ${MAX_VOCAB - 1}`);
  const vocab = symbols.map((s, id) => {
    if (s === null) return undefined;
    if (!isString(s) || s.length === 0)
      throw new LlmfsError(`${file}: vocab[${id}] must be a non-empty string or null, got ${q(s)}`);
    return symbolsToBytesOrThrow(s, `${file}: vocab[${id}]`);
  });
  const pairs = field(data, 'merges', file, isArray, 'an array of [left, right] id pairs');
  const byKey = new Map<string, number>();
  vocab.forEach((b, id) => b && !byKey.has(bytesKey(b)) && byKey.set(bytesKey(b), id));
  const merges: Merge[] = pairs.map((p, i) => {
    if (!isArray(p) || p.length !== 2 || !isId(p[0]) || !isId(p[1]))
      throw new LlmfsError(`${file}: merges[${i}] must be a pair of token ids, got ${q(p)}`);
    const [l, r] = p as [number, number];
    const [lb, rb] = [vocab[l], vocab[r]];
    if (!lb || !rb)
      throw new LlmfsError(`${file}: merges[${i}] uses token ${lb ? r : l}, which is not in the vocab`);
    const result = byKey.get(bytesKey(lb) + bytesKey(rb));
    if (result === undefined)
      throw new LlmfsError(`${file}: merges[${i}]: the merged token is not in the vocab`);
    return [l, r, result];
  });
  try {
    return rules === 'merges'
      ? new BpeTokenizer({
          vocab,
          rules: new MergeList(merges),
          merges,
          specialTokens: specials as Record<string, number>,
          pretokenizer,
        })
      : new BpeTokenizer({
          vocab,
          rules: new RankTable(vocab, byKey),
          wholeChunkLookup: true,
          specialTokens: specials as Record<string, number>,
          pretokenizer,
        });
  } catch (err) {
    throw err instanceof LlmfsError ? new LlmfsError(`${file}: ${err.message}`) : err;
  }
}
