// Chapter 5 exercises: normalisation, the MLP's activation and the pre-norm block
// (docs/05-transformer-blocks.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { layerNorm } from '../../tensor/ops/norm.js';
import { activate } from '../../model/activation.js';
import { tinyTrainStep } from './ch04-helpers.js';
import { affine, diagnoseNorm, geluVariant, matches } from './ch05-helpers.js';
import { preNormBlockSpec } from './ch05-block.js';

const layerNormSpec: ExerciseSpec = {
  id: 'layer-norm',
  chapter: 5,
  section: 'Normalisation',
  title: 'Layer normalisation (forward)',
  exportName: 'layerNorm',
  slot: 'layerNorm',
  differentiable: true,
  topics: ['norms'],
  compare:
    "PyTorch's nn.LayerNorm (and llama.cpp's ggml_norm) put eps inside the square root and use the " +
    'biased variance (divide by C), as here; default eps 1e-5, while Keras defaults to 1e-3. torch.var ' +
    'is unbiased by default (correction=1), the usual source of a sqrt(C/(C-1)) mismatch.',
  hints: [
    'Each row (the last axis, C values) is normalised on its own: subtract its mean, divide by its ' +
      'standard deviation, then scale by weight and shift by bias.',
    'mean = x.mean(-1, true); var = the mean of (x - mean)² over the last axis (divide by C, not C - 1); ' +
      'keepdim so they broadcast back over the row.',
    'const xc = x.sub(x.mean(-1, true)); const y = xc.mul(xc.mul(xc).mean(-1, true).add(eps).rsqrt()); ' +
      'then y.mul(weight).add(bias) for those that are not null.',
  ],
  cases: (rng) => {
    const [w8, b8] = affine(rng, 8);
    const [w1, b1] = affine(rng, 1);
    const [w6, b6] = affine(rng, 6);
    const big = randn(rng, [3, 6]);
    for (let i = 0; i < big.size; i++) big.data[i] = big.data[i]! + 1000;
    return [
      { name: '(2, 3, 8) with weight and bias', args: [randn(rng, [2, 3, 8]), w8, b8, 1e-5] },
      { name: 'one channel (4, 1): every x̂ is 0, y = bias', args: [randn(rng, [4, 1]), w1, b1, 1e-5] },
      { name: 'no weight, no bias (5, 7)', args: [randn(rng, [5, 7]), null, null, 1e-5] },
      {
        name: 'tiny variance (±1e-3 inputs): where eps matters',
        args: [randn(rng, [4, 6], { scale: 1e-3 }), w6, b6, 1e-5],
      },
      {
        name: 'large offset (1000 + N(0, 1))',
        args: [big, w6, b6, 1e-5],
        tolerance: { atol: 2e-3, rtol: 1e-3 },
      },
      // GPT({ bias: false }) has norms with a weight and no bias; eps is the argument, not 1e-5.
      {
        name: 'weight but no bias (3, 6), eps 0.1',
        args: [randn(rng, [3, 6], { scale: 0.3 }), w6, null, 0.1],
      },
    ];
  },
  diagnose(got, _want, c) {
    const [x, w, b, eps] = c.args as [Tensor, Tensor | null, Tensor | null, number];
    return diagnoseNorm(got, x, w, b, eps);
  },
  extra: [tinyTrainStep('tiny GPT trains 40 steps with your layer norm in every block')],
};

/** The saved statistics of layer norm, (..., 1) float64: the mean and rstd = 1/sqrt(var + eps). */
function lnStats(x: Tensor, eps: number): [Tensor, Tensor] {
  const C = x.shape[x.ndim - 1]!;
  const rows = x.size / C;
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x.data[r * C + c]!;
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x.data[r * C + c]! - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(v / C + eps);
  }
  const shape = [...x.shape.slice(0, -1), 1];
  return [new Tensor(mean, shape), new Tensor(rstd, shape)];
}

