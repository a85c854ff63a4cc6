// The cross-attention vision-language model: the encoder-decoder Transformer (Vaswani et al.,
// 2017, section 3.2.3) with the ViT as its encoder, as image captioners before LLaVA were built
// (Xu et al., 2015, attention over image regions; the ViT-to-text decoders after Dosovitskiy et
// al., 2021). The ViT features (B, N, D), mapped to the decoder's width C, are the memory; each
// decoder layer runs causal self-attention over the text, cross-attention over the memory, then
// its MLP (model/decoder.ts, pre-norm). The image enters only through cross-attention.

import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';
import { tensor } from '../../tensor/creation.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { fmtShape } from '../../tensor/shape.js';
import { Module } from '../../nn/module.js';
import { Embedding, Linear, Dropout } from '../../nn/layers.js';
import * as init from '../../nn/init.js';
import { TransformerDecoder } from '../../model/decoder.js';
import { EncoderDecoderCache } from '../../model/encoder-decoder.js';
import { encoderDecoderConfig } from '../../model/encoder-decoder-config.js';
import { Seq2SeqCache, type CausalLm } from '../../generate/lm.js';
import { LlmfsError } from '../../errors.js';
import { ViT } from '../model/vit.js';
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

export class CrossVlm extends Module implements VisionLanguageModel {
  readonly config: VlmConfig;
  vit: ViT;
  /** D -> C: the ViT's features as the decoder's memory. */
  memory_proj: Linear;
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  decoder: TransformerDecoder;
  lm_head: Linear;

  constructor(configIn: VlmConfigInput) {
    super();
    const c = vlmConfig({ ...configIn, kind: 'cross' });
    this.config = c;
    this.vit = new ViT(c.vit);
    this.memory_proj = new Linear(c.vit.dModel, c.nEmbd);
    this.wte = new Embedding(c.vocabSize, c.nEmbd);
    this.wpe = new Embedding(c.maxText, c.nEmbd);
    this.drop = new Dropout(c.dropout);
    // The shared encoder-decoder config, for its decoder only (the source fields are unused).
    const dec = encoderDecoderConfig({
      srcVocabSize: 1,
      tgtVocabSize: c.vocabSize,
      dModel: c.nEmbd,
      nHead: c.nHead,
      nEncoderLayer: 1,
      nDecoderLayer: c.nLayer,
      maxLen: c.maxText,
      dropout: c.dropout,
      activation: 'gelu',
      normPlacement: 'pre',
      positions: 'learned',
    });
    this.decoder = new TransformerDecoder(dec);
    this.lm_head = new Linear(c.nEmbd, c.vocabSize, { bias: false });
    // Xavier-uniform for the decoder's matrices (as torch.nn.Transformer), N(0, 0.02) for the tables.
    noGrad(() => {
      for (const p of [...this.decoder.parameters(), this.memory_proj.weight, this.lm_head.weight])
        if (p.ndim > 1) init.xavierUniform(p);
      init.normal(this.wte.weight, 0, 0.02);
      init.normal(this.wpe.weight, 0, 0.02);
    });
  }

  /** images (B, 3, H, W) -> memory (B, N, C). */
  memory(images: Tensor): Tensor {
    return this.memory_proj.forward(this.vit.features(images)); // (B, N, D) -> (B, N, C)
  }

  /** ids (B, T) after `cache`'s positions, memory (B, N, C) -> logits (B, T, V). */
  decode(ids: Tensor, memory: Tensor, cache?: EncoderDecoderCache, recordCross?: Tensor[]): Tensor {
    if (ids.ndim !== 2 || ids.shape[0] !== memory.shape[0])
      throw new LlmfsError(
        `vlm: ids must be (${memory.shape[0]}, T) for ${memory.shape[0]} images, got ${fmtShape(ids.shape)}`,
      );
    const T = ids.shape[1];
    const start = cache ? cache.length : 0;
    if (start + T > this.config.maxText)
      throw new LlmfsError(`vlm: ${start + T} text tokens exceed maxText ${this.config.maxText}`);
    const positions = Array.from({ length: T }, (_, t) => start + t);
    const x = this.drop.forward(this.wte.forward(ids).add(this.wpe.forward(positions))); // (B, T, C)
    // Right padding needs no self-attention mask: causal queries never see later pads.
    const h = this.decoder.forward(x, memory, { cache: cache?.layers, recordCross }); // (B, T, C)
    return this.lm_head.forward(h); // (B, T, V)
  }

  forward(images: Tensor, ids: Tensor, targets?: Tensor | readonly number[]): VlmOutput {
    return this.forwardFeatures(this.vit.features(images), ids, targets);
  }

  /** The model after the ViT: features (B, N, D), ids (B, T), targets (B, T) -> logits (B, T, V), loss. */
  forwardFeatures(features: Tensor, ids: Tensor, targets?: Tensor | readonly number[]): VlmOutput {
    const logits = this.decode(ids, this.memory_proj.forward(features)); // (B, T, V)
    if (targets === undefined) return { logits };
    const [B, T, V] = logits.shape;
    const flat = targets instanceof Tensor ? targets.reshape(B * T) : targets;
    return { logits, loss: crossEntropy(logits.reshape(B * T, V), flat, { ignoreIndex: IGNORE }) };
  }

  generate(image: Tensor, promptIds: readonly number[], o: VlmGenerateOptions = {}): number[] {
    return vlmGenerate(this, image, promptIds, o);
  }

  lm(image: Tensor): CausalLm<Seq2SeqCache> {
    this.eval();
    const rows = patchRows(noGrad(() => this.memory(oneImage(image, this.config)))); // (1, N, C)
    return {
      contextSize: this.config.maxText,
      vocabSize: this.config.vocabSize,
      newCache: () => new Seq2SeqCache(new EncoderDecoderCache(this.config.nLayer)),
      forward: (ids, cache) => {
        const logits = this.decode(ids, rows(ids.shape[0]), cache?.dec); // (B, T, V)
        return logits.narrow(1, ids.shape[1] - 1, 1); // (B, 1, V)
      },
    };
  }

  /**
   * The cross-attention weights (1, nh, T, N) of each layer: already a distribution over the
   * image tokens, so the rows sum to 1 as they are (a [CLS] column is dropped and the rest
   * renormalised).
   */
  attentionToPatches(image: Tensor, ids: readonly number[], o: AttentionToPatchesOptions = {}): Tensor {
    this.eval();
    const c = this.config;
    const N = imageTokens(c);
    const cls = c.vit.pool === 'cls' ? 1 : 0;
    const weights: Tensor[] = [];
    noGrad(() => this.decode(tensor([[...ids]]), this.memory(oneImage(image, c)), undefined, weights));
    const window = { rowStart: 0, rows: ids.length, colStart: cls, colEnd: N, renormalise: cls > 0 };
    return patchAttention(weights, window, o.layer);
  }
}
