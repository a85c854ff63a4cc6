// Chapter 17 exercises: seeing (docs/17-seeing.md). An image cut into patch tokens (ViT,
// Dosovitskiy et al., 2021, eq. 1), the bilinear resize every picture passes through on its way
// to a model (PyTorch's F.interpolate, align_corners=False), counting a scene's objects from its
// pixels by connected components (Rosenfeld & Pfaltz, 1966): what the count head must learn; and
// the factorised 2-D position table (ch17-positions.ts).

import type { ExerciseSpec } from '../spec.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Image } from '../../vision/image.js';
import '../../tensor/ops/unfold-patches.js'; // registers unfoldPatches
import '../../vision/resize.js'; // registers resizeBilinear
import '../../vision/scenes/count.js'; // registers countObjects
import { gradcheckStep } from '../helpers.js';
import { unfoldPatches } from '../../tensor/ops/unfold-patches.js';
import { positionsSpec } from './ch17-positions.js';
import { DRAWN, countVariant, generatorCountStep, sceneImage } from './ch17-count.js';
import {
  convLayoutStep,
  maxDiff,
  modelInputStep,
  pytorchResizeStep,
  resizeCase,
  resizeVariant,
  unfoldCase,
  unfoldVariant,
  vitStep,
} from './ch17-helpers.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => maxDiff(a, b) <= tol;

// unfold-patches

const unfoldSpec: ExerciseSpec = {
  id: 'unfold-patches',
  chapter: 17,
  section: 'The model and the training',
  title: 'Cut images into patch tokens: (B, C, H, W) to (B, N, C·P·P), as a Conv2d weight flattens',
  exportName: 'unfoldPatches',
  slot: 'unfoldPatches',
  pureInputs: true,
  differentiable: true,
  topics: ['model', 'performance'],
  compare:
    'PyTorch ViTs (timm, torchvision, Hugging Face ViTModel) embed patches with a Conv2d of ' +
    'kernel = stride = P and then flatten(2).transpose(1, 2); F.unfold(x, P, stride=P) gives the ' +
    "same columns transposed, (B, C·P·P, N). JAX's Flax ViT uses a strided nn.Conv in NHWC, whose " +
    'kernel (P, P, C, D) flattens as (py, px, c): the same patches, another column order.',
  hints: [
    'Pixel (b, c, i·P + py, j·P + px) belongs to patch n = i·Wp + j (patches row by row, Hp = H/P ' +
      'rows and Wp = W/P columns) at column c·P·P + py·P + px: channel first, then the row and the ' +
      'column inside the patch, the order a Conv2d weight (D, C, P, P) flattens in.',
    'Tensor ops only, so autograd gives the backward: split each image axis in two, x.reshape(B, C, ' +
      'Hp, P, Wp, P), bring the patch grid forward with permute, then flatten. A plain reshape to ' +
      '(B, N, C·P·P) would mix pixels of different patches.',
    'return x.reshape(B, C, H / P, P, W / P, P).permute(0, 2, 4, 1, 3, 5).reshape(B, (H / P) * ' +
      '(W / P), C * P * P)',
  ],
  tolerance: { atol: 0, rtol: 0 },
  cases: (rng) => [
    { name: 'one 4x4 channel, 2x2 patches', args: unfoldCase(rng, [1, 1, 4, 4], 2) },
    { name: 'RGB, 6x4 (taller than wide), P = 2, batch 2', args: unfoldCase(rng, [2, 3, 6, 4], 2) },
    { name: 'RGB, 8x12, P = 4 (a 2x3 grid)', args: unfoldCase(rng, [1, 3, 8, 12], 4) },
    { name: 'P = 1: every pixel a patch', args: unfoldCase(rng, [1, 3, 2, 3], 1) },
    { name: 'P = H = W: one patch per image', args: unfoldCase(rng, [3, 2, 4, 4], 4) },
    { name: 'two channels, 6x9, P = 3', args: unfoldCase(rng, [2, 2, 6, 9], 3) },
    { name: 'a 48x48 scene in 16x16 patches (the default ViT)', args: unfoldCase(rng, [1, 3, 48, 48], 16) },
  ],
  diagnose(got, _want, c) {
    const [x, P] = c.args as [Tensor, number];
    if (!(got instanceof Tensor)) return 'return a Tensor of shape (B, N, C·P·P)';
    const [B, C, H, W] = x.shape as [number, number, number, number];
    const shape = [B, (H / P) * (W / P), C * P * P];
    if (got.shape.join() !== shape.join())
      return `the patches of (${x.shape.join(', ')}) in ${P}x${P} are (${shape.join(', ')}): (B, N, C·P·P)`;
    if (C > 1 && close(got.data, unfoldVariant(x, P, 'channels-last')))
      return (
        'the columns go (c, py, px), channel first, as a Conv2d weight (D, C, P, P) flattens; ' +
        'yours are (py, px, c)'
      );
    if (close(got.data, unfoldVariant(x, P, 'column-major')) && H > P && W > P)
      return 'patches go row by row, n = i·Wp + j: along the top row first, not down the columns';
    if (close(got.data, unfoldVariant(x, P, 'plain-reshape')))
      return (
        'a plain reshape keeps memory order, so a row of 16 values runs across several patches: split H ' +
        'into (Hp, P) and W into (Wp, P), then permute the patch grid in front of (C, P, P)'
      );
    return null;
  },
  extra: [
    gradcheckStep(
      'the gradient flows back to every pixel (finite differences)',
      (x) => unfoldPatches(x, 2),
      () => [
        new Tensor(
          Float64Array.from({ length: 2 * 2 * 4 * 6 }, (_, i) => Math.sin(i)),
          [2, 2, 4, 6],
          true,
        ),
      ],
    ),
    convLayoutStep(),
    vitStep('mean', 'patches'),
  ],
};

