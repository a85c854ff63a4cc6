// The Vision Transformer (Dosovitskiy et al., 2021, "An Image is Worth 16x16 Words", eqs. 1-4):
//   z₀ = [x_class; x_p¹E; ...; x_pᴺE] + E_pos        (1) patches as tokens, [CLS] first, positions
//   z_ℓ = z_ℓ₋₁ + MSA(LN(z_ℓ₋₁)), then + MLP(LN(z_ℓ))  (2, 3) the pre-norm encoder layers we have
//   y = LN(z_L⁰)                                       (4) the final LayerNorm, then the heads
// Options: mean pooling of the patch features instead of [CLS]; factorised 2-D positions.
// features() gives the (B, T, D) token features a vision-language model projects into its decoder.

import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import { noGrad } from '../../tensor/autograd.js';
import { cat } from '../../tensor/ops/layout.js';
import { expand } from '../../tensor/ops/broadcast.js';
import type { IndexLike } from '../../tensor/ops/indexing.js';
import { fmtShape } from '../../tensor/shape.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { Dropout } from '../../nn/layers.js';
import * as init from '../../nn/init.js';
import { TransformerEncoder } from '../../model/encoder.js';
import { encoderDecoderConfig } from '../../model/encoder-decoder-config.js';
import { LlmfsError } from '../../errors.js';
import { type ViTConfig, type ViTConfigInput, vitConfig, vitTokens } from './vit-config.js';
import { PatchEmbedding } from './patch-embedding.js';
import { PatchPositions } from './positions.js';
import { ClassifierHeads, headsLoss, type HeadLogits } from './heads.js';

export interface ViTOutput {
  /** (B, T, D) token features after the final LayerNorm, [CLS] first when present. */
  features: Tensor;
  /** (B, D) the image vector the heads read: the [CLS] features, or the mean over patches. */
  pooled: Tensor;
  /** name -> (B, classes) */
  logits: HeadLogits;
  /** Σ of the heads' mean cross-entropies, when targets were given. */
  loss?: Tensor;
}

export class ViT extends Module {
  readonly config: ViTConfig;
  patch_embed: PatchEmbedding;
  /** x_class: (1, 1, D), or null with mean pooling. */
  cls_token: Parameter | null;
  pos_embed: PatchPositions;
  pos_drop: Dropout;
  /** The encoder layers (pre-norm, exact GELU) and, as its `norm`, the final LayerNorm of eq. 4. */
  encoder: TransformerEncoder;
  heads: ClassifierHeads;

  constructor(configIn: ViTConfigInput) {
    super();
    const c = vitConfig(configIn);
    this.config = c;
    const { hp, wp } = vitTokens(c);
    const withCls = c.pool === 'cls';
    this.patch_embed = new PatchEmbedding(c.channels, c.patchSize, c.dModel);
    this.cls_token = withCls
      ? new Parameter(init.normal(zeros([1, 1, c.dModel]), 0, 0.02), { noDecay: true })
      : null;
    this.pos_embed = new PatchPositions(c.positions, hp, wp, withCls, c.dModel);
    this.pos_drop = new Dropout(c.dropout);
    // The existing Transformer encoder, configured as ViT's: pre-norm, its activation, D, heads.
    // (The vocabulary sizes and decoder depth of the shared config are unused by the encoder.)
    const enc = encoderDecoderConfig({
      srcVocabSize: 1,
      tgtVocabSize: 1,
      dModel: c.dModel,
      nHead: c.nHead,
      nEncoderLayer: c.nLayer,
      nDecoderLayer: 1,
      dFF: c.dFF,
      dropout: c.dropout,
      activation: c.activation,
      normPlacement: 'pre',
      normEps: c.normEps,
    });
    this.encoder = new TransformerEncoder(enc);
    this.heads = new ClassifierHeads(c.dModel, c.heads);
    // Xavier-uniform for the encoder's matrices, as torch.nn.TransformerEncoderLayer starts them.
    noGrad(() => {
      for (const p of this.encoder.parameters()) if (p.ndim > 1) init.xavierUniform(p);
    });
  }

  /** Checks images are (B, C, H, W) of the configured size; one line naming the fix otherwise. */
  private checkImages(images: Tensor): void {
    const c = this.config;
    const [, C, H, W] = images.shape;
    if (images.ndim !== 4 || C !== c.channels || H !== c.imageHeight || W !== c.imageWidth) {
      throw new LlmfsError(
        `vit: images must be (B, ${c.channels}, ${c.imageHeight}, ${c.imageWidth}), ` +
          `got ${fmtShape(images.shape)}; resize the images or build the model for their size`,
      );
    }
  }

  /** Eq. 1: images (B, C, H, W) -> token embeddings z₀ (B, T, D), T = N (+1 for [CLS]). */
  embed(images: Tensor): Tensor {
    this.checkImages(images);
    const B = images.shape[0];
    const D = this.config.dModel;
    let x = this.patch_embed.forward(images); // (B, N, D)
    if (this.cls_token) x = cat([expand(this.cls_token, [B, 1, D]), x], 1); // (B, N+1, D)
    x = x.add(this.pos_embed.forward()); // + (T, D) -> (B, T, D)
    return this.pos_drop.forward(x);
  }

  /** Eqs. 1-4 without the heads: images (B, C, H, W) -> features (B, T, D) after the final LayerNorm. */
  features(images: Tensor): Tensor {
    return this.encoder.forward(this.embed(images), null); // (B, T, D)
  }

  /** features (B, T, D) -> (B, D): the [CLS] token's (eq. 4), or the mean over the N patches. */
  pool(features: Tensor): Tensor {
    const [B, , D] = features.shape;
    if (this.config.pool === 'cls') return features.narrow(1, 0, 1).reshape(B, D); // (B, D)
    return features.mean(1); // (B, D)
  }

  /** images (B, C, H, W) -> features, pooled vector, every head's logits (and their loss with targets). */
  forward(images: Tensor, targets?: Record<string, IndexLike>): ViTOutput {
    const features = this.features(images); // (B, T, D)
    const pooled = this.pool(features); // (B, D)
    const logits = this.heads.forward(pooled); // name -> (B, classes)
    if (!targets) return { features, pooled, logits };
    return { features, pooled, logits, loss: headsLoss(logits, targets) };
  }
}
