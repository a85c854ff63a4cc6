// Induction heads (Olsson et al., 2022, "In-context learning and induction heads"): a head that, at
// a token it has seen before, attends to the token that FOLLOWED its previous occurrence, so the
// model can copy it ([A][B] ... [A] -> [B]). Measured as in the paper and TransformerLens: feed R
// random tokens repeated twice, x[R + t] = x[t]; every second-half query i (R <= i < 2R) has its
// previous occurrence at i - R, so the induction score is
//   induction = mean over i = R..2R-1 of A[i, i - R + 1].
// The R tokens are drawn without replacement (so each has one earlier occurrence), seeded, and only
// from the ids `usable` allows (no special tokens, no unused ids). A uniform head scores about
// ln(2)/R; a perfect induction head 1.
// Then each head gets a class: the highest of its specific scores (induction, previous-token,
// first-token/sink) if it reaches CLASS_THRESHOLD, else 'local' if its local score reaches
// LOCAL_THRESHOLD (local contains previous-token, so it only names heads no specific score fits),
// else 'mixed'.

import { Rng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { attentionStats, type Pattern } from './attention-stats.js';

/** A specific score at or above this names the head's class. */
export const CLASS_THRESHOLD = 0.4;
/** The local score (mass on the last 4 keys) needed for 'local' when no specific score passes. */
export const LOCAL_THRESHOLD = 0.7;

export type HeadClass = 'induction' | 'previous-token' | 'sink' | 'local' | 'mixed';

/** R distinct random ids from [0, vocab) that `usable` accepts, then the same R again: 2R ids. */
export function repeatedRandomTokens(
  R: number,
  vocab: number,
  seed: number,
  usable: (id: number) => boolean = () => true,
): number[] {
  const pool: number[] = [];
  for (let id = 0; id < vocab; id++) if (usable(id)) pool.push(id);
  if (!Number.isInteger(R) || R < 2)
    throw new LlmfsError(`induction sequence: its length R must be an integer >= 2, got ${R}`);
  if (pool.length < R)
    throw new LlmfsError(
      `induction sequence: R = ${R} distinct tokens are needed but the vocabulary has ${pool.length}`,
    );
  // A partial Fisher-Yates shuffle: the first R of the pool, each order equally likely.
  const rng = new Rng(seed);
  for (let i = 0; i < R; i++) {
    const j = rng.randint(i, pool.length);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const half = pool.slice(0, R);
  return [...half, ...half];
}

/** The induction score of one head's (2R, 2R) pattern on a repeated sequence of length 2R. */
export function inductionScore(A: Pattern, R: number): number {
  if (A.length !== 2 * R)
    throw new LlmfsError(`inductionScore: the pattern has ${A.length} rows, expected 2R = ${2 * R}`);
  let s = 0;
  for (let i = R; i < 2 * R; i++) s += A[i][i - R + 1];
  return s / R;
}

export interface HeadScoreSet {
  induction: number;
  previous: number;
  sink: number;
  local: number;
}

/** The class of a head from its scores (rule in the header). */
export function classifyHead(s: HeadScoreSet): HeadClass {
  const specific: [HeadClass, number][] = [
    ['induction', s.induction],
    ['previous-token', s.previous],
    ['sink', s.sink],
  ];
  let best: [HeadClass, number] | null = null;
  for (const c of specific) if (c[1] >= CLASS_THRESHOLD && (!best || c[1] > best[1])) best = c;
  if (best) return best[0];
  return s.local >= LOCAL_THRESHOLD ? 'local' : 'mixed';
}

/** Uniform causal attention over T keys: row i is 1/(i + 1) on keys 0..i. */
function uniformPattern(T: number): number[][] {
  return Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j <= i ? 1 / (i + 1) : 0)));
}

/**
 * What a head that attends uniformly scores, on a prompt of T tokens and an induction sequence of
 * 2R: the floor a score must clear before it says anything about the head.
 */
export function uniformScores(T: number, R: number): HeadScoreSet {
  const s = attentionStats(uniformPattern(T));
  return {
    induction: inductionScore(uniformPattern(2 * R), R),
    previous: s.previous,
    sink: s.sink,
    local: s.local,
  };
}
