// Attention patterns: which keys each query may see. Full causal attention lets the query at
// position i see every key j <= i, T(T+1)/2 pairs in all; a pattern keeps a band or a sparse
// subset of them, so the work grows as T·W instead of T²:
// - sliding window (Longformer, Beltagy et al., 2020; Mistral, Jiang et al., 2023): the last W
//   positions, i - W < j <= i;
// - strided (Sparse Transformer, Child et al., 2019, section 4.2): the previous l positions and
//   every l-th one before them, A(1)_i = {j : i - l < j <= i}, A(2)_i = {j : (i - j) mod l = 0};
// - fixed (ibid.): the block of width l that i is in, and the last c positions of every earlier
//   block (the "summary" cells), A(1)_i = {j : ⌊j/l⌋ = ⌊i/l⌋}, A(2)_i = {j : j mod l >= l - c}.
// Every pattern is causal (j <= i). The stride l is the config's `window` W. Each pattern comes in
// two forms: per-query key lists, which the sparse attention op loops over, and a dense (Tq, Tk)
// 0/1 mask for the readable reference (model/attention.ts).

import { Tensor } from '../tensor/tensor.js';
import type { KeyLists } from '../tensor/ops/sparse-attention.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'sparse-pattern' (chapter 15): the keys (absolute positions, ascending) the query at
     * position i sees under pattern p: full, sliding window, Sparse Transformer strided or fixed.
     */
    keysOf(p: AttentionPattern, i: number): number[];
  }
}

export const PATTERN_KINDS = ['full', 'sliding', 'sparse-strided', 'sparse-fixed'] as const;
export type PatternKind = (typeof PATTERN_KINDS)[number];

export interface AttentionPattern {
  kind: PatternKind;
  /** W: the width of the sliding window, or the stride l of the sparse patterns. */
  window: number;
  /** c: how many positions at the end of each block every later query sees (fixed pattern). */
  summary: number;
}

/**
 * The fixed pattern's c for a stride l: l/8, at least 1. Child et al. found c in {8, 16, 32} to work
 * well for l in {128, 256}.
 */
export const defaultSummary = (window: number): number => Math.max(1, Math.floor(window / 8));

/** A pattern, checked; `kind` may be any attention kind: those that are not patterns give null. */
export function attentionPattern(
  kind: string,
  window: number,
  summary = defaultSummary(window),
): AttentionPattern | null {
  if (!(PATTERN_KINDS as readonly string[]).includes(kind)) return null;
  if (!Number.isInteger(window) || window < 1)
    throw new LlmfsError(`attention pattern: window must be a positive integer, got ${window}`);
  if (!Number.isInteger(summary) || summary < 1 || summary > window) {
    throw new LlmfsError(
      `attention pattern: the fixed pattern's summary width must be in 1..${window}, got ${summary}`,
    );
  }
  return { kind: kind as PatternKind, window, summary };
}

/** A model config's pattern: null for full attention and for variants that are not patterns. */
export function patternOf(c: { attention: string; window: number }): AttentionPattern | null {
  return c.attention === 'full' ? null : attentionPattern(c.attention, c.window);
}

/** May the query at absolute position i see the key at position j? The patterns as sets. */
export function sees(p: AttentionPattern, i: number, j: number): boolean {
  const W = p.window;
  if (j < 0 || j > i) return false;
  switch (p.kind) {
    case 'full':
      return true;
    case 'sliding':
      return i - j < W;
    case 'sparse-strided':
      // The paper's A(1) starts at max(0, i - l), one earlier; that key is in A(2) anyway.
      return i - j < W || (i - j) % W === 0;
    case 'sparse-fixed':
      return Math.floor(j / W) === Math.floor(i / W) || j % W >= W - p.summary;
  }
}

/** The keys (absolute positions, ascending) the query at position i sees, built without testing 0..i. */
export const keysOf = exercisable('keysOf', (p: AttentionPattern, i: number): number[] => {
  const W = p.window;
  const keys: number[] = [];
  const range = (from: number, to: number) => {
    for (let j = from; j <= to; j++) keys.push(j);
  };
  switch (p.kind) {
    case 'full':
      range(0, i);
      break;
    case 'sliding':
      range(Math.max(0, i - W + 1), i);
      break;
    case 'sparse-strided': {
      const local = Math.max(0, i - W + 1);
      for (let j = i % W; j < local; j += W) keys.push(j); // every W-th before the window
      range(local, i);
      break;
    }
    case 'sparse-fixed': {
      const own = i - (i % W); // first position of i's block
      for (let b = 0; b < own; b += W) range(b + W - p.summary, b + W - 1); // summaries of earlier blocks
      range(own, i);
      break;
    }
  }
  return keys;
});

/**
 * Key lists for Tq queries over Tk keys, as the sparse attention op takes them: the keys are the
 * positions kStart .. kStart+Tk-1 (kStart > 0 when a rolling cache dropped older ones), and the
 * queries the last Tq of them. Indices are into the Tk keys. Size: the pattern's pairs, not Tq·Tk.
 */
export function keyLists(p: AttentionPattern, Tq: number, Tk = Tq, kStart = 0): KeyLists {
  if (Tk < Tq) throw new LlmfsError(`attention pattern: ${Tq} queries cannot come after only ${Tk} keys`);
  const offsets = new Int32Array(Tq + 1);
  const rows: number[][] = [];
  for (let i = 0; i < Tq; i++) {
    const pos = kStart + Tk - Tq + i; // the query's absolute position
    const keys = keysOf(p, pos);
    if (keys.length > 0 && keys[0] < kStart) {
      throw new LlmfsError(
        `attention pattern: the query at position ${pos} needs the key at ${keys[0]}, but the keys ` +
          `start at ${kStart}`,
      );
    }
    rows.push(keys);
    offsets[i + 1] = offsets[i] + keys.length;
  }
  const keys = new Int32Array(offsets[Tq]);
  rows.forEach((r, i) => r.forEach((j, n) => (keys[offsets[i] + n] = j - kStart)));
  return { offsets, keys };
}

/**
 * The pattern as a dense mask (Tq, Tk), 1 = may attend, for the same queries and keys as keyLists:
 * what the readable reference multiplies into the T x T scores (it includes the causal mask).
 */
export function patternMask(p: AttentionPattern, Tq: number, Tk = Tq, kStart = 0): Tensor {
  const m = new Float32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) {
    const pos = kStart + Tk - Tq + i;
    for (let j = 0; j < Tk; j++) if (sees(p, pos, kStart + j)) m[i * Tk + j] = 1;
  }
  return new Tensor(m, [Tq, Tk]);
}
