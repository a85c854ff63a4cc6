// Chapter 8 exercises: generation (docs/08-generation.md). The decoding strategies work on one
// row of V logits (Float64Array); the KV cache on tensors (B, T, W); the beam search step on the
// beams' logit rows. Each integration step makes a tiny GPT generate with the learner's function
// inside and requires the same tokens as with the library's own.

import type { ExerciseSpec } from '../spec.js';
import { logitsRow, sameTokens, sampledTokens } from './ch08-helpers.js';
import { kvCacheAppend, beamSearchStep } from './ch08-inference.js';

const STRATEGIES = 'The strategies';

/**
 * Filters keep logits exactly and remove the rest as -Infinity. rtol is 0 because with rtol > 0
 * the tolerance atol + rtol·|want| is infinite where the reference is -Infinity, and any number
 * would pass there.
 */
const EXACT = { atol: 1e-9, rtol: 0 };

/** How many entries of a row are finite (kept by a filter). */
const keptCount = (x: unknown): number =>
  x instanceof Float64Array || Array.isArray(x)
    ? Array.from(x as ArrayLike<number>).filter((v) => v > -Infinity).length
    : -1;

const greedy: ExerciseSpec = {
  id: 'greedy',
  chapter: 8,
  section: STRATEGIES,
  title: 'Greedy decoding: the index of the largest logit',
  exportName: 'greedy',
  slot: 'greedy',
  topics: ['sampling'],
  tolerance: EXACT,
  compare:
    'torch.argmax and Hugging Face greedy search (argmax of the processed scores) also return the ' +
    "first index on ties; llama.cpp's greedy sampler takes the largest logit the same way. Greedy " +
    'ignores temperature, since dividing by T > 0 never changes which logit is largest.',
  hints: [
    'Walk the row once, remembering the index of the best value seen so far.',
    'Replace the best only when a value is strictly larger, so the first of equal maxima wins.',
    'let best = 0; for (let i = 1; i < logits.length; i++) ' +
      'if (logits[i] > logits[best]) best = i; return best;',
  ],
  cases: (rng) => [
    { name: 'random logits (V = 10)', args: [logitsRow(rng, 10)] },
    { name: 'size 1', args: [logitsRow(rng, 1)] },
    { name: 'ties: the first of equal maxima wins', args: [Float64Array.from([0.5, 3, -1, 3, 3, 2])] },
    { name: 'all negative, maximum last', args: [Float64Array.from([-9, -8, -7, -6, -5, -4])] },
    {
      name: 'large logits (±1000) with -Infinity',
      args: [Float64Array.from([-Infinity, 1000, -1000, 999])],
    },
  ],
  diagnose(got, want, c) {
    const z = c.args[0] as Float64Array;
    if (typeof got === 'number' && typeof want === 'number' && z[got] === z[want])
      return 'that index holds the maximum too, but on ties the first (lowest) index must win';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT generates 12 tokens greedily',
      run: () => sameTokens('greedy decoding', sampledTokens({ strategy: 'greedy' })),
    },
  ],
};

const temperature: ExerciseSpec = {
  id: 'temperature',
  chapter: 8,
  section: STRATEGIES,
  title: 'Temperature: divide the logits by T',
  exportName: 'applyTemperature',
  slot: 'applyTemperature',
  topics: ['sampling'],
  tolerance: { atol: 1e-6, rtol: 0 }, // logits up to 1e5 here; see EXACT about rtol
  compare:
    "Hugging Face's TemperatureLogitsWarper also divides the scores by T, and runs before top-k and " +
    "top-p (as here), so T changes which tokens the nucleus keeps. llama.cpp's default sampler chain " +
    'applies temperature last, after top-k/top-p/min-p, so there T only reshapes the kept tokens.',
  hints: [
    'p_i ∝ exp(z_i / T): the whole effect of temperature is on the logits, before the softmax.',
    'Divide every logit by t (a -Infinity logit stays -Infinity). You may change the array in place.',
    'for (let i = 0; i < logits.length; i++) logits[i] /= t; return logits;',
  ],
  cases: (rng) => [
    { name: 'T = 0.7 (sharper), V = 10', args: [logitsRow(rng, 10), 0.7] },
    { name: 'T = 2 (flatter), V = 7', args: [logitsRow(rng, 7), 2] },
    { name: 'size 1, T = 0.5', args: [logitsRow(rng, 1), 0.5] },
    { name: 'large logits (±1000), T = 0.01', args: [Float64Array.from([1000, -1000, 3, -Infinity]), 0.01] },
  ],
  diagnose(got, want, c) {
    const t = c.args[1] as number;
    if (!(got instanceof Float64Array) || !(want instanceof Float64Array) || got.length !== want.length)
      return null;
    const z = c.args[0] as Float64Array;
    const near = (a: Float64Array, b: ArrayLike<number>) =>
      a.every((v, i) => v === b[i] || Math.abs(v - b[i]!) <= 1e-9 * (1 + Math.abs(b[i]!)));
    if (
      near(
        got,
        z.map((v) => v * t),
      )
    )
      return `you multiplied by t = ${t}; temperature divides: z / T`;
    if (near(got, z)) return 'the logits came back unchanged: divide each by t';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT samples 12 tokens at T = 0.7, seed 3',
      run: () =>
        sameTokens('sampling at T = 0.7', sampledTokens({ strategy: 'sample', temperature: 0.7, seed: 3 })),
    },
  ],
};