const lnBackwardCase = (
  rng: Rng,
  name: string,
  shape: number[],
  withWeight: boolean,
  gScale = 1,
): CheckCase => {
  const x = randn(rng, shape);
  const C = shape[shape.length - 1]!;
  const [w] = affine(rng, C);
  const [mean, rstd] = lnStats(x, 1e-5);
  return {
    name,
    args: [x, withWeight ? w : null, mean, rstd, randn(rng, shape, { scale: gScale })],
    ...(gScale > 1 ? { tolerance: { atol: 1e-2, rtol: 1e-4 } } : {}),
  };
};

const layerNormBackwardSpec: ExerciseSpec = {
  id: 'layer-norm-backward',
  chapter: 5,
  section: 'Normalisation',
  title: 'The backward of layer normalisation',
  exportName: 'layerNormBackward',
  slot: 'layerNormBackward',
  topics: ['norms', 'autograd'],
  compare:
    'PyTorch saves the same two statistics per row (mean and rstd) in the forward and its ' +
    'layer_norm_backward uses the same formula, as does llm.c; GPU kernels differ only in how they ' +
    'reduce dweight and dbias across rows (a second pass or atomics).',
  hints: [
    'db is the sum of grad over every row (all axes but the last); dw is the sum of grad · x̂ with x̂ = ' +
      '(x - mean) · rstd.',
    'x̂ depends on x through the mean and the variance too, so dx is not just grad · w · rstd: with dx̂ ' +
      '= grad · w, dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)), means over the last axis.',
    'const xhat = x.sub(mean).mul(rstd); const dxhat = weight ? grad.mul(weight) : grad; const dx = ' +
      'dxhat.sub(dxhat.mean(-1, true)).sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))).mul(rstd); sum ' +
      'grad.mul(xhat) and grad over the leading axes for dw and db.',
  ],
  cases: (rng) => [
    lnBackwardCase(rng, '(2, 3, 8) with weight', [2, 3, 8], true),
    lnBackwardCase(rng, 'no weight (4, 5): dw is null', [4, 5], false),
    lnBackwardCase(rng, 'one channel (3, 1): dx is 0', [3, 1], true),
    lnBackwardCase(rng, 'one row (1, 6)', [1, 6], true),
    lnBackwardCase(rng, 'large upstream gradient (±1e3)', [2, 7], true, 1e3),
  ],
  diagnose(got, _want, c) {
    const [x, w, mean, rstd, g] = c.args as [Tensor, Tensor | null, Tensor, Tensor, Tensor];
    const dx = Array.isArray(got) ? got[0] : null;
    const dxhat = w ? g.mul(w) : g;
    if (matches(dx, dxhat.mul(rstd).data))
      return (
        'dx is grad · w · rstd only: x also moves the mean and the variance, so subtract mean(dx̂) ' +
        'and x̂ · mean(dx̂ · x̂) before multiplying by rstd'
      );
    const xhat = x.sub(mean).mul(rstd);
    const noW = g
      .sub(g.mean(-1, true))
      .sub(xhat.mul(g.mul(xhat).mean(-1, true)))
      .mul(rstd);
    if (w && matches(dx, noW.data))
      return 'dx ignores the weight: the gradient reaching x̂ is dx̂ = ' + 'grad · w';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through layerNorm(x, w, b)',
      (x, w, b) => layerNorm(x!, w!, b!, 1e-5),
      () => {
        const rng = new Rng(5);
        return [
          randn(rng, [3, 5], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [5], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [5], { dtype: 'float64', requiresGrad: true }),
        ];
      },
    ),
    tinyTrainStep('tiny GPT trains 40 steps with your backward in every layer norm'),
  ],
};

