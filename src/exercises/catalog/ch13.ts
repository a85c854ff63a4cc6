// Chapter 13 exercises: compression (docs/13-compression-and-deployment.md). Absmax int8 with one
// scale per row (LLM.int8's vector-wise quantization, Dettmers et al., 2022), group-wise int4 (the
// scheme of GPTQ/AWQ checkpoints and llama.cpp's Q4 formats), both packed as a checkpoint stores
// them, and the mask of magnitude pruning (Han et al., 2015) over several matrices at once.

import type { ExerciseSpec } from '../spec.js';
import '../../quant/int8.js'; // registers quantizeInt8
import '../../quant/int4.js'; // registers quantizeInt4
import type { Int8Rows } from '../../quant/int8.js';
import type { Int4Groups } from '../../quant/int4.js';
import { unpackNibbles } from '../../quant/int4.js';
import '../../prune/magnitude.js'; // registers smallestMask
import { int8Variant, maskVariant, prunedGptStep, quantizedGptStep, weights } from './ch13-helpers.js';

const sameCodes = (got: unknown, want: number[]): boolean => {
  const q = (got as { q?: ArrayLike<number> } | null)?.q;
  return !!q && q.length === want.length && want.every((v, i) => q[i] === v);
};

// quantize-int8

const quantizeInt8Spec: ExerciseSpec = {
  id: 'quantize-int8',
  chapter: 13,
  section: 'Absmax int8, one scale per row',
  title: 'Absmax int8: one scale per row, s = max abs(row) / 127, q = round(w / s)',
  exportName: 'quantizeInt8',
  slot: 'quantizeInt8',
  pureInputs: true,
  topics: ['weights', 'inference'],
  compare:
    "bitsandbytes' vector-wise int8 (LLM.int8) takes absmax per row of the weight and per row of the " +
    "activations, and keeps outlier columns in fp16; PyTorch's torch.ao per-channel quantization stores " +
    "the same scale with a zero point of 0 (qint8, 'per_channel_symmetric'); llama.cpp's Q8_0 takes " +
    'absmax per block of 32 weights and stores the scale in fp16.',
  hints: [
    'Each row r of W (rows, cols) gets its own scale s_r, chosen so the largest |weight| of the row ' +
      'lands exactly on ±127. Then every weight becomes the nearest integer multiple of s_r.',
    's_r = max_j |W[r, j]| / 127 (store it as float32: Math.fround), q = Math.round(w / s_r), clamped ' +
      'to [-127, 127] in case rounding of s overshoots. A row of zeros has s = 0: its codes are 0 (no ' +
      '0 / 0). Return { rows, cols, q: Int8Array, scales: Float32Array }.',
    'for each row: amax = max |w|; s = Math.fround(amax / 127); scales[r] = s; q[r*cols+j] = s === 0 ? ' +
      '0 : clamp(Math.round(w[r*cols+j] / s), -127, 127)',
  ],
  tolerance: { atol: 1e-7, rtol: 1e-6 },
  cases: (rng) => [
    { name: 'a (4, 8) weight matrix', args: [weights(rng, 4, 8), 4, 8] },
    { name: 'odd shape (5, 13) with two outliers', args: [weights(rng, 5, 13, 2), 5, 13] },
    { name: 'one row (1, 1)', args: [Float32Array.from([-0.3]), 1, 1] },
    {
      name: 'a row of zeros: scale 0, codes 0',
      args: [Float32Array.from([0, 0, 0, 0.5, -0.25, 0.125]), 2, 3],
    },
    { name: 'large weights (±1e3)', args: [weights(rng, 3, 7).map((v) => v * 5e4), 3, 7] },
  ],
  diagnose(got, want, c) {
    const [w, rows, cols] = c.args as [Float32Array, number, number];
    const g = got as Partial<Int8Rows> | null;
    if (!g || !(g.q instanceof Int8Array))
      return (
        'return { rows, cols, q, scales } with q an Int8Array (rows · cols) and scales a ' +
        'Float32Array (rows)'
      );
    if (g.scales && Array.from(g.scales).some((s) => !Number.isFinite(s)))
      return 'a scale is NaN or infinite: a row of zeros has scale 0 and codes 0';
    if (Array.from(g.q).some((v, i) => v !== 0 && (want as Int8Rows).q[i] === 0 && w[i] === 0))
      return 'a zero weight got a nonzero code: with s = 0 every code is 0';
    if (sameCodes(got, int8Variant(w, rows, cols, { levels: 128 })))
      return 'the scale is max / 128: int8 is symmetric here, -127..127, so use max / 127';
    if (sameCodes(got, int8Variant(w, rows, cols, { levels: 255 })))
      return 'the scale is max / 255: the codes are signed, -127..127, so the largest weight maps to 127';
    if (rows > 1 && sameCodes(got, int8Variant(w, rows, cols, { global: true })))
      return 'one scale for the whole matrix: each row gets its own, max over that row';
    if (sameCodes(got, int8Variant(w, rows, cols, { trunc: true })))
      return 'the codes are truncated toward 0: round to the nearest integer (Math.round)';
    return null;
  },
  extra: [quantizedGptStep({ bits: 8 }, 'int8')],
};

