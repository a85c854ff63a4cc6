// Chapter 19 exercises: the lab (docs/19-the-lab.md). What the lab's panels compute: the loss floor
// its Train panel draws (the unigram entropy of the text, Shannon, 1951) and the min-p filter of
// its Next-token panel (Nguyen et al., 2024).

import type { ExerciseSpec } from '../spec.js';
import { logitsRow, sameTokens, sampledTokens } from './ch08-helpers.js';
import { entropyAsCrossEntropy, tokenIds } from './ch19-helpers.js';

/** Filters keep logits exactly and remove the rest as -Infinity (see ch08.ts's EXACT). */
const EXACT = { atol: 1e-9, rtol: 0 };

const unigram: ExerciseSpec = {
  id: 'unigram-entropy',
  chapter: 19,
  section: 'Train',
  title: 'The loss floor of a model that ignores context: the unigram entropy',
  exportName: 'unigramEntropy',
  slot: 'unigramEntropy',
  pureInputs: true,
  topics: ['training'],
  tolerance: { atol: 1e-9, rtol: 1e-9 },
  compare:
    'nanoGPT and the rasbt book report the loss of a fresh model, log V (a uniform guess); the ' +
    'unigram entropy is the next rung, the best any context-free model can do. Shannon (1951) ' +
    'measured the same ladder for English letters: 4.76 bits uniform, 4.03 bits unigram, lower with context.',
  hints: [
    'Count how often each id occurs; the frequency of id v is f_v = count_v / n.',
    'H = -Σ_v f_v log f_v, in nats (Math.log), over the ids that occur: 0 · log 0 counts as 0.',
    'const c = new Float64Array(V); for (const id of ids) c[id]++; ' +
      'let h = 0; for (const k of c) if (k > 0) h -= (k / n) * Math.log(k / n); return h;',
  ],
  cases: (rng) => [
    { name: 'random ids, V = 10, n = 200', args: [tokenIds(rng, 200, 10), 10] },
    { name: 'one id repeated: H = 0', args: [Int32Array.from([3, 3, 3, 3]), 5] },
    { name: 'uniform over 4 of V = 8: H = log 4', args: [Int32Array.from([0, 1, 2, 3, 3, 2, 1, 0]), 8] },
    { name: 'empty sequence: 0', args: [new Int32Array(0), 3] },
    { name: 'a skewed text, V = 50, n = 5000', args: [tokenIds(rng, 5000, 50, 3), 50] },
    { name: 'a plain number array', args: [[0, 0, 1, 2], 3] },
  ],
  diagnose(got, want) {
    if (typeof got !== 'number' || typeof want !== 'number' || want === 0) return null;
    if (Math.abs(got - want / Math.LN2) < 1e-9)
      return 'that is bits (log2); the losses are in nats: use Math.log';
    if (Math.abs(got + want) < 1e-9) return 'the sign is flipped: H = -Σ f log f is never negative';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'equals the cross-entropy of the frequency model on a toy task',
      run: entropyAsCrossEntropy,
    },
  ],
};

const minP: ExerciseSpec = {
  id: 'min-p',
  chapter: 19,
  section: 'Next token',
  title: 'Min-p: keep the tokens at least p_min times as likely as the top one',
  exportName: 'minPFilter',
  slot: 'minPFilter',
  topics: ['sampling'],
  tolerance: EXACT,
  compare:
    "Hugging Face's MinPLogitsWarper keeps the tokens with p >= min_p · p_max (and at least " +
    'min_tokens_to_keep); llama.cpp applies min-p in its sampler chain before temperature by ' +
    'default, so there the cut-off is taken on the T = 1 distribution.',
  hints: [
    'Softmax the row with the max subtracted, and find the largest probability p_max.',
    'Every token with p_i < pMin · p_max gets -Infinity; the top token always survives ' +
      '(p_max >= pMin · p_max).',
    'const p = softmax(logits); const cut = pMin * Math.max(...p); ' +
      'for (let i = 0; i < V; i++) if (p[i] < cut) logits[i] = -Infinity; return logits;',
  ],
  cases: (rng) => [
    { name: 'p_min = 0.1, V = 10', args: [logitsRow(rng, 10), 0.1] },
    { name: 'p_min = 0.5, V = 12, flat logits', args: [logitsRow(rng, 12, 0.4), 0.5] },
    { name: 'p_min = 0: nothing removed', args: [logitsRow(rng, 6), 0] },
    { name: 'p_min = 1: only the top token (and its ties)', args: [Float64Array.from([1, 3, 3, 0]), 1] },
    { name: 'size 1', args: [logitsRow(rng, 1), 0.3] },
    {
      name: 'large logits (±1000) with -Infinity',
      args: [Float64Array.from([1000, 999, -1000, -Infinity, 998]), 0.2],
    },
  ],
  diagnose(got, want, c) {
    if (!(got instanceof Float64Array) || !(want instanceof Float64Array) || got.length !== want.length)
      return null;
    const z = c.args[0] as Float64Array;
    const pMin = c.args[1] as number;
    const m = Math.max(...z);
    const kept = (ok: (i: number) => boolean) => Array.from(z, (v, i) => (ok(i) ? v : -Infinity));
    const same = (a: ArrayLike<number>) => Array.from(a).every((v, i) => v === got[i]);
    if (same(kept((i) => z[i] >= pMin * m)))
      return 'the threshold is on probabilities (p_i >= p_min · p_max), not on the logits';
    if (z.some((v) => v > 700) && Array.from(got).some((v) => Number.isNaN(v)))
      return 'NaN: subtract the largest logit before exp, so ±1000 does not overflow';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT samples 12 tokens with min-p 0.2, seed 5',
      run: () =>
        sameTokens('sampling with min-p 0.2', sampledTokens({ strategy: 'sample', minP: 0.2, seed: 5 })),
    },
  ],
};

export const chapter19: ExerciseSpec[] = [unigram, minP];
