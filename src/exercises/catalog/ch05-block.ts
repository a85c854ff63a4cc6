// Chapter 5 exercise: the pre-norm transformer block (docs/05-transformer-blocks.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { randn } from '../helpers.js';
import { tinyTrainStep } from './ch04-helpers.js';
import { affine, matches } from './ch05-helpers.js';

/** A sub-layer of the block, as a function of a (B, T, C) tensor. */
type Fn = (h: Tensor) => Tensor;

const blockCase = (rng: Rng, name: string, shape: [number, number, number]): CheckCase => {
  const C = shape[2];
  const [g1, b1] = affine(rng, C);
  const [g2] = affine(rng, C);
  const Wa = randn(rng, [C, C], { scale: 0.5 });
  const Wm = randn(rng, [C, C], { scale: 0.5 });
  const ln1: Fn = (h) => h.sub(h.mean(-1, true)).mul(g1).add(b1);
  const attn: Fn = (h) => h.matmul(Wa).tanh();
  const ln2: Fn = (h) => h.mul(g2).add(0.5);
  const mlp: Fn = (h) => h.matmul(Wm).relu();
  return { name, args: [randn(rng, shape), ln1, attn, ln2, mlp] };
};

export const preNormBlockSpec: ExerciseSpec = {
  id: 'pre-norm-block',
  chapter: 5,
  section: 'Pre-norm and post-norm',
  title: 'A pre-norm transformer block: two residual branches',
  exportName: 'preNormBlock',
  slot: 'preNormBlock',
  differentiable: true,
  topics: ['model', 'norms'],
  compare:
    'GPT-2, Llama and most LLMs since are pre-norm; the original Transformer and BERT are post-norm, ' +
    'norm(x + f(x)), which needs a learning-rate warmup to train (Xiong et al., 2020). GPT-J and ' +
    'GPT-NeoX run both branches in parallel from the same input: x + attn(ln_1(x)) + mlp(ln_2(x)).',
  hints: [
    "Two residual branches in sequence: each adds its sub-layer's output to x, and the sub-layer " +
      'sees a normalised copy of x (the residual stream itself is never normalised).',
    'The second branch starts from the output of the first: h = x + attn(ln1(x)), then h + mlp(ln2(h)).',
    'const h = x.add(attn(ln1(x))); return h.add(mlp(ln2(h)));',
  ],
  cases: (rng) => [
    blockCase(rng, '(2, 3, 4)', [2, 3, 4]),
    blockCase(rng, 'one position (1, 1, 6)', [1, 1, 6]),
    blockCase(rng, 'odd shape (3, 5, 7)', [3, 5, 7]),
  ],
  diagnose(got, _want, c) {
    const [x, ln1, attn, ln2, mlp] = c.args as [Tensor, Fn, Fn, Fn, Fn];
    const post = ln1(x.add(attn(x)));
    if (matches(got, ln2(post.add(mlp(post))).data))
      return (
        'that is a post-norm block, norm(x + f(x)): pre-norm normalises the input of each branch, x ' +
        '+ f(norm(x))'
      );
    if (matches(got, x.add(attn(ln1(x))).add(mlp(ln2(x))).data))
      return (
        'both branches start from the same x (a parallel block): the MLP branch must see the output ' +
        'of the attention branch'
      );
    const h = attn(ln1(x));
    if (matches(got, mlp(ln2(h)).data) || matches(got, h.add(mlp(ln2(h))).data))
      return 'a residual connection is missing: each branch adds its output to its input, x + f(norm(x))';
    return null;
  },
  extra: [tinyTrainStep('tiny GPT trains 40 steps with your block in every layer')],
};
