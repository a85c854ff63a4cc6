// Merge rules: which adjacent pair of tokens BPE joins first. Two equivalent spellings exist.
// Sennrich et al. (2016) keep an ordered list of merges (Hugging Face merges.txt): a pair's
// priority is its line. tiktoken keeps one rank per token: a pair's priority is the rank of the
// token its bytes would form, if that token exists. Both feed the same merge loop (merge.ts).

import { bytesKey, concatBytes } from './bytes.js';
import { LlmfsError } from '../errors.js';

/** Token ids must stay below this so a pair packs into one exact number: left * MAX_VOCAB + right. */
export const MAX_VOCAB = 1 << 21;

export function pairKey(left: number, right: number): number {
  return left * MAX_VOCAB + right;
}

export interface MergeRules {
  /** Priority of joining `left` then `right` (lower joins first), or Infinity if they never join. */
  rank(left: number, right: number): number;
  /** The token `left` `right` becomes; called only when rank() is finite. */
  merged(left: number, right: number): number;
}

/** One merge: tokens `left` and `right`, adjacent, become token `result`. */
export type Merge = readonly [left: number, right: number, result: number];

/** Sennrich-style rules: merges[i] has priority i. */
export class MergeList implements MergeRules {
  private readonly index = new Map<number, number>();

  constructor(readonly merges: readonly Merge[]) {
    merges.forEach(([l, r, result], i) => {
      if (l >= MAX_VOCAB || r >= MAX_VOCAB || result >= MAX_VOCAB) {
        throw new LlmfsError(`merge ${i}: token id above the limit ${MAX_VOCAB - 1}`);
      }
      const key = pairKey(l, r);
      // A repeated pair keeps its first (highest-priority) line, as Hugging Face does.
      if (!this.index.has(key)) this.index.set(key, i);
    });
  }

  rank(left: number, right: number): number {
    return this.index.get(pairKey(left, right)) ?? Infinity;
  }

  merged(left: number, right: number): number {
    return this.merges[this.index.get(pairKey(left, right))!][2];
  }
}

/** tiktoken-style rules: the token with id r has rank r; a pair ranks as the token it forms. */
export class RankTable implements MergeRules {
  private readonly memo = new Map<number, number>();

  /** `vocab[id]` are the bytes of token `id`; `byKey` maps bytesKey(bytes) back to the id. */
  constructor(
    private readonly vocab: readonly (Uint8Array | undefined)[],
    private readonly byKey: ReadonlyMap<string, number>,
  ) {}

  rank(left: number, right: number): number {
    const key = pairKey(left, right);
    let r = this.memo.get(key);
    if (r === undefined) {
      const joined = bytesKey(concatBytes([this.vocab[left]!, this.vocab[right]!]));
      r = this.byKey.get(joined) ?? Infinity;
      if (this.memo.size >= 1 << 20) this.memo.clear(); // bounded memory on hostile input
      this.memo.set(key, r);
    }
    return r;
  }

  merged(left: number, right: number): number {
    return this.rank(left, right);
  }
}
