// Configuration of the Vision Transformer (Dosovitskiy et al., 2021), one typed object. Defaults
// follow the paper's ViT: a [CLS] token, learned 1-D positions, pre-norm layers with exact GELU,
// LayerNorm eps 1e-6, an MLP 4·D wide. Sizes are small enough to train on a laptop.

import { LlmfsError } from '../../errors.js';
import type { Activation } from '../../model/config.js';
import { patchGrid } from '../../tensor/ops/unfold-patches.js';

/** How the image becomes one vector for the heads: the [CLS] token's features, or the patch mean. */
export type ViTPool = 'cls' | 'mean';
/** Learned 1-D positions (one vector per token, the paper's default) or factorised 2-D (row + column). */
export type ViTPositions = 'learned' | 'learned-2d';

export interface ViTConfig {
  /** Image channels (3 for RGB). */
  channels: number;
  /** Image height and width in pixels; both must be multiples of patchSize. */
  imageHeight: number;
  imageWidth: number;
  /** P: the side of a square patch. N = (H/P)·(W/P) patches are the tokens. */
  patchSize: number;
  /** D: the width of the residual stream. */
  dModel: number;
  nHead: number;
  nLayer: number;
  /** Hidden width of each layer's MLP (4·D in the paper). */
  dFF: number;
  /** 'cls' prepends a learned [CLS] token (the paper); 'mean' averages the patch features. */
  pool: ViTPool;
  positions: ViTPositions;
  /** The paper's MLP nonlinearity is exact GELU. */
  activation: Activation;
  normEps: number;
  dropout: number;
  /** Classification heads, name -> number of classes (e.g. {shape: 3, colour: 4}); {} for none. */
  heads: Record<string, number>;
}

export type ViTConfigInput = Pick<ViTConfig, 'patchSize' | 'dModel' | 'nHead' | 'nLayer'> &
  Partial<ViTConfig> & {
    /** Shorthand for a square image: imageHeight = imageWidth = imageSize. */
    imageSize?: number;
  };

export function vitConfig(i: ViTConfigInput): ViTConfig {
  const { imageSize, ...rest } = i;
  const c: ViTConfig = {
    channels: 3,
    imageHeight: imageSize ?? 32,
    imageWidth: imageSize ?? 32,
    dFF: 4 * i.dModel,
    pool: 'cls',
    positions: 'learned',
    activation: 'gelu',
    normEps: 1e-6,
    dropout: 0,
    heads: {},
    ...rest,
  };
  for (const k of [
    'channels',
    'imageHeight',
    'imageWidth',
    'patchSize',
    'dModel',
    'nHead',
    'nLayer',
    'dFF',
  ] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new LlmfsError(`vit config: ${k} must be a positive integer, got ${c[k]}`);
  }
  patchGrid('vit config', c.imageHeight, c.imageWidth, c.patchSize);
  if (c.dModel % c.nHead !== 0)
    throw new LlmfsError(`vit config: dModel ${c.dModel} must be divisible by nHead ${c.nHead}`);
  if (c.pool !== 'cls' && c.pool !== 'mean')
    throw new LlmfsError(`vit config: pool must be 'cls' or 'mean', got '${String(c.pool)}'`);
  if (c.positions !== 'learned' && c.positions !== 'learned-2d')
    throw new LlmfsError(
      `vit config: positions must be 'learned' or 'learned-2d', got '${String(c.positions)}'`,
    );
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new LlmfsError(`vit config: dropout must be in [0, 1), got ${c.dropout}`);
  for (const [name, n] of Object.entries(c.heads)) {
    if (!Number.isInteger(n) || n < 1)
      throw new LlmfsError(
        `vit config: head '${name}' must have a positive integer number of classes, got ${n}`,
      );
  }
  return c;
}

/** N, the number of patches, and T, the number of tokens (N + 1 with a [CLS] token). */
export function vitTokens(c: ViTConfig): { nPatches: number; nTokens: number; hp: number; wp: number } {
  const hp = c.imageHeight / c.patchSize;
  const wp = c.imageWidth / c.patchSize;
  const nPatches = hp * wp;
  return { nPatches, nTokens: nPatches + (c.pool === 'cls' ? 1 : 0), hp, wp };
}