// bilinear-resize

const resizeSpec: ExerciseSpec = {
  id: 'bilinear-resize',
  chapter: 17,
  section: 'Reading images',
  title: "Bilinear resize exactly as PyTorch's F.interpolate(mode='bilinear', align_corners=False)",
  exportName: 'resizeBilinear',
  slot: 'resizeBilinear',
  pureInputs: true,
  topics: ['model'],
  compare:
    "torchvision's Resize on tensors calls F.interpolate with antialias=True (since 0.17): shrinking " +
    'then averages every pixel under the output one instead of sampling two, so it differs from this ' +
    "for downscaling. PIL's bilinear resize is antialiased too; align_corners=True (the pre-0.4 " +
    'PyTorch default) maps the corner pixel centres onto each other and shifts everything else.',
  hints: [
    'Each output index o samples the input at s = (o + 0.5) · in / out - 0.5: pixel centres sit at ' +
      'half-integers, and scaling maps centre to centre. Clamp s at 0 (PyTorch does: near the edge of ' +
      'an upscale s goes negative); the neighbours are lo = floor(s) and hi = min(lo + 1, in - 1), ' +
      'weight w = s - lo on hi.',
    'Do that per axis (rows with H and outH, columns with W and outW), then mix four samples per ' +
      'channel: top = (1 - wx)·p(y0, x0) + wx·p(y0, x1), bottom the same on row y1, out = (1 - wy)·top + ' +
      'wy·bottom. Samples are interleaved: (y, x, c) is at (y·W + x)·C + c.',
    'const axis = (o, n, m) => { const s = Math.max((o + 0.5) * n / m - 0.5, 0); const lo = ' +
      'Math.min(Math.floor(s), n - 1); return [lo, Math.min(lo + 1, n - 1), s - lo] }; for y, x, c: ' +
      '[y0, y1, wy] = axis(y, H, outH); [x0, x1, wx] = axis(x, W, outW); out[(y * outW + x) * C + c] = ...',
  ],
  tolerance: { atol: 1e-9, rtol: 1e-9 },
  cases: (rng) => [
    { name: '4x6 RGB up to 7x11', args: resizeCase(rng, 4, 6, 3, 7, 11) },
    { name: '6x5 RGB down to 3x2', args: resizeCase(rng, 6, 5, 3, 3, 2) },
    { name: 'one channel, 3x3 up to 8x8 (s < 0 at the edges)', args: resizeCase(rng, 3, 3, 1, 8, 8) },
    { name: 'the same size: every sample unchanged', args: resizeCase(rng, 5, 4, 3, 5, 4) },
    { name: 'a 1x1 image to 4x3: one colour everywhere', args: resizeCase(rng, 1, 1, 3, 4, 3) },
    { name: 'to 1x1 (s past the last pixel clamps)', args: resizeCase(rng, 6, 4, 2, 1, 1) },
    { name: 'a row: 1x9 to 3x4', args: resizeCase(rng, 1, 9, 3, 3, 4) },
    { name: 'a 32x32 scene size to 48x48', args: resizeCase(rng, 32, 32, 3, 48, 48) },
  ],
  diagnose(got, want, c) {
    const [, H, W, C, outH, outW] = c.args as number[];
    const n = outH! * outW! * C!;
    if (!got || typeof got !== 'object' || (got as ArrayLike<number>).length !== n)
      return `return ${n} samples: (outH, outW, C) interleaved, like the input`;
    const g = got as ArrayLike<number>;
    if (Array.from(g).some((v) => Number.isNaN(v) || v === undefined))
      return 'NaN: an index outside the image; clamp s at 0 and hi at in - 1';
    const is = (m: Parameters<typeof resizeVariant>[1]) => close(g, resizeVariant(c.args, m), 1e-6);
    if (is('align-corners') && !close(g, want as ArrayLike<number>, 1e-6))
      return (
        'that is align_corners=True (s = o·(in - 1)/(out - 1)); PyTorch’s default maps centres: ' +
        's = (o + 0.5)·in/out - 0.5'
      );
    if (is('nearest'))
      return 'mix the two neighbours by the fraction of s, w = s - floor(s), rather than rounding s';
    if (H !== W && is('swapped')) return 'rows use H and outH, columns W and outW: the axes are swapped';
    return null;
  },
  extra: [pytorchResizeStep(), modelInputStep()],
};