const rmsNormSpec: ExerciseSpec = {
  id: 'rms-norm',
  chapter: 5,
  section: 'Normalisation',
  title: 'RMS normalisation',
  exportName: 'rmsNorm',
  slot: 'rmsNorm',
  differentiable: true,
  topics: ['norms'],
  compare:
    "Hugging Face's LlamaRMSNorm casts x to float32 for mean(x²) and casts back before multiplying by " +
    'the weight (eps from the config, 1e-6 or 1e-5); Gemma multiplies by (1 + w), so its weights are ' +
    'stored as offsets from 1; T5 uses the same norm under the name LayerNorm.',
  hints: [
    'RMSNorm skips the mean subtraction and the bias: each row is divided by its root mean square, then ' +
      'scaled by weight.',
    'rms = sqrt(mean(x²) + eps) over the last axis, with keepdim so it broadcasts over the row; eps goes ' +
      'inside the root.',
    'const y = x.mul(x.mul(x).mean(-1, true).add(eps).rsqrt()); return weight ? y.mul(weight) : y;',
  ],
  cases: (rng) => {
    const [w8] = affine(rng, 8);
    const [w1] = affine(rng, 1);
    const [w6] = affine(rng, 6);
    return [
      { name: '(2, 3, 8) with weight', args: [randn(rng, [2, 3, 8]), w8, 1e-6] },
      { name: 'no weight (4, 5)', args: [randn(rng, [4, 5]), null, 1e-6] },
      { name: 'one channel (3, 1): y = sign(x) · w', args: [randn(rng, [3, 1]), w1, 1e-6] },
      {
        name: 'tiny inputs (±1e-4): where eps matters',
        args: [randn(rng, [3, 6], { scale: 1e-4 }), w6, 1e-6],
      },
      { name: 'large inputs (±1e3)', args: [randn(rng, [2, 6], { scale: 1e3 }), w6, 1e-6] },
      {
        name: 'eps 0.01 on small inputs (eps is the argument)',
        args: [randn(rng, [2, 6], { scale: 0.1 }), w6, 1e-2],
      },
    ];
  },
  diagnose(got, _want, c) {
    const [x, w, eps] = c.args as [Tensor, Tensor | null, number];
    return diagnoseNorm(got, x, w, null, eps, true);
  },
  extra: [tinyTrainStep('tiny GPT (norm: rmsnorm) trains 40 steps with your RMSNorm', { norm: 'rmsnorm' })],
};

const grid = (lo: number, hi: number, n: number) =>
  new Tensor(
    Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)),
    [n],
  );

const geluSpec: ExerciseSpec = {
  id: 'gelu',
  chapter: 5,
  section: 'The position-wise MLP',
  title: "GELU, tanh approximation (GPT-2's activation)",
  exportName: 'gelu',
  slot: 'gelu',
  differentiable: true,
  topics: ['model'],
  hints: [
    'GELU(x) = x · Φ(x), Φ the standard normal CDF; GPT-2 uses the tanh approximation Φ(x) ≈ (1 + ' +
      'tanh(sqrt(2/π) (x + 0.044715 x³))) / 2.',
    'Build it from elementwise tensor ops: x.pow(3) or x.mul(x).mul(x), .mul(c), .add(...), .tanh(). ' +
      'Tensor.tanh is stable for large inputs; exp-based formulas overflow.',
    'const u = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)); return ' +
      'x.mul(u.tanh().add(1)).mul(0.5);',
  ],
  cases: (rng) => [
    { name: 'normal inputs (3, 5)', args: [randn(rng, [3, 5])] },
    { name: 'size 1', args: [randn(rng, [1])] },
    { name: 'grid over [-6, 6] (25)', args: [grid(-6, 6, 25)] },
    { name: 'large inputs (±50)', args: [randn(rng, [2, 4], { scale: 50 })] },
  ],
  diagnose(got, want, c) {
    const x = (c.args[0] as Tensor).data;
    if (matches(got, geluVariant(x, true), 1e-5))
      return (
        'that is the exact GELU, x·Φ(x) with erf: this exercise (and GPT-2) uses the tanh ' + 'approximation'
      );
    const g = got as Tensor;
    if (
      g?.data &&
      Array.from(g.data).some((v) => Number.isNaN(v)) &&
      !Array.from((want as Tensor).data).some(Number.isNaN)
    )
      return 'NaN for large inputs: tanh written with exp overflows (Infinity / Infinity); use Tensor.tanh';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through your gelu',
      (x) => activate(x!, 'gelu_tanh'),
      () => [randn(new Rng(6), [7], { dtype: 'float64', requiresGrad: true })],
    ),
    tinyTrainStep('tiny GPT trains 40 steps with your GELU in every MLP'),
  ],
};

export const chapter5: ExerciseSpec[] = [
  layerNormSpec,
  layerNormBackwardSpec,
  rmsNormSpec,
  geluSpec,
  preNormBlockSpec,
];
