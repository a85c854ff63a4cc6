// Chapter 11 exercises: fine-tuning, LoRA's forward and merge, and the classifier's pooling of
// the last real token (docs/11-fine-tuning.md).

import { Tensor } from '../../tensor/tensor.js';
import type { Rng } from '../../tensor/rng.js';
import type { ExerciseSpec } from '../spec.js';
import { randn } from '../helpers.js';
import { classifierPaddingStep, loraTrainsStep, mergeEqualsUnmergedStep } from './ch11-helpers.js';

const identity = (t: Tensor) => t;

/** A fixed "dropout": keeps every other input feature, doubled (so a case can see where it acts). */
const fixedMaskDropout = (inFeatures: number) => (t: Tensor) => {
  const m = new Float32Array(inFeatures).map((_, i) => (i % 2 === 0 ? 2 : 0));
  return t.mul(new Tensor(m, [inFeatures]));
};

/** Whether `got` is a Tensor whose values equal `want`'s within a loose tolerance. */
function near(got: unknown, want: ArrayLike<number>): boolean {
  if (!(got instanceof Tensor) || got.size !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [got.data[i]!, want[i]!];
    if (!(Math.abs(a - b) <= 1e-4 + 1e-3 * Math.abs(b))) return false;
  }
  return true;
}

type LoraArgs = [Tensor, Tensor, Tensor | null, Tensor, Tensor, number, (t: Tensor) => Tensor];

/** Arguments of one lora-forward case: x (...lead, in), W (out, in), b, A (r, in), B (out, r). */
function loraCase(
  rng: Rng,
  lead: number[],
  [inF, out, r]: [number, number, number],
  scale: number,
  o: { bias?: boolean; xScale?: number; dropout?: boolean } = {},
): LoraArgs {
  return [
    randn(rng, [...lead, inF], { scale: o.xScale ?? 1 }),
    randn(rng, [out, inF], { scale: 0.5 }),
    (o.bias ?? true) ? randn(rng, [out], { scale: 0.5 }) : null,
    randn(rng, [r, inF], { scale: 0.5 }),
    randn(rng, [out, r], { scale: 0.5 }),
    scale,
    o.dropout ? fixedMaskDropout(inF) : identity,
  ];
}

/** The LoRA output with its parts changed, for naming a mistake. */
function loraVariant(
  [x, W, b, A, B, scale, drop]: LoraArgs,
  v: { scale?: number; dropBase?: boolean; noDrop?: boolean; noBias?: boolean },
): Float32Array | Float64Array {
  const xb = v.dropBase ? drop(x) : x;
  let y = xb.matmul(W.transpose(0, 1));
  if (b && !v.noBias) y = y.add(b);
  const h = (v.noDrop ? x : drop(x)).matmul(A.transpose(0, 1)).matmul(B.transpose(0, 1));
  return y.add(h.mul(v.scale ?? scale)).data;
}

const loraForwardSpec: ExerciseSpec = {
  id: 'lora-forward',
  chapter: 11,
  section: 'LoRA: low-rank adapters',
  title: 'The forward of a LoRA layer',
  exportName: 'loraForward',
  slot: 'loraForward',
  differentiable: true,
  topics: ['training'],
  compare:
    "Hugging Face PEFT's lora.Linear computes the same: base_layer(x) + lora_B(lora_A(dropout(x))) · " +
    'scaling, with scaling = lora_alpha / r, or lora_alpha / √r with use_rslora (rank-stabilised LoRA).',
  hints: [
    'A LoRA layer is the frozen layer plus a small correction: y = (x Wᵀ + b) + scale · (x Aᵀ) Bᵀ. x ' +
      'first goes down to r numbers through A (r, in), then back up to out through B (out, r).',
    'The scale argument is already α/r: multiply the LoRA path by it once (not by α, not by r). ' +
      'Dropout applies to the LoRA path only: dropout(x) Aᵀ, while the base layer sees x itself.',
    'const y = x.matmul(weight.transpose(0, 1)); const base = bias ? y.add(bias) : y; return ' +
      'base.add(dropout(x).matmul(A.transpose(0, 1)).matmul(B.transpose(0, 1)).mul(scale));',
  ],
  cases: (rng) => [
    { name: '(2, 3, 6) -> 5, r 2, α/r = 2', args: loraCase(rng, [2, 3], [6, 5, 2], 2) },
    {
      name: 'rank 1, no bias (4, 7) -> 3, α/r = 0.5',
      args: loraCase(rng, [4], [7, 3, 1], 0.5, { bias: false }),
    },
    { name: 'one token (1, 4), square 4 -> 4, r 4 = in = out', args: loraCase(rng, [1], [4, 4, 4], 1) },
    {
      name: 'dropout on the LoRA path (a fixed mask: every other feature ×2, the rest 0)',
      args: loraCase(rng, [3], [6, 4, 2], 1.5, { dropout: true }),
    },
    {
      name: 'large inputs (±100) and α/r = 16',
      args: loraCase(rng, [2], [5, 6, 2], 16, { xScale: 100 }),
      tolerance: { atol: 2e-2, rtol: 1e-4 },
    },
  ],
  diagnose(got, _want, c) {
    const args = c.args as LoraArgs;
    const [, , b, A, , scale] = args;
    const r = A.shape[0]!;
    if (r !== 1 && near(got, loraVariant(args, { scale: scale * r })))
      return (
        'the LoRA path is multiplied by α = scale · r: the scale argument is already α/r, ' +
        'use it as it is'
      );
    if (scale !== 1 && near(got, loraVariant(args, { scale: 1 })))
      return 'the LoRA path is not scaled: multiply (dropout(x) Aᵀ) Bᵀ by scale (α/r)';
    if (b && near(got, loraVariant(args, { noBias: true })))
      return 'the bias b of the frozen layer is missing';
    if (c.name.startsWith('dropout')) {
      if (near(got, loraVariant(args, { dropBase: true })))
        return 'dropout went into the base layer too: only the LoRA path sees dropout(x); x Wᵀ + b uses x';
      if (near(got, loraVariant(args, { noDrop: true })))
        return 'the dropout argument was not applied: the LoRA path is dropout(x) Aᵀ Bᵀ';
    }
    return null;
  },
  extra: [loraTrainsStep()],
};