// count-objects

const countSpec: ExerciseSpec = {
  id: 'count-objects',
  chapter: 17,
  section: 'What a scene holds',
  title: 'Count the objects in a scene from its pixels: same-colour regions joined through 4 neighbours',
  exportName: 'countObjects',
  slot: 'countObjects',
  pureInputs: true,
  topics: ['model'],
  compare:
    "scipy.ndimage.label and OpenCV's connectedComponents label a binary mask (4- or 8-connected, " +
    'OpenCV with a union-find two-pass algorithm); here the mask is per colour. The ViT never runs ' +
    'such a loop: its count head must learn the answer from patch tokens, which is why counting is ' +
    'the hardest of its four heads.',
  hints: [
    'Every non-white pixel belongs to an object, drawn in one flat colour with no anti-aliasing. Two ' +
      'pixels are in the same object when a path of same-coloured pixels joins them, each step to the ' +
      'pixel above, below, left or right (not diagonally). Count those regions.',
    'Flood fill: scan the pixels in order; at a non-white pixel not yet seen, count one more object, ' +
      'mark it seen and push it on a stack; pop pixels and push their unseen 4 neighbours of the same ' +
      'colour until the stack is empty. Pixel (x, y) is data[3·(y·width + x)] .. + 2.',
    'const key = (p) => (d[3p] << 16) | (d[3p+1] << 8) | d[3p+2]; for (p) if (!seen[p] && key(p) !== ' +
      '0xffffff) { n++; stack = [p]; seen[p] = 1; while (stack.length) { q = stack.pop(); for (r of ' +
      'neighbours4(q)) if (!seen[r] && key(r) === key(p)) { seen[r] = 1; stack.push(r) } } } return n',
  ],
  tolerance: { atol: 0, rtol: 0 },
  cases: () => [
    { name: 'test scene 0 (48x48)', args: [sceneImage(0, 48)] },
    { name: 'test scene 11 (48x48, up to 9 objects)', args: [sceneImage(11, 48, 9)] },
    { name: 'test scene 5 (24x24)', args: [sceneImage(5, 24, 9)] },
    { name: 'two squares of one colour touching at a corner: 2', args: [DRAWN.corner] },
    { name: 'red beside blue, touching: 2', args: [DRAWN.touching] },
    { name: 'a ring (a hole in the middle): 1', args: [DRAWN.ring] },
    { name: 'two objects of one colour apart: 2', args: [DRAWN.twins] },
    { name: 'an empty white image: 0', args: [DRAWN.empty] },
    { name: 'one pixel: 1', args: [DRAWN.dot] },
  ],
  diagnose(got, want, c) {
    const image = c.args[0] as Image;
    if (typeof got !== 'number') return 'return the count as a number';
    if (got === countVariant(image, 'with-background')) return 'the white background is not an object';
    if (got === countVariant(image, 'eight-neighbours') && got !== want)
      return 'pixels that touch only at a corner are apart: join the 4 neighbours (up, down, left, right)';
    if (got === countVariant(image, 'any-colour') && got !== want)
      return 'join only pixels of the same colour: a red square touching a blue one is two objects';
    if (got === countVariant(image, 'colours') && got !== want)
      return 'count regions, not colours: two objects may share a colour';
    if (got === countVariant(image, 'pixels') && got !== want)
      return 'count connected regions, not coloured pixels: flood each object once';
    return null;
  },
  extra: [generatorCountStep()],
};

export const chapter17: ExerciseSpec[] = [countSpec, resizeSpec, unfoldSpec, positionsSpec];
