// Chapter 19 exercises: the lab (docs/19-the-lab.md). What the lab's panels compute: the loss floor
// its Train panel draws (the unigram entropy of the text, Shannon, 1951) and the min-p filter of
// its Next-token panel (Nguyen et al., 2024), and the 2-D map of the token embedding its Look-inside
// panel draws (PCA, Pearson, 1901).

import type { ExerciseSpec } from '../spec.js';
import { logitsRow, sameTokens, sampledTokens } from './ch08-helpers.js';
import {
  embeddingView,
  entropyAsCrossEntropy,
  plantedRows,
  tokenIds,
  withoutIterations,
} from './ch19-helpers.js';
import { referenceOf } from '../registry.js';
import '../../diagnose/embedding-pca.js'; // registers pca2d

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

interface PcaLike {
  components: [ArrayLike<number>, ArrayLike<number>];
  variances: [number, number];
}

const pca: ExerciseSpec = {
  id: 'pca-2d',
  chapter: 19,
  section: 'Look inside',
  title: 'The token embedding in 2-D: PCA by power iteration',
  exportName: 'pca2d',
  slot: 'pca2d',
  pureInputs: true,
  topics: ['model'],
  tolerance: { atol: 1e-6, rtol: 1e-5 },
  timeLimitMs: 8000,
  compare:
    "scikit-learn's PCA centres the rows and takes an SVD (LAPACK), fixing signs so the largest |value| of " +
    'each row of U is positive (svd_flip); torch.pca_lowrank uses a randomized SVD and leaves the signs ' +
    'free, so two runs may mirror the plot. Power iteration only needs matrix-vector products.',
  hints: [
    'Centre: subtract each column’s mean. Covariance C = Xcᵀ Xc / (n - 1), a (d, d) matrix.',
    'Power iteration: start from a fixed vector, repeat v = C v / ||C v|| until v stops moving; then ' +
      'λ1 = vᵀ C v. Deflate, C2 = C - λ1 v1 v1ᵀ, and iterate again for v2, projecting v1 out of v each ' +
      'step (so a zero λ2 still gives v2 ⟂ v1); stop when C v is rounding noise. Flip each v so its ' +
      'largest-|value| entry is positive.',
    'points[i] = [xc_i · v1, xc_i · v2]; explained = [λ1, λ2] / trace(C) (0 when the trace is 0). ' +
      'Return { points, components: [v1, v2], variances: [λ1, λ2], explained }.',
  ],
  cases: (rng) => [
    { name: '(20, 5), spectrum 5, 3, 1, ...', args: [plantedRows(rng, 20, 5, [5, 3, 1]), 20, 5] },
    { name: '(2, 2): two rows', args: [Float64Array.from([1, 2, 3, 1]), 2, 2] },
    { name: '(3, 6): fewer rows than columns', args: [plantedRows(rng, 3, 6, [4, 2, 1]), 3, 6] },
    { name: '(30, 8), offset 1000: centring matters', args: [plantedRows(rng, 30, 8, [3, 2], 1000), 30, 8] },
    { name: '(40, 16), an embedding-sized table', args: [plantedRows(rng, 40, 16, [2, 1.5, 0.5]), 40, 16] },
    { name: 'a plain number array', args: [[0, 0, 2, 1, 4, 2, 6, 3.5], 4, 2] },
  ],
  normalize: withoutIterations,
  diagnose(got, want, c) {
    const g = got as PcaLike | null;
    const w = want as PcaLike;
    if (!g || typeof g !== 'object' || !Array.isArray(g.variances) || !Array.isArray(g.components))
      return 'return { points, components: [v1, v2], variances: [λ1, λ2], explained }';
    const [x, n, d] = c.args as [ArrayLike<number>, number, number];
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b));
    if (near(g.variances[0], (w.variances[0] * (n - 1)) / n))
      return 'the variances are the covariance’s with 1 / n: divide Xcᵀ Xc by n - 1, as torch.cov does';
    const same = (a: ArrayLike<number>, b: ArrayLike<number>, sign: number) =>
      Array.from(b).every((v, j) => near(sign * Number(a[j]), v));
    if (
      [0, 1].some(
        (k) => same(g.components[k]!, w.components[k]!, -1) && !same(g.components[k]!, w.components[k]!, 1),
      )
    )
      return 'a component points the other way: flip each so its largest-|value| entry is positive';
    // Uncentred PCA: the rows and their negatives have mean 0 and the same directions as XᵀX.
    const both = Float64Array.from([...Array.from(x), ...Array.from(x, (v) => -v)]);
    const raw = referenceOf('pca2d')(both, 2 * n, d);
    if (same(g.components[0]!, raw.components[0], 1) && !same(g.components[0]!, w.components[0]!, 1))
      return 'the directions are those of Xᵀ X: subtract each column’s mean before the covariance';
    return null;
  },
  extra: [
    { kind: 'integration', name: 'a tiny GPT’s token embedding, as the lab draws it', run: embeddingView },
  ],
};

export const chapter19: ExerciseSpec[] = [unigram, pca, minP];
