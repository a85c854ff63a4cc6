// GPT: a decoder-only transformer language model (Radford et al., 2018, 2019), in nanoGPT's
// layout and GPT-2's parameter names (wte, wpe, h.N.ln_1, h.N.attn.c_attn, ..., ln_f), so
// Hugging Face GPT-2 weights map one to one. Token ids (B, T) -> logits (B, T, V) for the next
// token at every position.

import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { linear } from '../tensor/ops/matmul.js';
import { crossEntropy } from '../tensor/ops/loss.js';
import { cat } from '../tensor/ops/layout.js';
import { fmtShape } from '../tensor/shape.js';
import { Module } from '../nn/module.js';
import { Embedding, Linear, Dropout } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import * as init from '../nn/init.js';
import { type GPTConfig, type GPTConfigInput, gptConfig } from './config.js';
import { Block } from './block.js';
import { MixtureOfExperts, type MoeStats } from './moe.js';
import { makeNorm, type Norm } from './norm.js';
import { sinusoidalTable } from './sinusoidal.js';
import { ropeTables, type RopeTables } from './rope.js';
import type { KVCache } from './kv-cache.js';
import type { LayerRecord } from './multihead.js';
import { LlmfsError } from '../errors.js';
import { QuantizedEmbedding } from '../quant/quantized-embedding.js';
import type { QuantizedLinear } from '../quant/quantized-linear.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'gpt-forward' (chapter 6): token ids (B, T) -> logits (B, T, V) with the model's
     * modules: wte(idx) + wpe(0..T-1), dropout, every block, ln_f, then lm_head (or wte's weight,
     * tied). For a model with learned positions, no cache and no masks.
     */
    gptForward(model: GPT, idx: Tensor): Tensor;
  }
}

const gptForward = exercisable('gptForward', (model: GPT, idx: Tensor): Tensor => model.computeLogits(idx));

export interface GPTForwardOptions {
  /** Next-token targets (B, T) ((B, P + T) with a prefix); when given, the mean cross-entropy is `loss`. */
  targets?: Tensor | readonly number[];
  /** Keys/values of earlier positions; new positions continue after them and are appended. */
  cache?: KVCache;
  /** (B, Tk) with 1 for real tokens and 0 for padding (Tk includes cached positions). */
  attentionMask?: Tensor;
  /** Receives each layer's (B, nh, T, Tk) attention weights. */
  recordAttention?: Tensor[];
  /**
   * Receives the residual stream (B, T, C): index 0 is the embeddings (what enters block 0), index
   * i + 1 what leaves block i, before ln_f; the logit lens reads these.
   */
  recordResiduals?: Tensor[];
  /** Receives each layer's MLP hidden units (B, T, H) after the nonlinearity. */
  recordMlpHidden?: Tensor[];
  /**
   * Compute logits for the last position only, (B, 1, V): all that generation needs (as nanoGPT's inference
   * path).
   */
  lastOnly?: boolean;
  /**
   * Embeddings (B, P, C) placed before the token embeddings, as a LLaVA-style vision-language
   * model feeds its projected image features (Liu et al., 2023). They take the first P positions
   * (after any cached ones) and get logits too: the output is (B, P + T, V). With a cache, pass
   * them on the first call only; later calls continue after them.
   */
  prefix?: Tensor;
}

export interface GPTOutput {
  logits: Tensor; // (B, T, V), or (B, 1, V) with lastOnly
  loss?: Tensor; // scalar; in training mode a mixture of experts adds its auxLoss
  /** Mixture of experts: the α-weighted load-balancing loss, the mean over the blocks (scalar). */
  auxLoss?: Tensor;
}

/**
 * How a loader builds a model it fills itself (io/hf-llama.ts): no random initialisation, and each
 * top-level part built through `part`, which may fill it, or build its quantized form instead, so
 * that the whole float model never exists at once.
 */
export interface GPTBuildOptions {
  /** Skip initWeights (every parameter is about to be overwritten). */
  noInit?: boolean;
  /**
   * Builds 'wte', 'wpe', 'h.0' ... 'h.{L-1}', 'ln_f', 'lm_head' in order: `make()` gives the float
   * part; the result must do its job (an embedding table, a block, a norm, a linear head).
   */
  part?: (name: string, make: () => Module) => Module;
}

