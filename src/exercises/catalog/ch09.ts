// Chapter 9 exercises: pretrained weights (docs/09-pretrained-weights.md).

import { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';
import { noGrad } from '../../tensor/grad-mode.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { GPT } from '../../model/gpt.js';
import { gptFromHf, gptToHf, type TensorSource } from '../../io/hf-gpt2.js';
import type { ExerciseSpec, StepOutcome } from '../spec.js';
import { randn } from '../helpers.js';

/**
 * The integration step: a small GPT-2-layout model with wide random weights is written in Hugging
 * Face's layout (gptToHf, whose transpose is not the exercise's) and read back through gptFromHf,
 * which now calls the learner's conv1dToLinear; the reloaded model must give the same logits.
 */
function reloadGivesSameLogits(): StepOutcome {
  manualSeed(5);
  const original = new GPT({ vocabSize: 23, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, mlpHidden: 12 });
  const rng = new Rng(9);
  for (const [, p] of original.namedParameters())
    for (let i = 0; i < p.size; i++) p.data[i] = rng.normal() * 0.5;
  const hf = gptToHf(original);
  const src: TensorSource = {
    tensors: Object.entries(hf.tensors).map(([name, t]) => ({ name, shape: t.shape })),
    read: (name) => hf.tensors[name]!,
  };
  let reloaded: GPT | null = null;
  try {
    reloaded = gptFromHf(hf.config, src);
    const ids = tensor([[1, 5, 22, 0, 7, 7, 3]]);
    const want = noGrad(() => original.forward(ids).logits.data);
    const got = noGrad(() => reloaded!.forward(ids).logits.data);
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
    const ok = max <= 1e-6;
    return {
      passed: ok,
      maxAbsDiff: max,
      message: ok
        ? 'the reloaded GPT-2 (2 blocks, c_attn 8→24, c_fc 8→12) gives the same logits ' +
          `(max |Δ| ${max.toExponential(2)})`
        : 'the model loaded through your conversion gives different logits ' +
          `(max |Δ| ${max.toExponential(3)})`,
    };
  } finally {
    original.dispose();
    reloaded?.dispose();
  }
}

const conv1dToLinear: ExerciseSpec = {
  id: 'conv1d-to-linear',
  chapter: 9,
  section: 'From their names to ours',
  title: "GPT-2's Conv1D weight (in, out) as our Linear weight (out, in)",
  exportName: 'conv1dToLinear',
  slot: 'conv1dToLinear',
  topics: ['weights'],
  hints: [
    'Conv1D computes y = x W + b with W stored (in, out); our Linear computes y = x Wᵀ + b with W ' +
      'stored (out, in). The same numbers, laid out transposed.',
    'A reshape to (out, in) keeps the order of the numbers and is wrong: element [j, i] of the ' +
      'result must be element [i, j] of the input. In flat row-major arrays: ' +
      'out[j * inDim + i] = w[i * outDim + j].',
    'return weight.transpose(0, 1);  (or two loops over i < in, j < out filling a new ' +
      'Float32Array, wrapped as new Tensor(data, [out, in]))',
  ],
  cases: (rng) => [
    { name: 'c_attn-like (4, 12): in 4, out 3·4', args: [randn(rng, [4, 12])] },
    { name: 'odd shape (3, 5)', args: [randn(rng, [3, 5])] },
    {
      name: 'square (6, 6), like attn.c_proj: a missing transpose keeps the shape',
      args: [randn(rng, [6, 6])],
    },
    { name: 'size 1 (1, 1)', args: [randn(rng, [1, 1])] },
    { name: 'one input row (1, 7)', args: [randn(rng, [1, 7])] },
    {
      name: 'large values (±1e4)',
      args: [randn(rng, [5, 2], { scale: 1e4 })],
      tolerance: { atol: 0, rtol: 0 },
    },
  ],
  diagnose(got, _want, c) {
    const w = c.args[0] as Tensor;
    if (!(got instanceof Tensor)) return 'return a Tensor of shape (out, in)';
    if (got.size === w.size && got.data.every((x, i) => x === w.data[i]))
      return got.shape.join() === w.shape.join()
        ? 'the weight came back as stored: it must be transposed, result[j, i] = weight[i, j]'
        : 'only the shape changed (a reshape): the numbers must move too, result[j, i] = weight[i, j]';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'a GPT-2 written in HF layout reloads with the same logits',
      run: reloadGivesSameLogits,
    },
  ],
};

export const chapter9: ExerciseSpec[] = [conv1dToLinear];
