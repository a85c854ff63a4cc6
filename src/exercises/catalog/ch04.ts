// Chapter 4 exercises: attention (docs/04-attention.md).

import type { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { attentionHead } from '../../model/attention-head.js';
import { causalForwardStep, tinyTrainStep } from './ch04-helpers.js';

const causalMask: ExerciseSpec = {
  id: 'causal-mask',
  chapter: 4,
  section: 'Masks',
  title: 'The causal mask: each query sees only its own and earlier positions',
  exportName: 'causalMask',
  slot: 'causalMask',
  topics: ['attention'],
  hints: [
    'Row i is query i, column j is key j; 1 = may attend, 0 = blocked. Without a cache (Tq = Tk) it is ' +
      'the lower triangle, diagonal included: a token sees itself.',
    'With a KV cache the Tq new queries are the last Tq of the Tk positions, so query i sits at absolute ' +
      'position Tk - Tq + i and sees keys j <= Tk - Tq + i.',
    'const m = new Float32Array(Tq * Tk); for i < Tq, for j <= Tk - Tq + i: m[i * Tk + j] = 1; return ' +
      'new Tensor(m, [Tq, Tk]);',
  ],
  cases: () => [
    { name: 'square (5, 5): no cache', args: [5, 5] },
    { name: 'size 1: one query, one key', args: [1, 1] },
    { name: 'cached (3, 7): 3 new queries after 4 cached keys', args: [3, 7] },
    { name: 'generation (1, 9): one new token after 8 cached', args: [1, 9] },
    { name: 'odd square (7, 7)', args: [7, 7] },
  ],
  diagnose(got, want, c) {
    const g = got as Tensor;
    const w = want as Tensor;
    if (!g || !g.data || g.data.length !== w.data.length) return null;
    const [Tq, Tk] = c.args as [number, number];
    const off = Tk - Tq;
    const at = (t: Tensor, i: number, j: number) => t.data[i * Tk + j];
    let diagBlocked = false;
    let nextAllowed = false;
    let noOffset = true;
    for (let i = 0; i < Tq; i++) {
      if (at(g, i, i + off) === 0) diagBlocked = true;
      if (i + off + 1 < Tk && at(g, i, i + off + 1) !== 0) nextAllowed = true;
      for (let j = 0; j < Tk; j++) if (at(g, i, j) !== (j <= i ? 1 : 0)) noOffset = false;
    }
    if (off > 0 && noOffset)
      return (
        `with Tk > Tq the queries are the last ${Tq} positions: query i is at Tk - Tq + i and sees ` +
        `keys j <= Tk - Tq + i`
      );
    if (diagBlocked)
      return 'the diagonal is blocked: a query must see its own position (j <= i, not j < i): off by one';
    if (nextAllowed)
      return (
        'query i may attend to key i + 1, the next position: the future leaks (j <= i, not j <= i + ' +
        '1): off by one'
      );
    return null;
  },
  extra: [causalForwardStep()],
};

const headCases = (rng: Rng): CheckCase[] => {
  const qkv = (B: number, T: number, hs: number, scale = 1) =>
    [0, 1, 2].map(() => randn(rng, [B, T, hs], { scale }));
  return [
    { name: 'one sequence (1, 5, 4)', args: qkv(1, 5, 4) },
    { name: 'batch (3, 4, 8), head size 8', args: qkv(3, 4, 8) },
    { name: 'one position (2, 1, 3)', args: qkv(2, 1, 3) },
    { name: 'odd shape (2, 7, 5)', args: qkv(2, 7, 5) },
    { name: 'large scores (±30 inputs)', args: qkv(1, 6, 4, 30), tolerance: { atol: 1e-3, rtol: 1e-3 } },
  ];
};

const attentionHeadSpec: ExerciseSpec = {
  id: 'attention-head',
  chapter: 4,
  section: 'One head, step by step',
  title: 'One causal attention head: softmax(q kᵀ / √hs + mask) v',
  exportName: 'attentionHead',
  slot: 'attentionHead',
  differentiable: true,
  topics: ['attention'],
  hints: [
    'scores[b, i, j] = q[b, i] · k[b, j] / sqrt(hs): how well query i matches key j. ' +
      'q.matmul(k.transpose(-2, -1)) gives them all, (B, T, T).',
    'Block the future: set scores above the diagonal (j > i) to -Infinity before the softmax ' +
      '(causalMask(T) gives 1 where allowed; maskedFill sets where a mask is 1), then softmax over the ' +
      'last axis.',
    'const s = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hs)); const w = ' +
      's.maskedFill(causalMask(T).neg().add(1), -Infinity).softmax(-1); return w.matmul(v);',
  ],
  cases: headCases,
  diagnose(got, want) {
    const g = got as Tensor;
    const w = want as Tensor;
    if (!g?.data || g.data.length !== w.data.length) return null;
    // Row 0 of every batch: query 0 sees only key 0, so out[b, 0] = v[b, 0] whatever the scale.
    const [, T, hs] = w.shape;
    let firstRowsEqual = true;
    for (let b = 0; b < w.shape[0]!; b++)
      for (let d = 0; d < hs!; d++) {
        const i = b * T! * hs! + d;
        if (Math.abs(g.data[i]! - w.data[i]!) > 1e-4 * (1 + Math.abs(w.data[i]!))) firstRowsEqual = false;
      }
    if (T! > 1 && firstRowsEqual)
      return (
        'the first position is right but later ones differ: is the scale 1/sqrt(hs) missing or ' +
        'wrong (not 1/hs, not sqrt(hs))?'
      );
    if (T! > 1 && !firstRowsEqual)
      return (
        'even the first position differs, and it may only attend to itself: is the mask blocking ' +
        'the future (j > i) and allowing the diagonal?'
      );
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through your head',
      (q, k, v) => attentionHead(q!, k!, v!),
      () => {
        const rng = new Rng(4);
        return [0, 1, 2].map(() => randn(rng, [2, 4, 3], { dtype: 'float64', requiresGrad: true }));
      },
    ),
  ],
};