// quantize-int4

const quantizeInt4Spec: ExerciseSpec = {
  id: 'quantize-int4',
  chapter: 13,
  section: 'Why int4 needs groups',
  title: 'Group-wise int4: one scale per group of G, packed two codes per byte',
  exportName: 'quantizeInt4',
  slot: 'quantizeInt4',
  pureInputs: true,
  topics: ['weights', 'inference'],
  compare:
    "llama.cpp's Q4_0 is this symmetric form on blocks of 32, with the scale in fp16 and -max / 8 as " +
    'the scale (so the largest weight maps to -8); its Q4_1 adds a minimum (our zero point as a float). ' +
    "GPTQ and AWQ checkpoints (AutoGPTQ's packing) store 4-bit codes with per-group scales and zero " +
    'points, eight codes per int32, and choose the rounding or rescale channels using activations.',
  hints: [
    'Cut each row into groups of G consecutive weights (G divides cols). Symmetric: s = max|group| / 7, ' +
      'q = round(w / s) clamped to [-8, 7], stored as the code q + 8 ∈ [0, 15]. With a zero point: ' +
      's = (max - min) / 15, z = round(-min / s) clamped to [0, 15], code = round(w / s) + z clamped to ' +
      '[0, 15].',
    'Groups run along each row, and rows follow each other, so group g covers flat indices g·G .. g·G + ' +
      'G - 1. Store each scale as float32 (Math.fround). Pack: byte i >> 1 gets code i in its low nibble ' +
      'when i is even and in its high nibble when i is odd. A group of zeros has s = 0 and codes 8 (or z).',
    'codes[i] = s === 0 ? 8 : clamp(Math.round(w[i] / s), -8, 7) + 8; packed[i >> 1] |= codes[i] << ' +
      '((i & 1) * 4); return { rows, cols, groupSize: G, packed, scales, zeros: zeroPoint ? zeros : null }',
  ],
  tolerance: { atol: 1e-7, rtol: 1e-6 },
  cases: (rng) => [
    { name: '(2, 8), groups of 4', args: [weights(rng, 2, 8), 2, 8, { groupSize: 4 }] },
    {
      name: '(3, 64), groups of 32, with outliers',
      args: [weights(rng, 3, 64, 3), 3, 64, { groupSize: 32 }],
    },
    {
      name: '(3, 10), groups of 2, zero point',
      args: [weights(rng, 3, 10).map((v) => v + 0.01), 3, 10, { groupSize: 2, zeroPoint: true }],
    },
    {
      name: 'one group is all zeros',
      args: [Float32Array.from([0, 0, 0, 0, 0.1, -0.3, 0.2, 0.05]), 1, 8, { groupSize: 4 }],
    },
    {
      name: 'zero point, all weights positive (z = 0)',
      args: [Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 2, 3, { groupSize: 3, zeroPoint: true }],
    },
  ],
  diagnose(got, want) {
    const g = got as Partial<Int4Groups> | null;
    const w = want as Int4Groups;
    if (!g || !(g.packed instanceof Uint8Array))
      return 'return { rows, cols, groupSize, packed: Uint8Array, scales: Float32Array, zeros }';
    if (g.packed.length !== w.packed.length)
      return `packed should hold two codes per byte: ${w.packed.length} bytes for ${w.rows * w.cols} codes`;
    const n = w.rows * w.cols;
    const mine = unpackNibbles(g.packed, n);
    const ref = unpackNibbles(w.packed, n);
    const swapped = Array.from(mine).every((v, i) => v === ref[i ^ 1]);
    if (swapped && !Array.from(mine).every((v, i) => v === ref[i]))
      return 'the nibbles are swapped: the even-indexed code goes in the LOW 4 bits of its byte';
    if (g.scales && w.scales.length !== g.scales.length)
      return `one scale per group: ${w.scales.length} groups of ${w.groupSize}, not ${g.scales.length}`;
    if (!w.zeros && Array.from(mine).every((v, i) => ((v + 8) & 15) === ref[i]))
      return 'the codes are q, not q + 8: store q ∈ [-8, 7] as q + 8 ∈ [0, 15]';
    if (g.scales && Array.from(g.scales).every((s, i) => Math.abs(s * 8 - w.scales[i] * 7) < 1e-7))
      return 'the scale is max / 8: the positive side only reaches 7, so s = max|group| / 7';
    return null;
  },
  extra: [quantizedGptStep({ bits: 4, groupSize: 16 }, 'int4 (groups of 16)')],
};

