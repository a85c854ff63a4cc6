// Token files on disk (Node): writes DIR/train.bin, DIR/val.bin and DIR/meta.json (nanoGPT's
// layout, see token-bin.ts), each atomically (temp file + rename), and reads a split back as the
// id array `llmfs train` batches from, after checking it against meta.json.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import { splitTrainVal, toTokenArray, type TokenArray } from '../train/data.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import {
  decodeTokenBin,
  encodeTokenBin,
  parseTokenBinMeta,
  tokenDtypeFor,
  TOKEN_BIN_FORMAT,
  type TokenBinMeta,
} from './token-bin.js';

export type TokenSplit = 'train' | 'val';

export interface WriteTokenBinsInput {
  /** The ids of the training split and of the validation split. */
  train: ArrayLike<number>;
  val: ArrayLike<number>;
  vocabSize: number;
  tokenizer: string;
  eotToken?: number | null;
  source?: string;
}

/** Writes train.bin, val.bin, then meta.json (last, so it describes the finished pair). */
export function writeTokenBins(dir: string, input: WriteTokenBinsInput): TokenBinMeta {
  const dtype = tokenDtypeFor(input.vocabSize);
  const train = encodeTokenBin(input.train, dtype, input.vocabSize);
  const val = encodeTokenBin(input.val, dtype, input.vocabSize);
  makeDirs(dir, 'token files');
  atomicWriteFile(join(dir, 'train.bin'), train);
  atomicWriteFile(join(dir, 'val.bin'), val);
  const meta: TokenBinMeta = {
    format: TOKEN_BIN_FORMAT,
    dtype,
    vocab_size: input.vocabSize,
    tokenizer: input.tokenizer,
    eot_token: input.eotToken ?? null,
    train_tokens: input.train.length,
    val_tokens: input.val.length,
    source: input.source ?? '',
  };
  atomicWriteFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** DIR/meta.json, checked. */
export function readTokenBinMeta(dir: string): TokenBinMeta {
  const file = join(dir, 'meta.json');
  if (!existsSync(file))
    throw new LlmfsError(`${file}: not found (a token directory holds train.bin, val.bin and meta.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LlmfsError(
      `${file}: not valid JSON (${err instanceof SyntaxError ? err.message : fsReason(err)})`,
    );
  }
  return parseTokenBinMeta(raw, file);
}

/** One split's ids, checked: whole ids, the count meta.json gives, every id inside the vocabulary. */
export function readTokenBin(dir: string, split: TokenSplit): { tokens: TokenArray; meta: TokenBinMeta } {
  const meta = readTokenBinMeta(dir);
  const file = join(dir, `${split}.bin`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new LlmfsError(`${file}: cannot read (${fsReason(err)})`);
  }
  const tokens = decodeTokenBin(bytes, meta.dtype, meta.vocab_size, file);
  const expected = split === 'train' ? meta.train_tokens : meta.val_tokens;
  if (tokens.length !== expected)
    throw new LlmfsError(
      `${file}: holds ${tokens.length} tokens but meta.json says ${expected} ` +
        '(truncated, or from another export)',
    );
  return { tokens, meta };
}

export interface TokenizeToBinsOptions {
  /** Share of the tokens held out as val.bin: the last ones, as `llmfs train` splits (default 0.1). */
  valFraction?: number;
  /** How the tokenizer is named in meta.json ('gpt2', 'char', a path). */
  tokenizerName: string;
  /** Where the text came from, for meta.json. */
  source?: string;
}

/**
 * Encodes `text` and writes it as token files: the same ids, and the same train/validation split,
 * that `llmfs train` makes from the same text, tokenizer and --val-fraction.
 */
export function tokenizeToBins(
  dir: string,
  text: string,
  tok: Tokenizer,
  o: TokenizeToBinsOptions,
): TokenBinMeta {
  const tokens = toTokenArray(tok.encode(text), tok.vocabSize);
  const { train, val } = splitTrainVal(tokens, o.valFraction ?? 0.1);
  const eot = tok instanceof BpeTokenizer ? tok.specialTokens['<|endoftext|>'] : undefined;
  return writeTokenBins(dir, {
    train,
    val,
    vocabSize: tok.vocabSize,
    tokenizer: o.tokenizerName,
    eotToken: eot ?? null,
    source: o.source ?? '',
  });
}
