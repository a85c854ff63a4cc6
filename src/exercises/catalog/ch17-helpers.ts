// Helpers for chapter 17's exercises unfold-patches and bilinear-resize (docs/17-seeing.md): seeded
// inputs, the wrong variants of each function the diagnoses compare against, and the checks that
// run the learner's function inside the library: a Conv2d by hand against the patch matmul and a
// tiny ViT (unfold), PyTorch's own resize and a model input (resize). count-objects: ch17-count.ts.

import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/grad-mode.js';
import { manualSeed, Rng } from '../../tensor/rng.js';
import { unfoldPatches } from '../../tensor/ops/unfold-patches.js';
import { ViT } from '../../vision/model/vit.js';
import { resizeBilinear } from '../../vision/resize.js';
import { imageForModel } from '../../vision/input.js';
import { sceneExample } from '../../vision/scenes/dataset.js';
import { withReferences } from '../registry.js';
import { randn, uniform } from '../helpers.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { PYTORCH_RESIZE } from './ch17-golden.js';

/** The largest |a - b| (Infinity for NaN or a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Number.isNaN(d) ? Infinity : Math.max(max, d);
  }
  return max;
}

const outcome = (max: number, tol: number, ok: string, bad: string): StepOutcome => ({
  passed: max <= tol,
  maxAbsDiff: max,
  message:
    max <= tol ? `${ok} (max |Δ| ${max.toExponential(2)})` : `${bad} (|Δ| up to ${max.toPrecision(3)})`,
});

// --- unfold-patches ---

/** [x (B, C, H, W) float64, P] */
export const unfoldCase = (rng: Rng, shape: [number, number, number, number], P: number): unknown[] => [
  randn(rng, shape, { dtype: 'float64' }),
  P,
];

export type UnfoldMistake = 'channels-last' | 'column-major' | 'plain-reshape';

/** The patches as a common mistake lays them out, (B, N, C·P·P) data. */
export function unfoldVariant(x: Tensor, P: number, mistake: UnfoldMistake): Float64Array {
  const [B, C, H, W] = x.shape as [number, number, number, number];
  const hp = H / P;
  const wp = W / P;
  const K = C * P * P;
  const out = new Float64Array(x.size);
  if (mistake === 'plain-reshape') return Float64Array.from(x.data);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++) {
          const [i, py, j, px] = [Math.floor(y / P), y % P, Math.floor(xx / P), xx % P];
          const n = mistake === 'column-major' ? j * hp + i : i * wp + j;
          const col = mistake === 'channels-last' ? (py * P + px) * C + c : c * P * P + py * P + px;
          out[(b * hp * wp + n) * K + col] = x.data[((b * C + c) * H + y) * W + xx]!;
        }
  return out;
}

/** A Conv2d(C, D, kernel = stride = P) by its definition, (B, N, D), against patches @ Wᵀ. */
export function convLayoutStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'a Conv2d(3, 5, kernel = stride = 2) computed by hand equals your patches @ weight.reshape(5, -1)ᵀ',
    run() {
      const rng = new Rng(17);
      const [B, C, H, W, P, D] = [2, 3, 4, 6, 2, 5];
      const x = randn(rng, [B, C, H, W], { dtype: 'float64' });
      const w = randn(rng, [D, C, P, P], { dtype: 'float64' }); // a Conv2d weight
      const [hp, wp] = [H / P, W / P];
      const conv = new Float64Array(B * hp * wp * D); // (B, N, D), N row by row
      for (let b = 0; b < B; b++)
        for (let i = 0; i < hp; i++)
          for (let j = 0; j < wp; j++)
            for (let d = 0; d < D; d++) {
              let s = 0;
              for (let c = 0; c < C; c++)
                for (let py = 0; py < P; py++)
                  for (let px = 0; px < P; px++)
                    s +=
                      w.data[((d * C + c) * P + py) * P + px]! *
                      x.data[((b * C + c) * H + i * P + py) * W + j * P + px]!;
              conv[((b * hp + i) * wp + j) * D + d] = s;
            }
      const mine = noGrad(() => unfoldPatches(x, P).matmul(w.reshape(D, C * P * P).transpose(0, 1)));
      return outcome(
        maxDiff(mine.data, conv),
        1e-9,
        'the Conv2d and the patch matmul agree: a PyTorch patch embedding loads by reshape',
        'a Conv2d weight (D, C, P, P) flattens as (c, py, px): your columns are in another order',
      );
    },
  };
}

/**
 * A tiny ViT (8x12 images, 4x4 patches, 2-D positions) gives the same logits with the learner's
 * function installed as with the library's: `pool` 'mean' (no [CLS]) or 'cls' ([CLS] first).
 */