export class GPT extends Module {
  readonly config: GPTConfig;
  /** The token table; quantized (src/quant/) after `llmfs quantize`. */
  wte: Embedding | QuantizedEmbedding;
  wpe: Embedding | QuantizedEmbedding | null;
  drop: Dropout;
  h: ModuleList<Block>;
  ln_f: Norm;
  lm_head: Linear | QuantizedLinear | null;
  private _pe: Tensor | null = null;
  private _rope: RopeTables | null = null;

  constructor(configIn: GPTConfigInput, build: GPTBuildOptions = {}) {
    super();
    const c = gptConfig(configIn);
    this.config = c;
    const part = (name: string, make: () => Module): Module => (build.part ? build.part(name, make) : make());
    this.wte = part('wte', () => new Embedding(c.vocabSize, c.nEmbd)) as Embedding | QuantizedEmbedding;
    this.wpe =
      c.positions === 'learned'
        ? (part('wpe', () => new Embedding(c.blockSize, c.nEmbd)) as Embedding | QuantizedEmbedding)
        : null;
    this.drop = new Dropout(c.dropout);
    this.h = new ModuleList(
      Array.from({ length: c.nLayer }, (_, i) => part(`h.${i}`, () => new Block(c)) as Block),
    );
    this.ln_f = part('ln_f', () => makeNorm(c.norm, c.nEmbd, c.normEps, c.bias)) as Norm;
    this.lm_head = c.tieWeights
      ? null
      : (part('lm_head', () => new Linear(c.nEmbd, c.vocabSize, { bias: false })) as
          Linear | QuantizedLinear);
    if (c.positions === 'sinusoidal') this._pe = sinusoidalTable(c.blockSize, c.nEmbd);
    if (c.positions === 'rope') this._rope = ropeTables(c.blockSize, c.headDim, c.ropeBase, c.ropeScaling);
    if (!build.noInit) this.initWeights();
  }

  /**
   * GPT-2's initialisation: weights N(0, 0.02), biases 0, norms 1, and the residual output
   * projections (attn.c_proj, mlp.c_proj) scaled by 1/sqrt(2·nLayer) so the residual stream's
   * variance does not grow with depth (Radford et al., 2019, section 2.3).
   */
  initWeights(): void {
    noGrad(() => {
      for (const [name, p] of this.namedParameters()) {
        if (name.endsWith('c_proj.weight')) init.normal(p, 0, 0.02 / Math.sqrt(2 * this.config.nLayer));
        else if (name.includes('ln_') || name.startsWith('ln_f') || /\.[qk]_norm\./.test(name))
          init.constant(p, name.endsWith('.weight') ? 1 : 0);
        else if (name.endsWith('.bias')) init.zeros(p);
        else init.normal(p, 0, 0.02);
      }
    });
  }

  forward(idx: Tensor, o: GPTForwardOptions = {}): GPTOutput {
    const c = this.config;
    if (idx.ndim !== 2)
      throw new LlmfsError(`GPT: token ids must be (B, T), got shape ${fmtShape(idx.shape)}`);
    const [B] = idx.shape;
    const T = idx.shape[1] + (o.prefix ? o.prefix.shape[1] : 0); // prefix positions count too
    const start = o.cache ? o.cache.length : 0;
    if (start + T > c.blockSize) {
      throw new LlmfsError(
        `GPT: sequence of ${start + T} positions exceeds the context window of ${c.blockSize}`,
      );
    }
    // The plain path (what training runs) goes through the registry: a learner's gptForward there.
    const plain =
      c.positions === 'learned' &&
      !o.cache &&
      !o.attentionMask &&
      !o.recordAttention &&
      !o.recordResiduals &&
      !o.recordMlpHidden &&
      !o.prefix &&
      !(o.lastOnly && o.targets === undefined);
    const logits = plain ? gptForward(this, idx) : this.computeLogits(idx, o); // (B, Tq, V)
    const auxLoss = this.takeMoeAuxLoss();
    const aux = auxLoss ? { auxLoss } : {};
    if (o.targets === undefined) return { logits, ...aux };
    const ce = crossEntropy(
      logits.reshape(B * T, c.vocabSize),
      o.targets instanceof Tensor ? o.targets.reshape(B * T) : o.targets,
    );
    // The balancing loss trains the routers; evaluation reports the plain cross-entropy.
    return { logits, loss: auxLoss && this.training ? ce.add(auxLoss) : ce, ...aux };
  }

