// Chapter 3 exercises: embeddings and positions (docs/03-embeddings-and-positions.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { embedding } from '../../tensor/ops/indexing.js';
import { applyRope, ropeTables } from '../../model/rope.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn, randomIds } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import { closeTo, diagnoseSinusoidal, ropeBackwards, ropeInterleaved } from './ch03-helpers.js';

const sinusoidalTable: ExerciseSpec = {
  id: 'sinusoidal-table',
  chapter: 3,
  section: 'Sinusoidal positions ("Attention Is All You Need", section 3.5)',
  title: 'The sinusoidal position table',
  exportName: 'sinusoidalTable',
  slot: 'sinusoidalTable',
  topics: ['positions'],
  compare:
    'Vaswani et al. and the PyTorch tutorials interleave the channels as here (2i sin, 2i+1 cos). ' +
    'tensor2tensor and fairseq concatenate [all sines | all cosines] and space the frequencies with ' +
    'half − 1 in the denominator instead of half; fairseq also starts positions after the padding id. ' +
    'Hugging Face GPT-2 has no table at all: its positions are learned (wpe).',
  hints: [
    'Row pos, channel pair i (channels 2i and 2i+1) share one angle: pos / base^(2i/d).',
    'Channel 2i holds sin(angle), channel 2i+1 holds cos(angle); the result is a (maxLen, d) Tensor.',
    'const out = new Float32Array(maxLen * d); for each pos and i < d/2: ' +
      'a = pos / Math.pow(base, (2 * i) / d); out[pos * d + 2 * i] = Math.sin(a); ' +
      'out[pos * d + 2 * i + 1] = Math.cos(a); then return new Tensor(out, [maxLen, d]);',
  ],
  cases: () => [
    { name: '8 positions, width 16', args: [8, 16] },
    { name: 'size 1: one position, width 2', args: [1, 2] },
    { name: 'odd number of pairs: width 6, 50 positions', args: [50, 6] },
    { name: 'base 100 instead of 10000', args: [4, 8, 100] },
    { name: 'far positions (2048 × 4)', args: [2048, 4] },
  ],
  diagnose(got, _want, c) {
    const [maxLen, d, base] = c.args as [number, number, number | undefined];
    return diagnoseSinusoidal(got, maxLen, d, base ?? 10000);
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT with sinusoidal positions trains 40 steps (your table)',
      run: () => lossFallsAsReference(() => trainTiny({ positions: 'sinusoidal' })),
    },
  ],
};

/** x (..., T, hs) and the cos, sin tables of positions start..start+T-1 (shaped to broadcast). */
function ropeCase(
  rng: Rng,
  name: string,
  xShape: number[],
  opts: { start?: number; headsLast?: boolean } = {},
): CheckCase {
  const hs = xShape[xShape.length - 1]!;
  const T = xShape[xShape.length - (opts.headsLast ? 3 : 2)]!;
  const start = opts.start ?? 0;
  const t = ropeTables(start + T, hs);
  const shape = opts.headsLast ? [T, 1, hs] : [T, hs];
  const cos = t.cos.narrow(0, start, T).reshape(...shape); // (T, hs) or (T, 1, hs)
  const sin = t.sin.narrow(0, start, T).reshape(...shape);
  return { name, args: [randn(rng, xShape), cos, sin] };
}