type MergeArgs = [Tensor, Tensor, Tensor, number];

function mergeCase(rng: Rng, [out, inF, r]: [number, number, number], scale: number, wScale = 1): MergeArgs {
  return [
    randn(rng, [out, inF], { scale: wScale }),
    randn(rng, [r, inF], { scale: 0.5 }),
    randn(rng, [out, r], { scale: 0.5 }),
    scale,
  ];
}

/** W + s · BA, with BA transposed if asked (square layers only), as plain numbers. */
function mergeVariant([W, A, B]: MergeArgs, s: number, o: { transposed?: boolean; noW?: boolean } = {}) {
  let ba = B.matmul(A);
  if (o.transposed) ba = ba.transpose(0, 1).contiguous();
  const d = ba.mul(s);
  return (o.noW ? d : W.add(d)).data;
}

const loraMergeSpec: ExerciseSpec = {
  id: 'lora-merge',
  chapter: 11,
  section: 'LoRA: low-rank adapters',
  title: "Merging a LoRA adapter into the frozen weight: W' = W + (α/r)·B·A",
  exportName: 'loraMerge',
  slot: 'loraMerge',
  pureInputs: true,
  topics: ['training', 'inference'],
  compare:
    "PEFT's merge adds get_delta_weight = B·A · scaling to base_layer.weight in place (keeping no " +
    "copy unless asked); on GPT-2's Conv1D layers (fan_in_fan_out) it transposes the product, since " +
    'their weight is stored (in, out): there the transpose is right.',
  hints: [
    "The adapter's contribution x Aᵀ Bᵀ · scale equals x (scale · B A)ᵀ: a matrix of W's shape " +
      '(out, in), so it can be added to W once and the layer runs as a plain Linear.',
    'B is (out, r) and A is (r, in), so B·A is (out, in), like W; A·B does not fit, and (B·A)ᵀ only ' +
      'fits a square layer. The scale argument is α/r already. Return a new tensor: W is not yours ' +
      'to change.',
    'return weight.add(B.matmul(A).mul(scale));',
  ],
  cases: (rng) => [
    { name: '(5, 6), r 2, α/r = 2', args: mergeCase(rng, [5, 6, 2], 2) },
    { name: 'rank 1 (4, 3), α/r = 0.5', args: mergeCase(rng, [4, 3, 1], 0.5) },
    {
      name: 'square (4, 4), r 2, α/r = 3: a transposed B·A keeps the shape',
      args: mergeCase(rng, [4, 4, 2], 3),
    },
    { name: 'size 1 (1, 1), r 1, α/r = 4', args: mergeCase(rng, [1, 1, 1], 4) },
    {
      name: 'large weights (±100), α/r = 32',
      args: mergeCase(rng, [3, 5, 2], 32, 100),
      tolerance: { atol: 1e-3, rtol: 1e-4 },
    },
  ],
  diagnose(got, _want, c) {
    const args = c.args as MergeArgs;
    const [W, A, , scale] = args;
    if (scale !== 1 && near(got, mergeVariant(args, 1)))
      return "the update B·A is not scaled: W' = W + (α/r)·B·A, and the scale argument is α/r";
    if (A.shape[0]! > 1 && near(got, mergeVariant(args, scale * A.shape[0]!)))
      return 'the update is scaled by α = scale · r: the scale argument is already α/r';
    if (W.shape[0] === W.shape[1] && near(got, mergeVariant(args, scale, { transposed: true })))
      return (
        'the update is transposed: B (out, r) · A (r, in) is (out, in), ' +
        'element [o, i] = Σ_k B[o, k] A[k, i]'
      );
    if (near(got, mergeVariant(args, scale, { noW: true })))
      return "this is only the update (α/r)·B·A: W' adds it to the frozen weight W";
    return null;
  },
  extra: [mergeEqualsUnmergedStep()],
};