const splitHeads: ExerciseSpec = {
  id: 'split-heads',
  chapter: 4,
  section: 'Many heads at once',
  title: 'Split the channels into heads: (B, T, C) -> (B, nh, T, hs)',
  exportName: 'splitHeads',
  slot: 'splitHeads',
  differentiable: true,
  topics: ['attention'],
  hints: [
    'The C = nh·hs channels of each position are nh heads of hs channels side by side: head h owns ' +
      'channels h·hs .. h·hs + hs - 1.',
    'First reshape to (B, T, nh, hs) so the head is its own axis; then move the head axis before time so ' +
      'each head is a separate batch of (T, hs) matrices.',
    'const [B, T, C] = x.shape; return x.reshape(B, T, n, C / n).transpose(1, 2);',
  ],
  cases: (rng) => [
    { name: '(2, 5, 12) into 3 heads', args: [randn(rng, [2, 5, 12]), 3] },
    { name: 'one head (1, 4, 6)', args: [randn(rng, [1, 4, 6]), 1] },
    { name: 'one position (3, 1, 8) into 4 heads', args: [randn(rng, [3, 1, 8]), 4] },
    { name: 'head size 1 (2, 3, 5) into 5 heads', args: [randn(rng, [2, 3, 5]), 5] },
  ],
  diagnose(got, want) {
    const g = got as Tensor;
    const w = want as Tensor;
    if (g?.shape?.join() === w.shape.join())
      return (
        'the shape is right but values sit in the wrong place: reshape to (B, T, nh, hs) first, ' +
        'then swap axes 1 and 2 (a reshape straight to (B, nh, T, hs) mixes positions)'
      );
    return null;
  },
  extra: [
    causalForwardStep(),
    tinyTrainStep('tiny GPT trains 40 steps (readable attention, dropout 0.1)', { dropout: 0.1 }),
  ],
};

