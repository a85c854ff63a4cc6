// Hugging Face's GPT-2 tokenizer files: vocab.json maps each token (its bytes in GPT-2's byte
// symbols, byte-unicode.ts) to its id; merges.txt lists merges in priority order, one "A B" pair
// per line after a "#version" header (Sennrich et al. 2016's merge table). Every fault is reported
// with the file and line. Tokens that are neither one byte nor a merge's result are special.

import { LlmfsError } from '../errors.js';
import { BpeTokenizer } from './bpe.js';
import { bytesToSymbols, symbolsToBytes } from './byte-unicode.js';
import { lineOfKey, parseJson } from './json-parse.js';
import { MAX_VOCAB, MergeList, type Merge } from './rules.js';
import type { Pretokenizer } from './pretokenize.js';

export interface HfFiles {
  vocabJson: string;
  mergesTxt: string;
}

/** File names used in messages; pass the real paths when loading from disk. */
export interface HfNames {
  vocab?: string;
  merges?: string;
}

/** Parses vocab.json into token string -> id, checking every entry. */
export function parseVocabJson(text: string, file = 'vocab.json'): Map<string, number> {
  const data = parseJson(text, file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new LlmfsError(`${file}: expected a JSON object mapping each token to its id`);
  }
  const vocab = new Map<string, number>();
  const seen = new Map<number, string>();
  for (const [token, id] of Object.entries(data)) {
    const where = () => `${file}:${lineOfKey(text, token) ?? '?'}`;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_VOCAB) {
      throw new LlmfsError(
        `${where()}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}; ids must be integers ` +
          `from 0 to ${MAX_VOCAB - 1}`,
      );
    }
    if (seen.has(id))
      throw new LlmfsError(
        `${where()}: tokens ${JSON.stringify(seen.get(id))} and ${JSON.stringify(token)} share id ${id}`,
      );
    if (token.length === 0) throw new LlmfsError(`${where()}: the empty string is not a token`);
    seen.set(id, token);
    vocab.set(token, id);
  }
  return vocab;
}

/** Parses merges.txt against a vocabulary; merge i is (left, right, result) with priority i. */
export function parseMergesTxt(
  text: string,
  vocab: ReadonlyMap<string, number>,
  file = 'merges.txt',
): Merge[] {
  const merges: Merge[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line === '' || (i === 0 && line.startsWith('#version'))) continue;
    const where = `${file}:${i + 1}`;
    const fields = line.split(' ');
    if (fields.length !== 2 || fields[0] === '' || fields[1] === '') {
      throw new LlmfsError(
        `${where}: expected two tokens separated by one space, got ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    const [a, b] = fields;
    const left = vocab.get(a);
    const right = vocab.get(b);
    const result = vocab.get(a + b);
    if (left === undefined)
      throw new LlmfsError(`${where}: token ${JSON.stringify(a)} is not in the vocabulary`);
    if (right === undefined)
      throw new LlmfsError(`${where}: token ${JSON.stringify(b)} is not in the vocabulary`);
    if (result === undefined)
      throw new LlmfsError(`${where}: the merged token ${JSON.stringify(a + b)} is not in the vocabulary`);
    merges.push([left, right, result]);
  }
  return merges;
}

/** A BPE tokenizer from the text of vocab.json and merges.txt (Hugging Face semantics). */
export function bpeFromHf(
  files: HfFiles,
  names: HfNames = {},
  pretokenizer: Pretokenizer = { type: 'gpt2' },
): BpeTokenizer {
  const vocabFile = names.vocab ?? 'vocab.json';
  const tokens = parseVocabJson(files.vocabJson, vocabFile);
  const merges = parseMergesTxt(files.mergesTxt, tokens, names.merges ?? 'merges.txt');
  const results = new Set(merges.map((m) => m[2]));
  const vocab: (Uint8Array | undefined)[] = [];
  const specialTokens: Record<string, number> = {};
  for (const [token, id] of tokens) {
    const bytes = symbolsToBytes(token);
    if (bytes !== undefined && (bytes.length === 1 || results.has(id))) vocab[id] = bytes;
    else specialTokens[token] = id;
  }
  for (let b = 0; b < 256; b++) {
    if (!tokens.has(bytesToSymbols(new Uint8Array([b])))) {
      throw new LlmfsError(
        `${vocabFile}: no token for byte 0x${b.toString(16).padStart(2, '0')} (written ` +
          `${JSON.stringify(bytesToSymbols(new Uint8Array([b])))}); a byte-level vocabulary needs all 256`,
      );
    }
  }
  return new BpeTokenizer({ vocab, rules: new MergeList(merges), merges, specialTokens, pretokenizer });
}

/** vocab.json and merges.txt for a tokenizer with a merge list. */
export function bpeToHf(tok: BpeTokenizer): HfFiles {
  if (!tok.merges)
    throw new LlmfsError('save: this tokenizer has no merge list (rank-based); save it as JSON instead');
  const entries: [string, number][] = [];
  tok.vocab.forEach((bytes, id) => bytes && entries.push([bytesToSymbols(bytes), id]));
  for (const [text, id] of Object.entries(tok.specialTokens)) entries.push([text, id]);
  entries.sort((x, y) => x[1] - y[1]);
  const keys = new Set<string>();
  for (const [t] of entries) {
    if (keys.has(t))
      throw new LlmfsError(
        `save: ${JSON.stringify(t)} would appear twice in vocab.json (a special token spelled like an ` +
          `ordinary one); save as JSON instead`,
      );
    keys.add(t);
  }
  const vocabJson = `{\n${entries.map(([t, id]) => `  ${JSON.stringify(t)}: ${id}`).join(',\n')}\n}\n`;
  const lines = tok.merges.map(
    ([l, r]) => `${bytesToSymbols(tok.vocab[l]!)} ${bytesToSymbols(tok.vocab[r]!)}`,
  );
  const mergesTxt = `#version: 0.2\n${lines.join('\n')}\n`;
  return { vocabJson, mergesTxt };
}