// magnitude-mask

const flat = (got: unknown): number[] | null =>
  Array.isArray(got) && got.every((m) => ArrayBuffer.isView(m))
    ? got.flatMap((m) => Array.from(m as Uint8Array))
    : null;
const sameMask = (got: unknown, want: number[]): boolean => {
  const g = flat(got);
  return !!g && g.length === want.length && g.every((v, i) => v === want[i]);
};

const magnitudeMaskSpec: ExerciseSpec = {
  id: 'magnitude-mask',
  chapter: 13,
  section: 'Magnitude pruning',
  title: 'Magnitude pruning: mask the round(s·n) smallest magnitudes over all matrices at once',
  exportName: 'smallestMask',
  slot: 'smallestMask',
  pureInputs: true,
  topics: ['weights'],
  compare:
    "PyTorch's torch.nn.utils.prune.global_unstructured with L1Unstructured does this over a list of " +
    "(module, 'weight') pairs (amount = the fraction, rounded), keeping a weight_mask buffer and a " +
    'forward pre-hook; prune.l1_unstructured is the per-matrix form. Wanda (Sun et al., 2023) scores ' +
    '|w| · ||x|| with activations instead, and SparseGPT updates the remaining weights as it prunes.',
  hints: [
    'Treat all the arrays as one list of n numbers: the k = round(s · n) entries of smallest |w| get ' +
      'mask 0, every other entry 1. Return one Uint8Array per input array, same lengths.',
    'Magnitude means |w|: a large negative weight matters as much as a large positive one. Find the ' +
      'k-th smallest |w| (sort a copy of all magnitudes) as the threshold t; mask every |w| < t, then ' +
      'entries with |w| = t in order (array by array, index by index) until exactly k are masked.',
    'const t = all |w| sorted ascending [k - 1]; pass 1: |w| < t -> 0 (left--); pass 2: |w| === t -> 0 ' +
      'while left > 0. With k = 0 return all ones.',
  ],
  tolerance: { atol: 0, rtol: 0 },
  cases: (rng) => [
    { name: 'one (4, 8) matrix, s = 0.5', args: [[weights(rng, 4, 8)], 0.5] },
    {
      name: 'three matrices of different scales, s = 0.3 (one global threshold)',
      args: [
        [weights(rng, 2, 5), weights(rng, 3, 4).map((v) => v * 10), weights(rng, 1, 7).map((v) => v / 10)],
        0.3,
      ],
    },
    {
      name: 'ties: many equal magnitudes (±0.5), s = 0.4',
      args: [[Float32Array.from([0.5, -0.5, 0.5, 0.1, -0.5, 0.5, 0.9, -0.5])], 0.4],
    },
    { name: 's = 0: nothing pruned', args: [[weights(rng, 2, 3)], 0] },
    { name: 's = 0.9, negative weights', args: [[weights(rng, 3, 7).map((v) => -Math.abs(v) - 0.01)], 0.9] },
    { name: 'one weight, s = 0.6 (round(0.6) = 1)', args: [[Float32Array.from([-2])], 0.6] },
  ],
  diagnose(got, _want, c) {
    const [arrays, s] = c.args as [Float32Array[], number];
    const g = flat(got);
    if (!g) return 'return one Uint8Array mask per input array (1 = kept, 0 = pruned)';
    const n = arrays.reduce((t, a) => t + a.length, 0);
    const zeros = g.filter((v) => v === 0).length;
    if (sameMask(got, maskVariant(arrays, s, { signed: true })))
      return 'the most negative weights were pruned: rank by magnitude |w|, not by w';
    if (arrays.length > 1 && sameMask(got, maskVariant(arrays, s, { perArray: true })))
      return 'each matrix lost the fraction s on its own: one threshold over all the matrices together';
    if (zeros === Math.floor(s * n) && zeros !== Math.round(s * n))
      return `prune round(s · n) = ${Math.round(s * n)} weights, not floor(s · n) = ${zeros}`;
    if (zeros > Math.round(s * n))
      return `${zeros} pruned, not ${Math.round(s * n)}: among ties at the threshold stop at exactly k`;
    return null;
  },
  extra: [prunedGptStep()],
};

export const chapter13: ExerciseSpec[] = [quantizeInt8Spec, quantizeInt4Spec, magnitudeMaskSpec];
