// What both vision-language models offer (issue 20), so training, decoding, evaluation and the
// attention overlays never care which kind they hold: the LLaVA-style prefix model (prefix.ts) or
// the cross-attention encoder-decoder (cross.ts).

import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../../nn/module.js';
import type { CausalLm } from '../../generate/lm.js';
import type { VlmConfig } from './config.js';

/** Target value that is not scored (padding, and a VQA question's tokens), as PyTorch's default. */
export const IGNORE = -100;

export interface VlmOutput {
  logits: Tensor; // (B, T, V): next-token logits at every text position
  loss?: Tensor; // scalar: mean cross-entropy over the targets that are not IGNORE
}

export interface AttentionToPatchesOptions {
  /** One decoder layer's weights (0-based); default: the mean over all layers. */
  layer?: number;
}

export interface VlmGenerateOptions {
  /** 'greedy' (default) or 'beam'. */
  strategy?: 'greedy' | 'beam';
  /** Beam width for 'beam' (default 3). */
  beams?: number;
  /** Most tokens to generate (default: as many as the text window leaves after the prompt). */
  maxNewTokens?: number;
  /** Decoding stops at this id (the tokenizer's <eos>). */
  eosId?: number;
  /** Use the KV cache (default true); false recomputes every step (the same tokens, slower). */
  useCache?: boolean;
}

export interface VisionLanguageModel extends Module {
  readonly config: VlmConfig;
  /**
   * Teacher forcing: images (B, 3, H, W), text ids (B, T), targets (B, T) (IGNORE where not
   * scored) -> logits (B, T, V) and the loss.
   */
  forward(images: Tensor, ids: Tensor, targets?: Tensor | readonly number[]): VlmOutput;
  /**
   * The decoder conditioned on one image (3, H, W) or (1, 3, H, W), as a CausalLm over text ids:
   * generate() and beamSearch() decode with it (the image is encoded once; every beam shares it).
   */
  lm(image: Tensor): CausalLm;
  /**
   * How much each text position looks at each image patch: ids (T) -> (T, N), row t the
   * attention of position t's query (the one that predicts token t + 1) over the N patches,
   * averaged over heads and over layers (or one layer). Every row sums to 1.
   */
  attentionToPatches(image: Tensor, ids: readonly number[], o?: AttentionToPatchesOptions): Tensor;
  /** Text ids generated after promptIds for one image, greedy or by beam search (vlmGenerate). */
  generate(image: Tensor, promptIds: readonly number[], o?: VlmGenerateOptions): number[];
}
