// The lab's training texts: the toy tasks, generated in code from a seed (reversal and addition,
// the algorithmic tasks of Sequence Toy and of nanoGPT's sorting demo), and the split of a text
// into train and validation tokens. Pure TypeScript, so the Node tests build the very same data.

import { CharTokenizer, Rng, splitTrainVal, toTokenArray, type TokenData } from '../../src/index.js';

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

/** A text made ready to train on: its char tokenizer and 90% / 10% train / validation tokens. */
export interface Prepared {
  tokenizer: CharTokenizer;
  data: TokenData;
}

export function prepare(text: string): Prepared {
  const tokenizer = CharTokenizer.fromCorpus(text);
  const tokens = toTokenArray(tokenizer.encode(text), tokenizer.vocabSize);
  return { tokenizer, data: splitTrainVal(tokens, 0.1) };
}
