// Token files in nanoGPT's format (Karpathy's prepare.py): train.bin / val.bin hold the token ids
// as raw little-endian unsigned integers, no header: uint16 when every id fits (vocabulary of at
// most 65,536), else uint32. meta.json says which, as nanoGPT's meta.pkl does. Portable: bytes only.

import { LlmfsError } from '../errors.js';
import type { TokenArray } from '../train/data.js';

export type TokenDtype = 'uint16' | 'uint32';

/** What meta.json records beside train.bin and val.bin. */
export interface TokenBinMeta {
  /** Always 'nanogpt-bin': raw little-endian ids, no header. */
  format: 'nanogpt-bin';
  dtype: TokenDtype;
  /** V: every id is < vocab_size. */
  vocab_size: number;
  /** The tokenizer the ids come from ('gpt2', 'char', or its path). */
  tokenizer: string;
  /** The id of <|endoftext|>, or null when the tokenizer has none. */
  eot_token: number | null;
  train_tokens: number;
  val_tokens: number;
  /** Where the text came from. */
  source: string;
}

export const TOKEN_BIN_FORMAT = 'nanogpt-bin';

/** uint16 holds ids 0..65535, so a vocabulary of up to 65,536 ids; larger needs uint32. */
export function tokenDtypeFor(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

export const bytesPerToken = (dtype: TokenDtype): number => (dtype === 'uint16' ? 2 : 4);

/** ids -> little-endian bytes of `dtype`; every id must be an integer in [0, vocabSize). */
export function encodeTokenBin(ids: ArrayLike<number>, dtype: TokenDtype, vocabSize: number): Uint8Array {
  const width = bytesPerToken(dtype);
  const max = Math.min(vocabSize, dtype === 'uint16' ? 65536 : 2 ** 32);
  const out = new Uint8Array(ids.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= max)
      throw new LlmfsError(
        `token file: id ${v} at position ${i} does not fit a vocabulary of ${vocabSize} stored as ${dtype}`,
      );
    if (width === 2) view.setUint16(2 * i, v, true);
    else view.setUint32(4 * i, v, true);
  }
  return out;
}

/**
 * Little-endian bytes -> ids (a Uint16Array or Uint32Array, as the training data uses). `name`
 * labels errors: a length that is not whole ids (a truncated copy), or an id >= vocabSize.
 */
export function decodeTokenBin(
  bytes: Uint8Array,
  dtype: TokenDtype,
  vocabSize: number,
  name: string,
): TokenArray {
  const width = bytesPerToken(dtype);
  if (bytes.length % width !== 0)
    throw new LlmfsError(
      `${name}: ${bytes.length} bytes is not a whole number of ${dtype} ids (${width} bytes each); ` +
        'the file is truncated or not a token file',
    );
  const n = bytes.length / width;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = width === 2 ? new Uint16Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = width === 2 ? view.getUint16(2 * i, true) : view.getUint32(4 * i, true);
    if (v >= vocabSize)
      throw new LlmfsError(
        `${name}: id ${v} at position ${i} is outside the vocabulary of ${vocabSize} (meta.json)`,
      );
    out[i] = v;
  }
  return out;
}

/** Checks a parsed meta.json; `where` names the file in errors. */
export function parseTokenBinMeta(raw: unknown, where: string): TokenBinMeta {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(`${where}: must hold a JSON object`);
  const r = raw as Record<string, unknown>;
  if (r.format !== TOKEN_BIN_FORMAT)
    throw new LlmfsError(`${where}: "format" is ${JSON.stringify(r.format)}, expected "${TOKEN_BIN_FORMAT}"`);
  if (r.dtype !== 'uint16' && r.dtype !== 'uint32')
    throw new LlmfsError(`${where}: "dtype" must be "uint16" or "uint32", got ${JSON.stringify(r.dtype)}`);
  const count = (key: string, min: number): number => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new LlmfsError(`${where}: "${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const vocab = count('vocab_size', 1);
  if (r.dtype === 'uint16' && vocab > 65536)
    throw new LlmfsError(`${where}: a vocabulary of ${vocab} does not fit uint16 ids (use uint32)`);
  const eot = r.eot_token ?? null;
  if (eot !== null && (typeof eot !== 'number' || !Number.isInteger(eot) || eot < 0 || eot >= vocab))
    throw new LlmfsError(`${where}: "eot_token" must be null or an id below ${vocab}`);
  return {
    format: TOKEN_BIN_FORMAT,
    dtype: r.dtype,
    vocab_size: vocab,
    tokenizer: typeof r.tokenizer === 'string' ? r.tokenizer : '',
    eot_token: eot,
    train_tokens: count('train_tokens', 0),
    val_tokens: count('val_tokens', 0),
    source: typeof r.source === 'string' ? r.source : '',
  };
}
