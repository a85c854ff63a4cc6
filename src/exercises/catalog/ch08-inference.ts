// Chapter 8 exercises on the inference machinery: the KV-cache append and one beam-search step
// (docs/08-generation.md).

import { Tensor } from '../../tensor/tensor.js';
import type { Rng } from '../../tensor/rng.js';
import { beamSearch, type BeamCandidate } from '../../generate/beam-search.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { randn } from '../helpers.js';
import {
  cachedMatchesUncached,
  logitsRow,
  sameTokens,
  sampledTokens,
  withTinyLm,
  TINY_PROMPT,
} from './ch08-helpers.js';

export const kvCacheAppend: ExerciseSpec = {
  id: 'kv-cache-append',
  chapter: 8,
  section: 'The KV cache',
  title: "Append a step's keys (or values) to the cache",
  exportName: 'kvCacheAppend',
  slot: 'kvCacheAppend',
  topics: ['inference'],
  hints: [
    'The cache keeps (B, Tp, W): for each sequence b, Tp rows of W numbers. This step brings (B, T, W).',
    'The answer is (B, Tp + T, W): in each sequence, the old rows then the new ones. With no cache ' +
      'yet (null), it is x itself. Mind B > 1: the rows of sequence 0 come before sequence 1.',
    'return past === null ? x : cat([past, x], 1);',
  ],
  cases: (rng) => [
    { name: 'first step: no cache yet (1, 3, 8)', args: [null, randn(rng, [1, 3, 8])] },
    { name: 'one new position (1, 4, 6) + (1, 1, 6)', args: [randn(rng, [1, 4, 6]), randn(rng, [1, 1, 6])] },
    {
      name: 'batch of 2: (2, 3, 4) + (2, 2, 4)',
      args: [randn(rng, [2, 3, 4]), randn(rng, [2, 2, 4])],
    },
    { name: 'size 1: (1, 1, 1) + (1, 1, 1)', args: [randn(rng, [1, 1, 1]), randn(rng, [1, 1, 1])] },
  ],
  diagnose(got, want, c) {
    const [past, x] = c.args as [Tensor | null, Tensor];
    if (!(got instanceof Tensor) || !(want instanceof Tensor) || past === null) return null;
    const flat = [...past.data, ...x.data];
    if (got.size === flat.length && got.data.every((v, i) => v === flat[i]) && past.shape[0] > 1)
      return (
        'all of past, then all of x: with B > 1 the new rows go after each ' +
        "sequence's own rows (append along T, dim 1)"
      );
    const swapped = [...x.data, ...past.data];
    if (got.size === swapped.length && got.data.every((v, i) => v === swapped[i]))
      return 'the new rows came first: the cache is past, then x';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT, 2 rows: 3 then 5 tokens through the cache = one uncached pass',
      run: cachedMatchesUncached,
    },
    {
      kind: 'integration',
      name: 'tiny GPT generates 12 tokens with the KV cache',
      run: () => sameTokens('cached greedy decoding', sampledTokens({ strategy: 'greedy', useCache: true })),
    },
  ],
};

function beamArgs(rng: Rng, beams: number, V: number, perBeam: number, scale = 2): CheckCase['args'] {
  const rows = Array.from({ length: beams }, () => Float32Array.from(logitsRow(rng, V, scale)));
  const lps = Array.from({ length: beams }, () => -3 * rng.random());
  return [rows, lps, perBeam];
}

export const beamSearchStep: ExerciseSpec = {
  id: 'beam-search-step',
  chapter: 8,
  section: 'Beam search',
  title: 'One step of beam search: extend every beam, rank by summed log-probability',
  exportName: 'beamSearchStep',
  slot: 'beamSearchStep',
  topics: ['inference'],
  hints: [
    "A candidate is (beam, token); its score is the beam's log-probability so far plus log p(token), " +
      "with log p from the log-softmax of that beam's logits.",
    'For each beam take its perBeam best tokens (lower id first on ties), make the candidates, then ' +
      'sort all of them by score, best first; a stable sort keeps equal scores in beam, token order.',
    'const lp = logSoftmax(row); ids sorted by lp descending, first perBeam; push { beam: r, token: id, ' +
      'logprob: beamLogprobs[r] + lp[id] }; finally candidates.sort((a, b) => b.logprob - a.logprob).',
  ],
  cases: (rng) => [
    { name: 'one beam, V = 10, 4 per beam', args: beamArgs(rng, 1, 10, 4) },
    { name: '3 beams, V = 12, 6 per beam', args: beamArgs(rng, 3, 12, 6) },
    { name: 'perBeam larger than V = 3', args: beamArgs(rng, 2, 3, 5) },
    { name: 'large logits (±1000)', args: beamArgs(rng, 2, 6, 4, 1000) },
  ],
  diagnose(got, want, c) {
    const g = got as BeamCandidate[];
    const w = want as BeamCandidate[];
    const lps = c.args[1] as number[];
    if (!Array.isArray(g) || !Array.isArray(w) || g.length !== w.length || !g[0]) return null;
    const d = (g[0].logprob ?? NaN) - w[0]!.logprob;
    if (g[0].beam === w[0]!.beam && Math.abs(d + lps[g[0].beam]!) < 1e-4)
      return "the scores miss the beam's own log-probability: add beamLogprobs[beam] to log p(token)";
    if (g.some((x) => !Number.isFinite(x.logprob)))
      return 'a score is not finite: compute log-softmax as z - max - log Σ exp(z - max)';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT beam search, 3 beams, 8 tokens',
      run: () =>
        sameTokens('beam search', () =>
          withTinyLm((gpt) =>
            beamSearch(gpt, TINY_PROMPT, { beams: 3, maxNewTokens: 8, numReturnSequences: 3 }).map(
              (h) => h.ids,
            ),
          ),
        ),
    },
  ],
};
