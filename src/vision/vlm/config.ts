// Configuration of the small vision-language models (issue 20), one typed object for both kinds:
//   'prefix' LLaVA (Liu et al., 2023): ViT features -> projector -> prepended to a GPT's tokens;
//   'cross'  the encoder-decoder Transformer (Vaswani et al., 2017) with the ViT as its encoder:
//            the decoder's cross-attention reads the ViT features as its memory.
// Defaults are sized to train on captions of 48x48 scenes in minutes on two cores: 16-pixel
// patches (9 image tokens, one per grid cell), a 2-layer ViT of width 64, a 2-layer decoder of 64.
// Measured once per row (scripts/vlm-measure.ts, prefix kind, linear projector, captions, batch
// 16, lr 3e-3, seed 0 unless named; per-attribute accuracy on 200 test scenes): ViT width 48,
// 1200 steps: colour 87.5%, shape 94.3%; width 48, 2400 steps: colour 33%, shape 41% (still on
// the loss plateau near 0.3 where the grammar is learnt and colour and shape are guessed); lr 1e-3
// or 6e-3 at width 48, 1200 steps: colour 20% / 50%; width 64, 1200 steps: colour 90.3%, shape
// 83.9%; width 64, 2400 steps (the defaults): 100% on every attribute and 100% exact match with
// seeds 0 and 1, and the cross kind the same (seeds 0 and 1), in 3.5-6 minutes of training here.

import { LlmfsError } from '../../errors.js';
import type { ProjectorKind } from '../model/projector.js';
import { vitConfig, vitTokens, type ViTConfig, type ViTConfigInput } from '../model/vit-config.js';

export const VLM_KINDS = ['prefix', 'cross'] as const;
export type VlmKind = (typeof VLM_KINDS)[number];

export interface VlmConfig {
  kind: VlmKind;
  /** The image encoder; the default pools by mean (no [CLS]), so its tokens are the patches. */
  vit: ViTConfig;
  /** V: the text vocabulary (the word tokenizer's size). */
  vocabSize: number;
  /** The most text tokens one sequence holds (prompt and output together). */
  maxText: number;
  /** C: the decoder's width; the projector (prefix) or a Linear (cross) maps the ViT's D to it. */
  nEmbd: number;
  nHead: number;
  nLayer: number;
  /**
   * The prefix kind's projector: 'linear' (LLaVA, the default here) or 'mlp' (LLaVA-1.5). On
   * 48x48 captions, seed 0: at the old defaults (ViT width 48, 1200 steps) linear reached 87.5%
   * colour accuracy on the test split, the MLP 21%; at the defaults above the MLP still stopped on
   * the loss plateau (0.31: colour 25%, shape 40%, where linear reached 100%).
   */
  projector: ProjectorKind;
  dropout: number;
}

export type VlmConfigInput = Partial<Omit<VlmConfig, 'vit'>> &
  Pick<VlmConfig, 'vocabSize'> & { vit?: Partial<ViTConfigInput> };

export function vlmConfig(i: VlmConfigInput): VlmConfig {
  const vit = vitConfig({
    imageSize: 48,
    patchSize: 16, // one patch per cell of the scenes' 3x3 grid (48 / 3)
    dModel: 64, // 48 left colour and shape below 90% in the runs above
    nHead: 4,
    nLayer: 2,
    pool: 'mean',
    positions: 'learned-2d',
    ...i.vit,
  });
  const c: VlmConfig = {
    kind: 'prefix',
    maxText: 48,
    nEmbd: 64,
    nHead: 4,
    nLayer: 2,
    projector: 'linear',
    dropout: 0,
    ...i,
    vit,
  };
  if (!VLM_KINDS.includes(c.kind))
    throw new LlmfsError(`vlm config: kind must be 'prefix' or 'cross', got '${String(c.kind)}'`);
  for (const k of ['vocabSize', 'maxText', 'nEmbd', 'nHead', 'nLayer'] as const)
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new LlmfsError(`vlm config: ${k} must be a positive integer, got ${c[k]}`);
  if (c.nEmbd % c.nHead !== 0)
    throw new LlmfsError(`vlm config: nEmbd ${c.nEmbd} must be divisible by nHead ${c.nHead}`);
  return c;
}

/** The image tokens the decoder sees (the ViT's tokens: patches, and [CLS] when it has one). */
export function imageTokens(c: VlmConfig): number {
  return vitTokens(c.vit).nTokens;
}
