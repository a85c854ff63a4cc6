// The one door from an image to a vision model's input (issue 20): `imageForModel` turns any
// decoded Image into the normalised (1, 3, H, W) float tensor the model was trained on. Every
// command that feeds a picture to a model (`vision eval --image`, later `caption` and `ask`) goes
// through here, so the conversions are the same everywhere and written down once:
//   - grayscale, palette, 16-bit and alpha images were already made 8-bit RGB by the decoder
//     (png.ts: gray g -> (g, g, g); alpha composited on white, see overWhite in image.ts);
//   - a wrong size is resized bilinearly to the model's (resize.ts, PyTorch's F.interpolate with
//     align_corners=False, no antialias), and the caller is told (onResize, the CLI's stderr note),
//     or refused with one line when onMismatch is 'error'. The aspect ratio is not kept: a 64x32
//     picture is squeezed to 48x48, as torchvision's Resize((48, 48)) would;
//   - then each sample becomes (v / 255 - mean[c]) / std[c] (to-tensor.ts), the model's own
//     mean and std from its checkpoint.
// Normalisation as in ViT (Dosovitskiy et al. 2020, arXiv:2010.11929) and torchvision's
// ToTensor + Normalize. Portable: no file access (io/image-files.ts reads the file).

import type { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/creation.js';
import type { Image } from './image.js';
import { fitImage } from './resize.js';
import { imageToTensor } from './to-tensor.js';

/** How a model takes images: size x size pixels, normalised per channel (a checkpoint's "image"). */
export interface ModelImageConfig {
  size: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
}

export interface ImageForModelOptions {
  /** 'resize' (default): bilinear resize to the model's size; 'error': refuse with one line. */
  onMismatch?: 'resize' | 'error';
  /** The image's name (its file) for the error line and the note. */
  name?: string;
  /** Called once when the image is resized, e.g. to print a note: from and to are [width, height]. */
  onResize?(from: [number, number], to: [number, number]): void;
}

/** The note a command prints when it resized an image (one line, for stderr). */
export function resizeNote(name: string, from: [number, number], to: [number, number]): string {
  return (
    `note: ${name} is ${from[0]}x${from[1]}, resized (bilinear) to the model's ${to[0]}x${to[1]} ` +
    '(--on-size-mismatch error refuses instead)'
  );
}

/** The image as the model's input: (1, 3, size, size), resized if needed, normalised. */
export function imageForModel(
  image: Image,
  cfg: ModelImageConfig,
  options: ImageForModelOptions = {},
): Tensor {
  const { size } = cfg;
  const fitted = fitImage(image, size, size, { onMismatch: options.onMismatch, name: options.name });
  if (fitted !== image) options.onResize?.([image.width, image.height], [size, size]);
  const x = imageToTensor(fitted, { mean: cfg.mean, std: cfg.std }); // (3, size, size)
  return fromArray(x.data, [1, 3, size, size]);
}