const topK: ExerciseSpec = {
  id: 'top-k',
  chapter: 8,
  section: STRATEGIES,
  title: 'Top-k: keep the k largest logits',
  exportName: 'topKFilter',
  slot: 'topKFilter',
  topics: ['sampling'],
  tolerance: EXACT,
  compare:
    "Hugging Face's TopKLogitsWarper keeps every score >= the k-th largest (ties with it survive, as " +
    'here) and takes k = max(top_k, min_tokens_to_keep), capped at V. llama.cpp sorts and keeps ' +
    'exactly k candidates, so a tie at the k-th place is cut by sort order.',
  hints: [
    'Find the k-th largest value; every logit strictly below it is removed (set to -Infinity).',
    'Sort a copy descending to read the k-th largest; if k >= V nothing is removed. Equal values ' +
      'to the k-th stay.',
    'const kth = [...logits].sort((a, b) => b - a)[k - 1]; then logits[i] = -Infinity where logits[i] < kth.',
  ],
  cases: (rng) => [
    { name: 'k = 3 of V = 10', args: [logitsRow(rng, 10), 3] },
    { name: 'k = 1 (greedy)', args: [logitsRow(rng, 8), 1] },
    { name: 'k >= V: nothing removed', args: [logitsRow(rng, 5), 9] },
    { name: 'ties at the k-th value are kept', args: [Float64Array.from([1, 4, 2, 2, 2, 0]), 2] },
    { name: 'size 1, k = 1', args: [logitsRow(rng, 1), 1] },
    { name: 'large logits (±1000)', args: [Float64Array.from([1000, -1000, 999, 0, -999]), 2] },
  ],
  diagnose(got, want) {
    const g = keptCount(got);
    const w = keptCount(want);
    if (g >= 0 && g < w)
      return `you kept ${g} tokens, the reference ${w}: tokens tied with the k-th largest stay`;
    if (g > w) return `you kept ${g} tokens, the reference ${w}: remove every logit below the k-th largest`;
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT samples 12 tokens with top-k 4, seed 5',
      run: () => sameTokens('top-k 4 sampling', sampledTokens({ strategy: 'sample', topK: 4, seed: 5 })),
    },
  ],
};

const topP: ExerciseSpec = {
  id: 'top-p',
  chapter: 8,
  section: STRATEGIES,
  title: 'Top-p (nucleus): keep the smallest set that reaches probability p',
  exportName: 'topPFilter',
  slot: 'topPFilter',
  topics: ['sampling'],
  tolerance: EXACT,
  compare:
    "Hugging Face's TopPLogitsWarper sorts ascending and removes the tokens whose cumulative " +
    'probability is <= 1 - top_p, keeping at least min_tokens_to_keep; the same set up to rounding ' +
    'and tie order. llama.cpp keeps tokens until the running sum reaches p (with min_keep), as here.',
  hints: [
    'Softmax the row (subtract the max first), then visit tokens from most to least likely ' +
      '(lower id first on equal probabilities).',
    'Add each token to the nucleus and its probability to a running sum; stop as soon as the sum ' +
      'is >= p. The token that carries the sum past p is IN the nucleus, and so is the first one always.',
    'let sum = 0, kept = 0; while (kept < V && (kept === 0 || sum < p)) sum += probs[order[kept++]]; ' +
      'then set logits[order[r]] = -Infinity for r >= kept.',
  ],
  cases: (rng) => [
    { name: 'p = 0.9, V = 10', args: [logitsRow(rng, 10), 0.9] },
    { name: 'p = 0.5, V = 12, flat logits', args: [logitsRow(rng, 12, 0.5), 0.5] },
    { name: 'tiny p = 0.01: one token always kept', args: [logitsRow(rng, 6), 0.01] },
    { name: 'p = 1: nothing removed', args: [logitsRow(rng, 5), 1] },
    { name: 'size 1', args: [logitsRow(rng, 1), 0.3] },
    { name: 'ties: lower id first', args: [Float64Array.from([0, 1, 1, 1, 0]), 0.5] },
    {
      name: 'large logits (±1000): softmax must subtract the max',
      args: [Float64Array.from([1000, 999, -1000, 998]), 0.8],
    },
  ],
  diagnose(got, want, c) {
    const g = keptCount(got);
    const w = keptCount(want);
    if (c.name.startsWith('large logits'))
      return (
        'exp(1000) overflows to Infinity (and Infinity/Infinity is NaN): ' +
        'subtract the max logit before exp'
      );
    if (g >= 0 && g === w - 1)
      return (
        `you kept ${g} tokens, the reference ${w}: an off-by-one. The token whose probability carries ` +
        'the running sum past p belongs to the nucleus (and at least one token is always kept)'
      );
    if (g === 0) return 'you removed every token: the most likely one is always kept';
    if (g > w) return `you kept ${g} tokens, the reference ${w}: stop as soon as the running sum reaches p`;
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT samples 12 tokens with top-p 0.8, seed 7',
      run: () => sameTokens('top-p 0.8 sampling', sampledTokens({ strategy: 'sample', topP: 0.8, seed: 7 })),
    },
  ],
};

export const chapter8: ExerciseSpec[] = [greedy, temperature, topK, topP, kvCacheAppend, beamSearchStep];
