// The LLaVA-style vision-language model (Liu et al., 2023, "Visual Instruction Tuning", eq. 1 and
// fig. 1): the ViT's features Z_v (B, N, D) are projected into the language model's embedding
// space, H_v = W·Z_v (B, N, C), and prepended to the token embeddings; the GPT then reads
// [image tokens; text tokens] with its ordinary causal self-attention, so every text position
// sees every image token. Only text positions are scored (the image tokens get no targets).

import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';
import { tensor } from '../../tensor/creation.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { fmtShape } from '../../tensor/shape.js';
import { Module } from '../../nn/module.js';
import { GPT } from '../../model/gpt.js';
import { KVCache } from '../../model/kv-cache.js';
import { GptCache, type CausalLm, type LmCache } from '../../generate/lm.js';
import { LlmfsError } from '../../errors.js';
import { ViT } from '../model/vit.js';
import { Projector } from '../model/projector.js';
import { type VlmConfig, type VlmConfigInput, vlmConfig, imageTokens } from './config.js';
import {
  IGNORE,
  type AttentionToPatchesOptions,
  type VisionLanguageModel,
  type VlmGenerateOptions,
  type VlmOutput,
} from './types.js';
import { vlmGenerate } from './generate.js';
import { oneImage, patchRows } from './image-batch.js';
import { patchAttention } from './patch-attention.js';

/** The GPT's cache, whose length counts text positions only (the Stepper slices rows by it). */
export class PrefixCache implements LmCache {
  readonly inner: GptCache;
  constructor(
    nLayer: number,
    readonly prefixLength: number,
  ) {
    this.inner = new GptCache(new KVCache(nLayer));
  }
  get length(): number {
    const n = this.inner.length;
    return n === 0 ? 0 : n - this.prefixLength;
  }
  get size(): number {
    return this.inner.size;
  }
  clear(): void {
    this.inner.clear();
  }
  selectRows(rows: readonly number[]): void {
    this.inner.selectRows(rows);
  }
}

export class PrefixVlm extends Module implements VisionLanguageModel {
  readonly config: VlmConfig;
  vit: ViT;
  projector: Projector;
  gpt: GPT;

  constructor(configIn: VlmConfigInput) {
    super();
    const c = vlmConfig({ ...configIn, kind: 'prefix' });
    this.config = c;
    this.vit = new ViT(c.vit);
    this.projector = new Projector({ inFeatures: c.vit.dModel, outFeatures: c.nEmbd, kind: c.projector });
    this.gpt = new GPT({
      vocabSize: c.vocabSize,
      blockSize: imageTokens(c) + c.maxText, // the image tokens take the first positions
      nEmbd: c.nEmbd,
      nHead: c.nHead,
      nLayer: c.nLayer,
      dropout: c.dropout,
    });
  }

  /** images (B, 3, H, W) -> the prefix H_v (B, N, C): ViT features, projected. */
  prefix(images: Tensor): Tensor {
    return this.projector.forward(this.vit.features(images)); // (B, N, D) -> (B, N, C)
  }

  forward(images: Tensor, ids: Tensor, targets?: Tensor | readonly number[]): VlmOutput {
    return this.forwardFeatures(this.vit.features(images), ids, targets);
  }

  /** The model after the ViT: features (B, N, D), ids (B, T), targets (B, T) -> logits (B, T, V), loss. */
  forwardFeatures(features: Tensor, ids: Tensor, targets?: Tensor | readonly number[]): VlmOutput {
    const nImages = features.shape[0];
    if (ids.ndim !== 2 || ids.shape[0] !== nImages)
      throw new LlmfsError(
        `vlm: ids must be (${nImages}, T) for ${nImages} images, got ${fmtShape(ids.shape)}`,
      );
    const [B, T] = ids.shape;
    const N = features.shape[1];
    const prefix = this.projector.forward(features); // (B, N, C)
    const all = this.gpt.forward(ids, { prefix }).logits; // (B, N + T, V)
    const logits = all.narrow(1, N, T); // (B, T, V): the text positions
    if (targets === undefined) return { logits };
    const V = this.config.vocabSize;
    const flat = targets instanceof Tensor ? targets.reshape(B * T) : targets;
    return { logits, loss: crossEntropy(logits.reshape(B * T, V), flat, { ignoreIndex: IGNORE }) };
  }

  generate(image: Tensor, promptIds: readonly number[], o: VlmGenerateOptions = {}): number[] {
    return vlmGenerate(this, image, promptIds, o);
  }

  lm(image: Tensor): CausalLm<PrefixCache> {
    this.eval();
    const P = imageTokens(this.config);
    const one = noGrad(() => this.prefix(oneImage(image, this.config))); // (1, N, C)
    const rows = patchRows(one);
    return {
      contextSize: this.config.maxText,
      vocabSize: this.config.vocabSize,
      newCache: () => new PrefixCache(this.config.nLayer, P),
      forward: (ids, cache) => {
        // The image tokens go in once: on the first call, or on every call without a cache.
        const first = !cache || cache.inner.length === 0;
        const prefix = first ? rows(ids.shape[0]) : undefined; // (B, N, C)
        const logits = this.gpt.forward(ids, { cache: cache?.inner.kv, lastOnly: true, prefix }).logits;
        return logits; // (B, 1, V)
      },
    };
  }

  /**
   * Self-attention of the text positions over the image tokens: layer l's weights (1, nh, N + T,
   * N + T), rows N.. (text queries), columns of the patches. A text query also attends to earlier
   * text, so these columns alone sum to less than 1: each row is renormalised over the patches
   * ("of the attention that went to the image, the share of each patch"). A [CLS] token's column
   * is left out.
   */
  attentionToPatches(image: Tensor, ids: readonly number[], o: AttentionToPatchesOptions = {}): Tensor {
    this.eval();
    const c = this.config;
    const N = imageTokens(c);
    const cls = c.vit.pool === 'cls' ? 1 : 0;
    const T = ids.length;
    const weights: Tensor[] = [];
    noGrad(() =>
      this.gpt.forward(tensor([[...ids]]), {
        prefix: this.prefix(oneImage(image, c)),
        recordAttention: weights,
      }),
    );
    return patchAttention(
      weights,
      { rowStart: N, rows: T, colStart: cls, colEnd: N, renormalise: true },
      o.layer,
    );
  }
}
