// One stage of a pipeline-parallel GPT (GPipe, Huang et al., 2019, section 2): a contiguous run of
// blocks; the first stage also holds the embeddings, the last the final norm, the head and the
// loss. A tied head (GPT-2) lives on both ends: the last stage keeps a copy of wte, and the two
// copies' gradients are summed after every backward (as Megatron-LM does), so they stay equal.

import { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../tensor/ops/matmul.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { zeros } from '../../tensor/creation.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { Embedding, Linear } from '../../nn/layers.js';
import { ModuleList } from '../../nn/containers.js';
import { Block } from '../../model/block.js';
import { makeNorm, type Norm } from '../../model/norm.js';
import type { GPTConfig } from '../../model/config.js';
import { LlmfsError } from '../../errors.js';

/** The blocks [lo, hi) of each of `stages` stages: contiguous, sizes differing by at most one. */
export function stageLayers(nLayer: number, stages: number): [number, number][] {
  const base = Math.floor(nLayer / stages);
  const extra = nLayer % stages;
  const out: [number, number][] = [];
  let lo = 0;
  for (let s = 0; s < stages; s++) {
    const hi = lo + base + (s < extra ? 1 : 0);
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

/** Why `c` cannot run as `stages` stages with batches of `batchSize` in `micro` parts, or null. */
export function pipelineProblem(
  c: GPTConfig,
  stages: number,
  batchSize: number,
  micro: number,
): string | null {
  if (!Number.isInteger(stages) || stages < 1) return `stages must be an integer >= 1, got ${stages}`;
  if (stages > c.nLayer) return `stages ${stages} is more than nLayer ${c.nLayer}: each stage needs a block`;
  if (!Number.isInteger(micro) || micro < 1) return `microBatches must be an integer >= 1, got ${micro}`;
  if (batchSize % micro !== 0)
    return `batchSize ${batchSize} does not split into ${micro} equal micro-batches`;
  if (c.positions !== 'learned' || c.moeExperts > 0 || c.dropout > 0)
    return 'only learned positions, dense MLPs and dropout 0 are supported';
  return null;
}

export class PipelineStage extends Module {
  wte: Embedding | null = null;
  wpe: Embedding | null = null;
  h: ModuleList<Block>;
  ln_f: Norm | null = null;
  lm_head: Linear | null = null;
  /** The last stage's copy of wte (V, C) when the head is tied and there are several stages. */
  tiedHead: Parameter | null = null;
  readonly first: boolean;
  readonly last: boolean;
  /** Global index of this stage's first block. */
  readonly lo: number;

  constructor(
    readonly config: GPTConfig,
    readonly stage: number,
    readonly stages: number,
  ) {
    super();
    const c = config;
    const [lo, hi] = stageLayers(c.nLayer, stages)[stage];
    this.lo = lo;
    this.first = stage === 0;
    this.last = stage === stages - 1;
    if (this.first) {
      this.wte = new Embedding(c.vocabSize, c.nEmbd);
      this.wpe = new Embedding(c.blockSize, c.nEmbd);
    }
    this.h = new ModuleList(Array.from({ length: hi - lo }, () => new Block(c)));
    if (this.last) {
      this.ln_f = makeNorm(c.norm, c.nEmbd, c.normEps, c.bias);
      if (!c.tieWeights) this.lm_head = new Linear(c.nEmbd, c.vocabSize, { bias: false });
      else if (!this.first) this.tiedHead = new Parameter(zeros([c.vocabSize, c.nEmbd]), { noDecay: true });
    }
  }

  /** The full GPT's name of a parameter of this stage ('h.0.ln_1.weight' -> 'h.{lo}.ln_1.weight'). */
  globalName(local: string): string {
    if (local === 'tiedHead') return 'wte.weight';
    const m = /^h\.(\d+)\.(.*)$/.exec(local);
    return m ? `h.${this.lo + Number(m[1])}.${m[2]}` : local;
  }

  /**
   * First stage: token ids (B, T) in; others: the previous stage's activations (B, T, C). Returns
   * the activations (B, T, C) for the next stage, or on the last stage the mean cross-entropy
   * against `targets` (B, T), a scalar.
   */
  forward(input: Tensor, targets?: Tensor): Tensor {
    let x = input;
    if (this.first) {
      const T = input.shape[1];
      const positions = Array.from({ length: T }, (_, t) => t);
      x = this.wte!.forward(input).add(this.wpe!.forward(positions)); // (B, T, C)
    }
    for (const block of this.h) x = block.forward(x, { causal: true }); // (B, T, C)
    if (!this.last) return x;
    if (!targets) throw new LlmfsError('pipeline: the last stage needs the targets');
    const [B, T] = targets.shape;
    const head = this.lm_head ? this.lm_head.weight : (this.tiedHead ?? this.wte!.weight); // (V, C)
    const logits = linear(this.ln_f!.forward(x), head); // (B, T, V)
    return crossEntropy(logits.reshape(B * T, this.config.vocabSize), targets.reshape(B * T));
  }
}
