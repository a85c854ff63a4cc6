// Language-model batches from one long array of token ids. The objective is next-token
// prediction: a window of blockSize + 1 tokens gives inputs x = w[0..T-1] and targets
// y = w[1..T], so every position learns to predict the token after it (Radford et al., 2018).
// Windows start at random (seeded) offsets; the sampler's state is saved with a checkpoint so a
// resumed run sees exactly the batches an uninterrupted one would.

import { Tensor } from '../tensor/tensor.js';
import { Rng, type RngState } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';

export type TokenArray = Uint16Array | Uint32Array;

/** Stores ids compactly: 16 bits when the vocabulary fits, else 32. */
export function toTokenArray(ids: ArrayLike<number>, vocabSize: number): TokenArray {
  const out = vocabSize <= 65536 ? new Uint16Array(ids.length) : new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= vocabSize)
      throw new LlmfsError(`token id ${v} at position ${i} is outside the vocabulary of ${vocabSize}`);
    out[i] = v;
  }
  return out;
}

/** Splits into train (first part) and validation (last `valFraction`), as nanoGPT does. */
export function splitTrainVal(
  tokens: TokenArray,
  valFraction: number,
): { train: TokenArray; val: TokenArray } {
  if (!(valFraction >= 0 && valFraction < 1))
    throw new LlmfsError(`valFraction must be in [0, 1), got ${valFraction}`);
  const n = Math.floor(tokens.length * (1 - valFraction));
  return { train: tokens.subarray(0, n), val: tokens.subarray(n) };
}

export interface Batch {
  x: Tensor; // (B, T) input ids
  y: Tensor; // (B, T) next-token targets
  /** (B, T): 1 where the loss counts the position, 0 where it ignores it (e.g. a prompt, padding). */
  mask?: Tensor;
}

/** The batch whose rows start at `starts`. */
export function batchAt(tokens: TokenArray, starts: readonly number[], blockSize: number): Batch {
  const B = starts.length;
  const x = new Float32Array(B * blockSize);
  const y = new Float32Array(B * blockSize);
  starts.forEach((s, b) => {
    for (let t = 0; t < blockSize; t++) {
      x[b * blockSize + t] = tokens[s + t];
      y[b * blockSize + t] = tokens[s + t + 1];
    }
  });
  return { x: new Tensor(x, [B, blockSize]), y: new Tensor(y, [B, blockSize]) };
}

/**
 * Draws random windows from a token array with its own seeded generator: an endless batch
 * source (see batches.ts) whose state is its generator's, so a resumed run continues exactly.
 */
export class BatchSampler implements Iterable<Batch> {
  readonly rng: Rng;

  constructor(
    readonly tokens: TokenArray,
    readonly blockSize: number,
    readonly batchSize: number,
    seed: number,
    readonly name = 'data',
  ) {
    if (tokens.length < blockSize + 1) {
      throw new LlmfsError(
        `${name}: ${tokens.length} tokens are too few for a window of blockSize + 1 = ${blockSize + 1}; ` +
          `use more data or a smaller block size`,
      );
    }
    this.rng = new Rng(seed);
  }

  next(): Batch {
    const max = this.tokens.length - this.blockSize - 1;
    const starts = Array.from({ length: this.batchSize }, () => this.rng.randint(0, max + 1));
    return batchAt(this.tokens, starts, this.blockSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (;;) yield this.next();
  }

  getState(): RngState {
    return this.rng.getState();
  }

  setState(s: RngState): void {
    this.rng.setState(s);
  }
}
