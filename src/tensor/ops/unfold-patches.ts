// Patches as tokens (ViT, Dosovitskiy et al., 2021, eq. 1): an image (B, C, H, W) cut into
// N = (H/P)·(W/P) non-overlapping P×P patches, each flattened to a row of C·P·P values, so the patch
// embedding x_p E is one matmul. Column order (c, py, px) is a Conv2d weight's (D, C, P, P).reshape(D, -1),
// so a PyTorch Conv2d(kernel = stride = P) checkpoint maps by reshape; patches go row by row (as
// conv.flatten(2).transpose(1, 2)). With stride = P each pixel lands in exactly one place, so the
// op is a permutation: its backward (the fold) puts each gradient back where its pixel came from,
// and fold's backward is unfold. The loops only copy, so they stay here (kernels/backend-interface.ts:
// layout copies may stay in the ops).

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'unfold-patches' (chapter 17): (B, C, H, W) -> (B, N, C·P·P), columns (c, py, px). */
    unfoldPatches(x: Tensor, P: number): Tensor;
  }
}

/** The patch grid of an image: Hp = H / P rows and Wp = W / P columns, checked to divide. */
export function patchGrid(op: string, H: number, W: number, P: number): { hp: number; wp: number } {
  if (!Number.isInteger(P) || P <= 0)
    throw new LlmfsError(`${op}: patch size must be a positive integer, got ${P}`);
  if (H % P !== 0 || W % P !== 0) {
    const fit = `${Math.max(P, Math.round(H / P) * P)}x${Math.max(P, Math.round(W / P) * P)}`;
    throw new LlmfsError(
      `${op}: an image of ${H}x${W} (HxW) does not divide into ${P}x${P} patches; ` +
        `resize or crop it to multiples of ${P} (e.g. ${fit})`,
    );
  }
  return { hp: H / P, wp: W / P };
}

/**
 * Moves values between image layout and patch layout. For pixel (b, c, i·P + py, j·P + px) the
 * patch row is n = i·Wp + j and the column c·P·P + py·P + px. toPatches copies image -> patches,
 * otherwise patches -> image.
 */
function copyPatches(
  src: Tensor['data'],
  dst: Tensor['data'],
  B: number,
  C: number,
  H: number,
  W: number,
  P: number,
  toPatches: boolean,
): void {
  const hp = H / P;
  const wp = W / P;
  const K = C * P * P; // columns per patch
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++) {
        const i = (y / P) | 0; // patch row
        const py = y - i * P;
        const imageRow = ((b * C + c) * H + y) * W;
        for (let x = 0; x < W; x++) {
          const j = (x / P) | 0; // patch column
          const px = x - j * P;
          const patchIdx = (b * hp * wp + i * wp + j) * K + c * P * P + py * P + px;
          if (toPatches) dst[patchIdx] = src[imageRow + x];
          else dst[imageRow + x] = src[patchIdx];
        }
      }
}

/**
 * x (B, C, H, W) -> patches (B, N, C·P·P), N = (H/P)·(W/P). Backward: foldPatches. Exercisable
 * (chapter 17's 'unfold-patches': the same as a reshape, permute, reshape).
 */
export const unfoldPatches = exercisable('unfoldPatches', (x: Tensor, P: number): Tensor => {
  if (x.ndim !== 4)
    throw new LlmfsError(`unfoldPatches: images must be (B, C, H, W), got ${fmtShape(x.shape)}`);
  const [B, C, H, W] = x.shape;
  const { hp, wp } = patchGrid('unfoldPatches', H, W, P);
  const out = allocate(x.dtype, x.size);
  copyPatches(x.data, out, B, C, H, W, P, true);
  return Tensor.fromOp('unfoldPatches', out, [B, hp * wp, C * P * P], [x], (g) => [
    foldPatches(g, [H, W], P), // dL/dx: every patch gradient back to its pixel
  ]);
});

/**
 * The inverse, patches (B, N, C·P·P) -> images (B, C, H, W) of size [H, W]: the backward of unfold,
 * and a way to draw per-patch values (attention, reconstructions) as a picture. Backward: unfold.
 */
export function foldPatches(patches: Tensor, size: readonly [number, number], P: number): Tensor {
  const [H, W] = size;
  const { hp, wp } = patchGrid('foldPatches', H, W, P);
  if (patches.ndim !== 3 || patches.shape[1] !== hp * wp || patches.shape[2] % (P * P) !== 0) {
    throw new LlmfsError(
      `foldPatches: patches ${fmtShape(patches.shape)} are not (B, ${hp * wp}, C·${P * P}) ` +
        `for a ${H}x${W} image in ${P}x${P} patches`,
    );
  }
  const [B, , K] = patches.shape;
  const C = K / (P * P);
  const out = allocate(patches.dtype, patches.size);
  copyPatches(patches.data, out, B, C, H, W, P, false);
  return Tensor.fromOp('foldPatches', out, [B, C, H, W], [patches], (g) => [unfoldPatches(g, P)]);
}
