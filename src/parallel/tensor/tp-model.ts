// A GPT whose blocks are split across the ranks of a group as in Megatron-LM (Shoeybi et al., 2019,
// section 3): attention by heads (c_attn column-parallel: this rank's heads' q, k, v rows; c_proj
// row-parallel: the matching input columns, then one all-reduce), the MLP by hidden units (c_fc
// column-parallel, c_proj row-parallel, one all-reduce). Embeddings, layer norms and the tied head
// are replicated: every rank computes them identically. Parameter names are GPT's (shard.ts).

import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import { linear } from '../../tensor/ops/matmul.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { fusedAttention } from '../../tensor/ops/attention.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { Embedding, LayerNorm, Linear } from '../../nn/layers.js';
import { ModuleList } from '../../nn/containers.js';
import { activate } from '../../model/activation.js';
import type { GPTConfig } from '../../model/config.js';
import { LlmfsError } from '../../errors.js';
import { copyToParallel, reduceFromParallel, type AllReducer, type CommCounter } from './comm-ops.js';

/** Why `c` cannot be split over `n` ranks by this teaching implementation, or null. */
export function tensorParallelProblem(c: GPTConfig, n: number): string | null {
  if (!Number.isInteger(n) || n < 1) return `workers must be an integer >= 1, got ${n}`;
  if (c.nHead % n !== 0) return `nHead ${c.nHead} does not divide among ${n} workers (heads are split)`;
  if (c.mlpHidden % n !== 0) return `mlpHidden ${c.mlpHidden} does not divide among ${n} workers`;
  if (c.nKvHead !== c.nHead) return 'grouped-query attention (nKvHead < nHead) is not supported';
  if (c.positions !== 'learned' || c.norm !== 'layernorm' || c.mlp !== 'gelu' || !c.tieWeights)
    return 'only the GPT-2 layout (learned positions, layer norm, GELU MLP, tied head) is supported';
  if (c.moeExperts > 0 || c.attention !== 'full' || c.qkNorm || c.dropout > 0)
    return 'mixture of experts, attention variants, QK-norm and dropout are not supported';
  return null;
}

/** y = g(x W_rᵀ) + b: W_r (C, in/N) is this rank's columns of W; b (C) is replicated, added once. */
export class RowParallelLinear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(
    inShard: number,
    out: number,
    bias: boolean,
    private readonly g: AllReducer,
    private readonly count?: CommCounter,
  ) {
    super();
    this.weight = new Parameter(zeros([out, inShard]));
    this.bias = bias ? new Parameter(zeros([out]), { noDecay: true }) : null;
  }
  forward(x: Tensor): Tensor {
    const partial = linear(x, this.weight); // (B, T, C): this rank's share of the sum
    const y = reduceFromParallel(this.g, partial, this.count); // (B, T, C) on every rank
    return this.bias ? y.add(this.bias) : y;
  }
}

export class ParallelAttention extends Module {
  c_attn: Linear; // (3·nh/N·hs, C): this rank's heads' q, k, v rows
  c_proj: RowParallelLinear; // (C, nh/N·hs)
  constructor(
    c: GPTConfig,
    n: number,
    private readonly g: AllReducer,
    private readonly count?: CommCounter,
  ) {
    super();
    this.nLocal = c.nHead / n;
    this.width = this.nLocal * c.headDim;
    this.c_attn = new Linear(c.nEmbd, 3 * this.width, { bias: c.bias });
    this.c_proj = new RowParallelLinear(this.width, c.nEmbd, c.bias, g, count);
  }
  /** Heads on this rank, and their width nh/N·hs. */
  readonly nLocal: number;
  readonly width: number;
  /** x (B, T, C) -> (B, T, C), summed over the ranks' heads. */
  forward(x: Tensor): Tensor {
    const qkv = this.c_attn.forward(copyToParallel(this.g, x, this.count)); // (B, T, 3·w)
    const w = this.width;
    const [q, k, v] = [qkv.narrow(-1, 0, w), qkv.narrow(-1, w, w), qkv.narrow(-1, 2 * w, w)];
    const y = fusedAttention(q, k, v, { nHead: this.nLocal, causal: true }); // (B, T, w)
    return this.c_proj.forward(y);
  }
}

export class ParallelMLP extends Module {
  c_fc: Linear; // (H/N, C): this rank's hidden units
  c_proj: RowParallelLinear; // (C, H/N)
  constructor(
    private readonly c: GPTConfig,
    n: number,
    private readonly g: AllReducer,
    private readonly count?: CommCounter,
  ) {
    super();
    this.c_fc = new Linear(c.nEmbd, c.mlpHidden / n, { bias: c.bias });
    this.c_proj = new RowParallelLinear(c.mlpHidden / n, c.nEmbd, c.bias, g, count);
  }
  /** x (B, T, C) -> (B, T, C). GELU is elementwise, so each rank applies it to its own units. */
  forward(x: Tensor): Tensor {
    const up = this.c_fc.forward(copyToParallel(this.g, x, this.count)); // (B, T, H/N)
    const h = activate(up, this.c.activation); // (B, T, H/N)
    return this.c_proj.forward(h);
  }
}

export class ParallelBlock extends Module {
  ln_1: LayerNorm;
  attn: ParallelAttention;
  ln_2: LayerNorm;
  mlp: ParallelMLP;
  constructor(c: GPTConfig, n: number, g: AllReducer, count?: CommCounter) {
    super();
    this.ln_1 = new LayerNorm(c.nEmbd, { eps: c.normEps, bias: c.bias });
    this.attn = new ParallelAttention(c, n, g, count);
    this.ln_2 = new LayerNorm(c.nEmbd, { eps: c.normEps, bias: c.bias });
    this.mlp = new ParallelMLP(c, n, g, count);
  }
  /** x (B, T, C) -> (B, T, C): two all-reduces forward (after each c_proj), two backward (each f). */
  forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x)));
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

/** One rank's part of a GPT (weights filled from shard.ts; built with zeros). */
export class TensorParallelGPT extends Module {
  wte: Embedding;
  wpe: Embedding;
  h: ModuleList<ParallelBlock>;
  ln_f: LayerNorm;
  constructor(
    readonly config: GPTConfig,
    readonly workers: number,
    g: AllReducer,
    readonly count?: CommCounter,
  ) {
    super();
    const problem = tensorParallelProblem(config, workers);
    if (problem) throw new LlmfsError(`tensor parallel: ${problem}`);
    this.wte = new Embedding(config.vocabSize, config.nEmbd);
    this.wpe = new Embedding(config.blockSize, config.nEmbd);
    this.h = new ModuleList(
      Array.from({ length: config.nLayer }, () => new ParallelBlock(config, workers, g, count)),
    );
    this.ln_f = new LayerNorm(config.nEmbd, { eps: config.normEps, bias: config.bias });
  }

  /** Token ids (B, T) -> logits (B, T, V), the same on every rank. */
  logits(idx: Tensor): Tensor {
    const T = idx.shape[1];
    let x = this.wte.forward(idx).add(this.wpe.forward(Array.from({ length: T }, (_, t) => t))); // (B, T, C)
    for (const block of this.h) x = block.forward(x);
    return linear(this.ln_f.forward(x), this.wte.weight); // (B, T, V): the tied head
  }

  /** The mean next-token cross-entropy of ids x (B, T) against targets y (B, T). */
  loss(x: Tensor, y: Tensor): { logits: Tensor; loss: Tensor } {
    const [B, T] = x.shape;
    const logits = this.logits(x);
    return { logits, loss: crossEntropy(logits.reshape(B * T, this.config.vocabSize), y.reshape(B * T)) };
  }
}
