// What one attention head does on one sequence, as numbers. A head's pattern A is (T, T), causal:
// row i (the query at position i) is a distribution over keys j <= i. The scores follow Olsson et
// al. (2022, "In-context learning and induction heads") and the TransformerLens conventions:
//   entropy      mean over queries i = 1..T-1 of H_i = -Σ_j A[i,j] log A[i,j] (nats). Query 0 sees
//                one key, so H_0 = 0 always and is left out. `normalised` divides each H_i by its
//                maximum, log(i + 1) (uniform over the i + 1 visible keys), before averaging:
//                0 = every query looks at one key, 1 = every query spreads evenly.
//   previous     mean over i = 1..T-1 of A[i, i-1]: the previous-token score.
//   sink         mean over i = 1..T-1 of A[i, 0]: the first-token ("attention sink") score;
//                query 0 is left out (it can only look at key 0).
//   local        mean over i = k+1..T-1 of Σ_{j=i-k..i} A[i,j], k = LOCAL_WINDOW = 3: the mass on
//                the query's own token and the 3 before it. Queries i <= k are left out (their
//                window holds every key, so their score would be 1 whatever the head does).
// `local` contains `previous` (key i-1 is in the window), so it is a broad score: heads.ts
// classifies a head as local only when no specific score passes.

import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'head-scores' (chapter 14): one head's causal (T, T) pattern -> its mean entropy
     * and normalised entropy, previous-token, first-token (sink) and local scores, as defined in
     * src/diagnose/attention-stats.ts.
     */
    attentionStats(A: Pattern): AttentionStats;
  }
}

/** Keys i-k..i count as local (the query's own token and the k before it). */
export const LOCAL_WINDOW = 3;

/** One head's pattern: rows[i][j] = attention of query i on key j (j <= i), T x T. */
export type Pattern = readonly (readonly number[])[];

export interface AttentionStats {
  /** Mean entropy per query in nats (queries 1..T-1). */
  entropy: number;
  /** Mean of H_i / log(i + 1) over queries 1..T-1, in [0, 1]. */
  entropyNormalised: number;
  previous: number;
  sink: number;
  /** NaN when the sequence has no query past the window (T <= LOCAL_WINDOW + 1). */
  local: number;
}

/** Heads' patterns out of a recorded (B, nh, T, Tk) attention tensor's storage, batch item `b`. */
export function headPatterns(
  data: ArrayLike<number>,
  shape: readonly number[],
  b = 0,
): number[][][] /* (nh, T, Tk) */ {
  const [, nh, T, Tk] = shape;
  const out: number[][][] = [];
  for (let h = 0; h < nh; h++) {
    const rows: number[][] = [];
    for (let i = 0; i < T; i++) {
      const base = ((b * nh + h) * T + i) * Tk;
      rows.push(Array.from({ length: Tk }, (_, j) => data[base + j]));
    }
    out.push(rows);
  }
  return out;
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** H_i = -Σ_j p_j log p_j in nats (0 log 0 = 0). */
export function rowEntropy(row: readonly number[], upTo = row.length - 1): number {
  let h = 0;
  for (let j = 0; j <= upTo; j++) if (row[j] > 0) h -= row[j] * Math.log(row[j]);
  return h;
}

/** The stats of one head's pattern (definitions in the header). */
export const attentionStats = exercisable('attentionStats', (A: Pattern): AttentionStats => {
  const T = A.length;
  const ent: number[] = [];
  const entN: number[] = [];
  const prev: number[] = [];
  const sink: number[] = [];
  const local: number[] = [];
  for (let i = 1; i < T; i++) {
    const h = rowEntropy(A[i], i);
    ent.push(h);
    entN.push(h / Math.log(i + 1));
    prev.push(A[i][i - 1]);
    sink.push(A[i][0]);
    if (i > LOCAL_WINDOW) {
      let m = 0;
      for (let j = i - LOCAL_WINDOW; j <= i; j++) m += A[i][j];
      local.push(m);
    }
  }
  return {
    entropy: mean(ent),
    entropyNormalised: mean(entN),
    previous: mean(prev),
    sink: mean(sink),
    local: mean(local),
  };
});