const mergeHeads: ExerciseSpec = {
  id: 'merge-heads',
  chapter: 4,
  section: 'Many heads at once',
  title: 'Concatenate the heads again: (B, nh, T, hs) -> (B, T, C)',
  exportName: 'mergeHeads',
  slot: 'mergeHeads',
  differentiable: true,
  topics: ['attention'],
  hints: [
    "The inverse of splitHeads: position t of the output holds head 0's hs values, then head 1's, ... " +
      "(the heads' outputs concatenated).",
    'Move time back before the head axis, (B, T, nh, hs), then flatten the last two axes. A transpose ' +
      'makes a strided view; reshape copies it into order.',
    'const [B, n, T, hs] = x.shape; return x.transpose(1, 2).reshape(B, T, n * hs);',
  ],
  cases: (rng) => [
    { name: '3 heads (2, 3, 5, 4)', args: [randn(rng, [2, 3, 5, 4])] },
    { name: 'one head (1, 1, 4, 6)', args: [randn(rng, [1, 1, 4, 6])] },
    { name: 'one position (3, 4, 1, 2)', args: [randn(rng, [3, 4, 1, 2])] },
    { name: 'head size 1 (2, 5, 3, 1)', args: [randn(rng, [2, 5, 3, 1])] },
  ],
  diagnose(got, want) {
    const g = got as Tensor;
    const w = want as Tensor;
    if (g?.shape?.join() === w.shape.join())
      return (
        'the shape is right but values sit in the wrong place: swap axes 1 and 2 back to (B, T, nh, ' +
        'hs) before flattening the heads (a plain reshape mixes positions)'
      );
    return null;
  },
  extra: [
    causalForwardStep(),
    tinyTrainStep('tiny GPT trains 40 steps (readable attention, dropout 0.1)', { dropout: 0.1 }),
  ],
};

const sdpaCases = (rng: Rng): CheckCase[] => {
  const t = (s: number[], scale = 1) => randn(rng, s, { scale });
  return [
    { name: 'causal (2, 3, 5, 4)', args: [t([2, 3, 5, 4]), t([2, 3, 5, 4]), t([2, 3, 5, 4]), true] },
    { name: 'not causal (1, 2, 4, 3)', args: [t([1, 2, 4, 3]), t([1, 2, 4, 3]), t([1, 2, 4, 3]), false] },
    {
      name: 'one position (2, 2, 1, 8), causal',
      args: [t([2, 2, 1, 8]), t([2, 2, 1, 8]), t([2, 2, 1, 8]), true],
    },
    {
      name: 'cached: 2 queries, 6 keys (1, 2, 2/6, 4), causal',
      args: [t([1, 2, 2, 4]), t([1, 2, 6, 4]), t([1, 2, 6, 4]), true],
    },
    {
      name: 'large scores (±30 inputs), causal',
      args: [t([1, 1, 5, 4], 30), t([1, 1, 5, 4], 30), t([1, 1, 5, 4]), true],
      tolerance: { atol: 1e-3, rtol: 1e-3 },
    },
  ];
};

const sdpa: ExerciseSpec = {
  id: 'scaled-dot-product-attention',
  chapter: 4,
  section: 'What actually runs: fused attention',
  title: 'Scaled dot-product attention for every head at once',
  exportName: 'scaledDotProductAttention',
  slot: 'scaledDotProductAttention',
  differentiable: true,
  topics: ['attention'],
  hints: [
    'The same as one head, with the heads as an extra batch axis: matmul works on the last two axes, so ' +
      'q.matmul(k.transpose(-2, -1)) is (B, nh, Tq, Tk).',
    'Scale by 1/sqrt(hs); when causal, block key j for query i if j > Tk - Tq + i (the queries are the ' +
      'last Tq positions; causalMask(Tq, Tk) builds it), then softmax over the keys.',
    'let s = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(hs)); if (causal) s = ' +
      's.maskedFill(causalMask(Tq, Tk).neg().add(1), -Infinity); return s.softmax(-1).matmul(v);',
  ],
  cases: sdpaCases,
  diagnose(got, want, c) {
    const g = got as Tensor;
    const w = want as Tensor;
    if (!g?.data || g.data.length !== w.data.length) return null;
    const [q, k] = c.args as [Tensor, Tensor];
    if (c.args[3] === true && q.shape[2] !== k.shape[2])
      return (
        'with a cache (Tk > Tq) query i is at position Tk - Tq + i: use causalMask(Tq, Tk), not the ' +
        '(Tq, Tq) lower triangle'
      );
    return (
      'check the scale 1/sqrt(hs) (hs = the last axis), the mask (only when causal) and the softmax ' +
      'over the last axis'
    );
  },
  extra: [tinyTrainStep('tiny GPT trains 40 steps with your attention in place of the fused kernel')],
};

export const chapter4: ExerciseSpec[] = [causalMask, attentionHeadSpec, splitHeads, mergeHeads, sdpa];
