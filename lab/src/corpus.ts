// The lab's training texts: the toy tasks, generated in code from a seed (reversal and addition,
// the algorithmic tasks of Sequence Toy and of nanoGPT's sorting demo), their tokenizer (characters,
// or byte-level BPE learned by the library's readable trainer) and the split into train and
// validation tokens. Pure TypeScript, so the Node tests build the very same data.

import {
  bpeFromMerges,
  CharTokenizer,
  countChunks,
  Rng,
  Splitter,
  splitTrainVal,
  toTokenArray,
  trainMergesReadable,
  utf8Encode,
  type BpeTokenizer,
  type Merge,
  type TokenData,
  type TrainOptions,
} from '../../src/index.js';
import type { Setup } from './setup.js';

/** Lines such as "dbca>acbd": a random word over a-h (3 to 8 letters), '>', the word reversed. */
export function reversalTask(lines: number, seed: number): string {
  const rng = new Rng(seed);
  const letters = 'abcdefgh';
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = 3 + Math.floor(rng.random() * 6);
    let w = '';
    for (let j = 0; j < n; j++) w += letters[Math.floor(rng.random() * letters.length)];
    out.push(`${w}>${[...w].reverse().join('')}\n`);
  }
  return out.join('');
}

/** Lines such as "37+458=495": two random numbers below 1000 and their sum. */
export function additionTask(lines: number, seed: number): string {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const a = Math.floor(rng.random() * 1000);
    const b = Math.floor(rng.random() * 1000);
    out.push(`${a}+${b}=${a + b}\n`);
  }
  return out.join('');
}

/** The text of a generated toy task (the same seed gives the same text, in the page and in Node). */
export function toyText(name: 'reversal' | 'addition', seed: number): string {
  return name === 'reversal' ? reversalTask(4000, seed) : additionTask(4000, seed);
}

/** What the BPE trainer reads: each distinct pre-token chunk (GPT-2's regex) as bytes, and its count. */
export function bpeChunks(text: string): { chunks: number[][]; weights: number[] } {
  const counts = countChunks([text], new Splitter({ type: 'gpt2' }), []);
  return {
    chunks: [...counts.keys()].map((c) => Array.from(utf8Encode(c))),
    weights: [...counts.values()],
  };
}

/**
 * BPE merges learned on `text` by the library's readable trainer (train-readable.ts), until the
 * vocabulary holds 256 bytes + `merges` tokens (fewer when no pair is left). Deterministic: the
 * Tokenizer lab and a BPE training run learn the same merges from the same text.
 */
export function learnMerges(text: string, merges: number, onMerge?: TrainOptions['onMerge']): Merge[] {
  const { chunks, weights } = bpeChunks(text);
  return trainMergesReadable(chunks, weights, 256 + merges, 1, { onMerge });
}

/** A text made ready to train on: its tokenizer and 90% / 10% train / validation tokens. */
export interface Prepared {
  tokenizer: CharTokenizer | BpeTokenizer;
  data: TokenData;
}

/** Tokenizes `text` as the setup says: one token per character, or BPE with `merges` learned tokens. */
export function prepare(
  text: string,
  setup: Pick<Setup, 'tokenizer' | 'merges'> = { tokenizer: 'char', merges: 0 },
): Prepared {
  const tokenizer =
    setup.tokenizer === 'bpe'
      ? bpeFromMerges(learnMerges(text, setup.merges))
      : CharTokenizer.fromCorpus(text);
  const tokens = toTokenArray(tokenizer.encode(text), tokenizer.vocabSize);
  return { tokenizer, data: splitTrainVal(tokens, 0.1) };
}