const rope: ExerciseSpec = {
  id: 'rope',
  chapter: 3,
  section: 'Rotary position embedding, RoPE (Su et al., 2021)',
  title: 'Rotary position embedding',
  exportName: 'rope',
  slot: 'rope',
  differentiable: true,
  topics: ['positions'],
  compare:
    'Hugging Face LLaMA and GPT-NeoX pair channel i with i + hs/2 (rotate_half), as here. The RoFormer ' +
    "paper and Meta's original LLaMA code rotate adjacent pairs (2i, 2i+1) as complex numbers, so HF's " +
    'conversion script permutes the q/k projection rows; llama.cpp offers both (NORM adjacent, NEOX halves).',
  hints: [
    'Split the last axis in halves x1 = x[..., :hs/2], x2 = x[..., hs/2:]: channel i is rotated ' +
      'together with channel i + hs/2.',
    'rotateHalf(x) = cat([−x2, x1], −1); cos and sin already hold each angle in both halves and ' +
      'broadcast against x.',
    'const h = x.shape[x.ndim - 1] / 2; ' +
      'const rot = cat([x.narrow(-1, h, h).neg(), x.narrow(-1, 0, h)], -1); ' +
      'return x.mul(cos).add(rot.mul(sin));',
  ],
  cases: (rng) => [
    ropeCase(rng, 'heads first (B, nh, T, hs) = (1, 2, 5, 8)', [1, 2, 5, 8]),
    ropeCase(rng, 'heads last (B, T, nh, hs) = (2, 5, 3, 4), tables (T, 1, hs)', [2, 5, 3, 4], {
      headsLast: true,
    }),
    ropeCase(rng, 'size 1: one position (7), hs 2', [1, 1, 1, 2], { start: 7 }),
    ropeCase(rng, 'far positions (1000..1003)', [1, 1, 4, 8], { start: 1000 }),
    ropeCase(rng, 'no batch axes (T, hs) = (6, 6)', [6, 6], { start: 3 }),
  ],
  diagnose(got, _want, c) {
    const [x, cos, sin] = c.args as [Tensor, Tensor, Tensor];
    if (closeTo(got, ropeInterleaved(x, cos, sin)))
      return (
        'you rotated adjacent pairs (2i, 2i+1), the layout of the RoFormer paper and Meta’s LLaMA code; ' +
        'this library pairs channel i with i + hs/2 (rotate_half, as Hugging Face)'
      );
    if (closeTo(got, ropeBackwards(x, cos, sin)))
      return 'you rotate the wrong way: rotateHalf([x1, x2]) = [−x2, x1], then x ⊙ cos + rotateHalf(x) ⊙ sin';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through applyRope (heads last)',
      (x) => applyRope(x, ropeTables(8, 6), 2, true),
      () => [randn(new Rng(3), [1, 4, 2, 6], { dtype: 'float64', requiresGrad: true })],
    ),
    {
      kind: 'integration',
      name: 'tiny GPT with RoPE trains 40 steps (your rotation of every q and k)',
      run: () => lossFallsAsReference(() => trainTiny({ positions: 'rope' })),
    },
  ],
};

/** A gradient of N looked-up rows of width C, their ids, and the vocabulary size. */
function embeddingCase(rng: Rng, name: string, ids: number[], V: number, C: number): CheckCase {
  return { name, args: [randn(rng, [ids.length, C]), Int32Array.from(ids), V] };
}

const embeddingBackward: ExerciseSpec = {
  id: 'embedding-backward',
  chapter: 3,
  section: 'Token embeddings',
  title: 'The backward of an embedding lookup',
  exportName: 'embeddingBackward',
  slot: 'embeddingBackward',
  topics: ['autograd'],
  hints: [
    'The forward copied row ids[n] of the table to output row n, so output row n’s gradient ' +
      'belongs to table row ids[n].',
    'A token that appears several times was read several times: its row’s gradient is the sum. ' +
      'Rows never read get 0.',
    'Start from zeros (V, C); for each n and c: dW[ids[n] * C + c] += grad.data[n * C + c].',
  ],
  cases: (rng) => [
    embeddingCase(rng, 'distinct ids', [5, 0, 3, 1], 6, 3),
    embeddingCase(rng, 'a repeated id (1 four times)', [1, 1, 0, 1, 2, 1], 3, 2),
    embeddingCase(rng, 'size 1', [0], 1, 1),
    embeddingCase(rng, 'rows never read stay 0', [2, 2, 7], 10, 4),
    embeddingCase(rng, 'a batch of 2 × 8 tokens, vocabulary 5', randomIds(rng, 16, 5), 5, 8),
  ],
  diagnose(got, want, c) {
    const [g, ids, V] = c.args as [Tensor, Int32Array, number];
    const C = g.shape[1]!;
    if (got instanceof Tensor && got.shape.join() === g.shape.join() && V !== ids.length)
      return `the result is the table's gradient (V, C) = (${V}, ${C}), not the rows' (N, C)`;
    if (!(got instanceof Tensor) || !(want instanceof Tensor)) return null;
    const last = new Float64Array(V * C);
    for (let n = 0; n < ids.length; n++)
      for (let k = 0; k < C; k++) last[ids[n]! * C + k] = g.data[n * C + k]!;
    if (closeTo(got, last))
      return (
        'a repeated id keeps only its last row’s gradient: you assigned (=) where the rows must add ' +
        '(+=), since the token was read once per position'
      );
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through an embedding lookup with repeated ids',
      (w) => embedding(w, [0, 2, 2, 1, 2]),
      () => [randn(new Rng(3), [4, 3], { dtype: 'float64', requiresGrad: true })],
    ),
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (the token table’s gradient is yours)',
      run: () => lossFallsAsReference(() => trainTiny()),
    },
  ],
};

export const chapter3: ExerciseSpec[] = [embeddingBackward, sinusoidalTable, rope];