export function vitStep(pool: 'mean' | 'cls', what: string): ExtraCheck {
  return {
    kind: 'integration',
    name: `a tiny ViT (8x12 images, 4x4 patches, ${pool} pool, 2-D positions) runs on your ${what}`,
    run() {
      const run = () =>
        noGrad(() => {
          manualSeed(3);
          const vit = new ViT({
            imageHeight: 8,
            imageWidth: 12,
            patchSize: 4,
            dModel: 8,
            nHead: 2,
            nLayer: 1,
            pool,
            positions: 'learned-2d',
            heads: { shape: 4 },
          });
          vit.eval();
          const images = randn(new Rng(4), [2, 3, 8, 12]);
          return vit.forward(images).logits['shape']!.data.slice(); // (2, 4)
        });
      return outcome(
        maxDiff(run(), withReferences(run)),
        1e-5,
        "the ViT's logits equal the library's",
        `the ViT's logits differ from the library's: it reads your ${what}`,
      );
    },
  };
}

// --- bilinear-resize ---

/** [samples (H, W, C) in 0..255, H, W, C, outH, outW] */
export function resizeCase(rng: Rng, H: number, W: number, C: number, outH: number, outW: number): unknown[] {
  const x = uniform(rng, H * W * C, 0, 255);
  return [x, H, W, C, outH, outW];
}

export type ResizeMistake = 'align-corners' | 'nearest' | 'swapped';

/** Where output index o samples the input, and how the two neighbours mix, under a mistake. */
function sampleAt(
  o: number,
  inSize: number,
  outSize: number,
  mistake?: ResizeMistake,
): [number, number, number] {
  let s =
    mistake === 'align-corners'
      ? outSize === 1
        ? 0
        : (o * (inSize - 1)) / (outSize - 1)
      : (o + 0.5) * (inSize / outSize) - 0.5;
  s = Math.max(s, 0);
  if (mistake === 'nearest') s = Math.min(Math.round(s), inSize - 1);
  const lo = Math.min(Math.floor(s), inSize - 1);
  const hi = Math.min(lo + 1, inSize - 1);
  return [Math.max(lo, 0), hi, s - lo];
}

/** The resize as a common mistake computes it ('swapped': H's weights along W and back). */
export function resizeVariant(args: unknown[], mistake: ResizeMistake): Float64Array {
  const [src, H, W, C, outH, outW] = args as [Float64Array, number, number, number, number, number];
  const sw = mistake === 'swapped';
  const out = new Float64Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const [y0, y1, wy] = sw ? sampleAt(y, W, outW, mistake) : sampleAt(y, H, outH, mistake);
    for (let x = 0; x < outW; x++) {
      const [x0, x1, wx] = sw ? sampleAt(x, H, outH, mistake) : sampleAt(x, W, outW, mistake);
      for (let c = 0; c < C; c++) {
        const at = (yy: number, xx: number) => src[(Math.min(yy, H - 1) * W + Math.min(xx, W - 1)) * C + c]!;
        const top = (1 - wx) * at(y0, x0) + wx * at(y0, x1);
        const bottom = (1 - wx) * at(y1, x0) + wx * at(y1, x1);
        out[(y * outW + x) * C + c] = (1 - wy) * top + wy * bottom;
      }
    }
  }
  return out;
}

/** The learner's resize on PyTorch's own inputs and outputs (the fixture's F.interpolate). */
export function pytorchResizeStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: "PyTorch's F.interpolate(bilinear, align_corners=False): 6x5 -> 3x2 and 3x3 -> 8x8, RGB",
    run() {
      let max = 0;
      for (const g of PYTORCH_RESIZE) {
        const y = resizeBilinear(g.x, g.in[0], g.in[1], 3, g.out[0], g.out[1]);
        max = Math.max(max, maxDiff(Array.from(y), g.y));
      }
      return outcome(max, 1e-3, "PyTorch's outputs, to 1e-3", "your resize differs from PyTorch's");
    },
  };
}

/** A 32x32 scene made into a 48x48 model's input through the learner's resize. */
export function modelInputStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: "a 32x32 scene as a 48x48 model's input (imageForModel) uses your resize",
    run() {
      const { image } = sceneExample('test', 7, { size: 32 });
      const run = () => imageForModel(image, { size: 48 }).data.slice();
      return outcome(
        maxDiff(run(), withReferences(run)),
        0,
        "the model's input equals the library's, byte for byte",
        "the model's input differs from the library's",
      );
    },
  };
}
