// The BPE merge loop written plainly (minbpe's shape, Sennrich et al. 2016, section 3.2): count
// every adjacent pair, merge the most frequent everywhere, recount, repeat. O(merges · corpus), so
// for small corpora and for reading; trainBpe's loop (train.ts) gives the same merges fast by
// updating counts in place. Its two steps are exercises of their own: pair counts and merging a pair.

import type { Merge } from './rules.js';
import type { MergeLoopHooks } from './train.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'bpe-pair-counts' (chapter 2): how often each adjacent pair of ids occurs in `ids`,
     * keyed 'left,right' (overlapping occurrences all count: [1, 1, 1] has the pair '1,1' twice).
     */
    bpePairCounts(ids: number[]): Map<string, number>;
    /**
     * Exercise 'bpe-merge' (chapter 2): `ids` with every occurrence of the pair (left, right)
     * replaced by `newId`, scanning left to right without overlaps ([a, a, a] with the pair (a, a)
     * becomes [new, a]).
     */
    mergePair(ids: number[], pair: [number, number], newId: number): number[];
  }
}

export const bpePairCounts = exercisable('bpePairCounts', (ids: number[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
});

export const mergePair = exercisable(
  'mergePair',
  (ids: number[], pair: [number, number], newId: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
        out.push(newId);
        i++; // the pair's right half is used up
      } else out.push(ids[i]);
    }
    return out;
  },
);

/**
 * The same merges as trainBpe's loop for the same arguments (bpeTrain in train.ts): the chunks'
 * byte values with their weights in, the ordered merges [left, right, result] out. `onMerge`
 * hears each merge as it is made, with how often its pair occurred (as trainBpe's onMerge).
 */
export function trainMergesReadable(
  chunks: number[][],
  weights: number[],
  numTokens: number,
  minFrequency = 1,
  hooks: Pick<MergeLoopHooks, 'onMerge'> = {},
): Merge[] {
  const parts = chunks.map((c) => c.slice());
  // tokens[id] are the bytes of token id; byBytes finds a token by its bytes.
  const tokens: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  const byBytes = new Map<string, number>(tokens.map((t, id) => [t.join(','), id]));
  const merges: Merge[] = [];
  while (tokens.length < numTokens) {
    const counts = new Map<string, number>();
    parts.forEach((ids, i) => {
      for (const [key, n] of bpePairCounts(ids)) counts.set(key, (counts.get(key) ?? 0) + n * weights[i]);
    });
    // The most frequent pair; ties go to the smaller left id, then the smaller right id.
    let best: { left: number; right: number; count: number } | null = null;
    for (const [key, count] of counts) {
      const [left, right] = key.split(',').map(Number);
      if (
        !best ||
        count > best.count ||
        (count === best.count && (left < best.left || (left === best.left && right < best.right)))
      )
        best = { left, right, count };
    }
    if (!best || best.count < minFrequency) break;
    const bytes = [...tokens[best.left], ...tokens[best.right]];
    let id = byBytes.get(bytes.join(','));
    if (id === undefined) {
      id = tokens.length;
      tokens.push(bytes);
      byBytes.set(bytes.join(','), id);
    }
    merges.push([best.left, best.right, id]);
    hooks.onMerge?.({
      rank: merges.length - 1,
      left: best.left,
      right: best.right,
      result: id,
      count: best.count,
    });
    let shorter = false;
    for (let i = 0; i < parts.length; i++) {
      const merged = mergePair(parts[i], [best.left, best.right], id);
      shorter ||= merged.length < parts[i].length;
      parts[i] = merged;
    }
    // The best pair occurs, so some chunk gets shorter; if none does, the counts or the merge are
    // wrong (an exercise's function is installed), and looping on would never end.
    if (!shorter) {
      throw new LlmfsError(
        `train: merging the pair (${best.left}, ${best.right}), counted ${best.count} times, ` +
          'changed no chunk',
      );
    }
  }
  return merges;
}