  // Mixture of experts (moe.ts): the blocks' balancing losses and utilisation after a forward.
  /** The blocks' mixtures of experts, in order (none for a dense model). */
  moeLayers(): MixtureOfExperts[] {
    return [...this.h].map((b) => b.mlp).filter((m): m is MixtureOfExperts => m instanceof MixtureOfExperts);
  }

  /** Each MoE block's routing and drops in the last forward (null before one). */
  moeStats(): (MoeStats | null)[] {
    return this.moeLayers().map((m) => m.stats);
  }

  /** The mean of the blocks' balancing losses from the forward just run, taken from them. */
  private takeMoeAuxLoss(): Tensor | undefined {
    const losses: Tensor[] = [];
    for (const m of this.moeLayers()) {
      if (m.auxLoss) losses.push(m.auxLoss);
      m.auxLoss = null;
    }
    if (losses.length === 0) return undefined;
    return losses.reduce((a, b) => a.add(b)).mul(1 / losses.length); // ()
  }

  /** Token ids (B, T) -> logits (B, T, V), or (B, 1, V) with lastOnly: everything but the loss. */
  computeLogits(idx: Tensor, o: GPTForwardOptions = {}): Tensor {
    const x = this.hiddenStates(idx, o); // (B, Tq, C)
    if (this.lm_head) return this.lm_head.forward(x); // (B, Tq, V)
    // Tied head: x Eᵀ, read from the codes when the table is quantized.
    return this.wte instanceof QuantizedEmbedding ? this.wte.project(x) : linear(x, this.wte.weight);
  }

  /**
   * Token ids (B, T) -> the final hidden states (B, T, C) after ln_f, before lm_head: what a
   * task head (e.g. a classifier on the last token) reads instead of next-token logits.
   */
  hiddenStates(idx: Tensor, o: GPTForwardOptions = {}): Tensor {
    if (idx.ndim !== 2)
      throw new LlmfsError(`GPT: token ids must be (B, T), got shape ${fmtShape(idx.shape)}`);
    const B = idx.shape[0];
    const start = o.cache ? o.cache.length : 0;
    let x = this.wte.forward(idx); // (B, T, C)
    if (o.prefix) {
      const p = o.prefix;
      if (p.ndim !== 3 || p.shape[0] !== B || p.shape[2] !== this.config.nEmbd)
        throw new LlmfsError(
          `GPT: prefix must be (${B}, P, ${this.config.nEmbd}), got shape ${fmtShape(p.shape)}`,
        );
      x = cat([p, x], 1); // (B, P + T, C): the prefix takes the first positions
    }
    const T = x.shape[1];
    if (this.wpe) x = x.add(this.wpe.forward(Array.from({ length: T }, (_, t) => start + t))); // + (T, C)
    if (this._pe) x = x.add(this._pe.narrow(0, start, T)); // + (T, C)
    x = this.drop.forward(x);
    let mask: Tensor | null = null;
    if (o.attentionMask) {
      if (
        o.attentionMask.ndim !== 2 ||
        o.attentionMask.shape[0] !== B ||
        o.attentionMask.shape[1] !== start + T
      ) {
        throw new LlmfsError(
          `GPT: attentionMask must be (B, ${start + T}), got ${fmtShape(o.attentionMask.shape)}`,
        );
      }
      mask = o.attentionMask.reshape(B, 1, 1, start + T); // (B, 1, 1, Tk): broadcast over heads and queries
    }
    o.recordResiduals?.push(x);
    let i = 0;
    for (const block of this.h) {
      const record: LayerRecord | undefined =
        o.recordAttention || o.recordMlpHidden ? { weights: undefined } : undefined;
      const cache = o.cache?.layers[i];
      x = block.forward(x, { mask, causal: true, rope: this._rope, start, cache, record }); // (B, T, C)
      if (o.recordAttention && record?.weights) o.recordAttention.push(record.weights);
      if (o.recordMlpHidden && record?.mlpHidden) o.recordMlpHidden.push(record.mlpHidden);
      o.recordResiduals?.push(x);
      i++;
    }
    // Tq = 1 when only the last position is needed (lastOnly), else Tq = T.
    if (o.lastOnly && o.targets === undefined) x = x.narrow(1, T - 1, 1); // (B, 1, C)
    return this.ln_f.forward(x); // (B, Tq, C)
  }
}