type PoolArgs = [Tensor, number[]];

/** Rows of h picked at positions pos[b], as plain numbers (B·C), or null if one is out of range. */
function pick(h: Tensor, pos: number[]): Float32Array | null {
  const [, T, C] = h.shape as [number, number, number];
  if (pos.some((p) => p < 0 || p >= T)) return null;
  const out = new Float32Array(pos.length * C);
  pos.forEach((p, b) => out.set(h.data.subarray((b * T + p) * C, (b * T + p + 1) * C), b * C));
  return out;
}

const lastTokenPoolSpec: ExerciseSpec = {
  id: 'last-token-pool',
  chapter: 11,
  section: 'Classification',
  title: "The hidden state of each sequence's last real token",
  exportName: 'lastTokenPool',
  slot: 'lastTokenPool',
  differentiable: true,
  topics: ['model', 'training'],
  compare:
    "Hugging Face's GPT2ForSequenceClassification finds each row's last token that is not " +
    "pad_token_id (the last position if no pad id is set); rasbt's chapter 6 reads position T - 1 of " +
    'every row, pads included, and lets training cope with it.',
  hints: [
    'A causal GPT sums up the whole text in the state of its LAST token, which has attended to all ' +
      'the others. The batch is right-padded: row b holds lengths[b] real tokens, then pads.',
    'So row b is read at position lengths[b] - 1 (0-based), not at T - 1 (a pad, for every row ' +
      'shorter than T). Build the result from tensor ops so gradients reach h: narrow, reshape, stack.',
    'return stack(lengths.map((len, b) => h.narrow(0, b, 1).narrow(1, len - 1, 1).reshape(h.shape[2]!)));',
  ],
  cases: (rng) => {
    const withLengths = (shape: [number, number, number], lengths: number[], scale = 1): PoolArgs => [
      randn(rng, shape, { scale }),
      lengths,
    ];
    return [
      { name: 'right-padded (3, 6, 4), lengths [3, 1, 5]', args: withLengths([3, 6, 4], [3, 1, 5]) },
      { name: 'mixed lengths (4, 5, 3), lengths [5, 2, 4, 5]', args: withLengths([4, 5, 3], [5, 2, 4, 5]) },
      { name: 'every row full (2, 4, 3): position T - 1', args: withLengths([2, 4, 3], [4, 4]) },
      { name: 'one-token rows (3, 6, 2): position 0', args: withLengths([3, 6, 2], [1, 1, 1]) },
      { name: 'one sequence of one token (1, 1, 5)', args: withLengths([1, 1, 5], [1]) },
      { name: 'large values (±1e3) (2, 7, 3), lengths [2, 7]', args: withLengths([2, 7, 3], [2, 7], 1e3) },
    ];
  },
  diagnose(got, _want, c) {
    const [h, lengths] = c.args as PoolArgs;
    const [, T] = h.shape as [number, number, number];
    const ifPicked = (pos: number[]) => {
      const v = pick(h, pos);
      return v !== null && near(got, v);
    };
    if (lengths.some((l) => l < T) && ifPicked(lengths.map(() => T - 1)))
      return (
        'every row was read at position T - 1: with right padding that is a pad for a row shorter ' +
        'than T; read position lengths[b] - 1'
      );
    if (ifPicked(lengths.slice()))
      return (
        'off by one: row b was read at position lengths[b], one past its last real token; ' +
        'use lengths[b] - 1'
      );
    if (ifPicked(lengths.map(() => 0)))
      return 'every row was read at position 0, the first token; use lengths[b] - 1';
    return null;
  },
  extra: [classifierPaddingStep()],
};

export const chapter11: ExerciseSpec[] = [loraForwardSpec, loraMergeSpec, lastTokenPoolSpec];
