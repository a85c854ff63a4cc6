// The BPE merge loop on one pre-token chunk (Sennrich et al. 2016, applied at encode time):
// start from one token per byte and repeatedly join the adjacent pair of lowest rank, the
// leftmost one on a tie, until no adjacent pair has a rank. Two versions that agree exactly.

import type { MergeRules } from './rules.js';
import { Heap } from './heap.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'bpe-encode' (chapter 2): one chunk's byte tokens merged by rank: repeatedly join
     * the adjacent pair of lowest rules.rank (the leftmost on ties) into rules.merged, until no
     * adjacent pair has a finite rank.
     */
    bpeEncode(ids: readonly number[], rules: MergeRules): number[];
  }
}

/**
 * The readable version: rescan every pair after each merge. O(n^2) for n bytes, which is the
 * fastest choice for the short chunks ordinary text produces (a word, a number, a space run).
 */
export function mergeScan(tokens: readonly number[], rules: MergeRules): number[] {
  const parts = tokens.slice();
  // ranks[i] is the rank of the pair (parts[i], parts[i+1]).
  const ranks: number[] = [];
  for (let i = 0; i + 1 < parts.length; i++) ranks.push(rules.rank(parts[i], parts[i + 1]));
  while (ranks.length > 0) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i < ranks.length; i++) {
      if (ranks[i] < best) {
        best = ranks[i];
        at = i;
      }
    }
    if (at < 0) break;
    parts[at] = rules.merged(parts[at], parts[at + 1]);
    parts.splice(at + 1, 1);
    ranks.splice(at, 1);
    if (at > 0) ranks[at - 1] = rules.rank(parts[at - 1], parts[at]);
    if (at < parts.length - 1) ranks[at] = rules.rank(parts[at], parts[at + 1]);
  }
  return parts;
}

interface Candidate {
  rank: number;
  pos: number;
  /** Versions of the left and right node when this candidate was pushed; stale if either moved. */
  leftVersion: number;
  rightVersion: number;
}

const before = (a: Candidate, b: Candidate): boolean =>
  a.rank < b.rank || (a.rank === b.rank && a.pos < b.pos);

/**
 * The fast version for long chunks: a doubly linked list of parts and a heap of candidate pairs
 * ordered by (rank, position). O(n log n). A candidate whose nodes changed since it was pushed
 * is skipped when popped (lazy deletion).
 */
export function mergeHeap(tokens: readonly number[], rules: MergeRules): number[] {
  const n = tokens.length;
  const sym = Int32Array.from(tokens);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const version = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new Heap<Candidate>(before);
  const offer = (pos: number): void => {
    const right = next[pos];
    if (right < 0) return;
    const rank = rules.rank(sym[pos], sym[right]);
    if (rank !== Infinity) heap.push({ rank, pos, leftVersion: version[pos], rightVersion: version[right] });
  };
  for (let i = 0; i + 1 < n; i++) offer(i);
  let c: Candidate | undefined;
  while ((c = heap.pop()) !== undefined) {
    const { pos } = c;
    const right = next[pos];
    if (!alive[pos] || right < 0 || version[pos] !== c.leftVersion || version[right] !== c.rightVersion)
      continue;
    sym[pos] = rules.merged(sym[pos], sym[right]);
    alive[right] = 0;
    next[pos] = next[right];
    if (next[pos] >= 0) prev[next[pos]] = pos;
    version[pos]++;
    if (prev[pos] >= 0) offer(prev[pos]);
    offer(pos);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0 && i < n; i = next[i]) out.push(sym[i]);
  return out;
}

/** Chunks up to this many bytes use mergeScan, longer ones mergeHeap (see bench/tokenizer.ts). */
export const SCAN_LIMIT = 256;

/** The merge loop the tokenizer runs on each chunk (through the registry: exercise 'bpe-encode'). */
export const bpeMerge = exercisable('bpeEncode', (tokens: readonly number[], rules: MergeRules): number[] =>
  tokens.length <= SCAN_LIMIT ? mergeScan(tokens, rules) : mergeHeap(tokens, rules),
);
