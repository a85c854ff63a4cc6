// The GPT configuration: one typed object with a default and a comment per field. The defaults
// are GPT-2's layout (Radford et al., 2019): learned positions, pre-norm LayerNorm, GELU (tanh
// form) MLP of width 4C, biases everywhere, output head tied to the token embedding.

import { LlmfsError } from '../errors.js';

/** The choice lists, shared by the validator below and the CLI's flags. */
export const POSITION_KINDS = ['learned', 'sinusoidal', 'rope', 'none', 'alibi'] as const;
export const NORM_KINDS = ['layernorm', 'rmsnorm'] as const;
export const MLP_KINDS = ['gelu', 'swiglu'] as const;
export const ACTIVATIONS = ['gelu', 'gelu_tanh', 'relu', 'silu'] as const;
export type PositionKind = (typeof POSITION_KINDS)[number];
export type NormKind = (typeof NORM_KINDS)[number];
export type MlpKind = (typeof MLP_KINDS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
// --- Attention variants (issue 18) ---
/** How queries attend: full softmax, sliding window, sparse patterns, or linear (kernelised). */
export const ATTENTION_KINDS = ['full', 'sliding', 'sparse-strided', 'sparse-fixed', 'linear'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
// --- end attention variants ---

export interface GPTConfig {
  /** V: number of token ids. */
  vocabSize: number;
  /** The longest context the model can see (positions 0..blockSize-1). */
  blockSize: number;
  /** Number of transformer blocks. */
  nLayer: number;
  /** Number of query heads. */
  nHead: number;
  /** Number of key/value heads (grouped-query attention); nHead is standard multi-head, 1 multi-query. */
  nKvHead: number;
  /** C: the width of the residual stream. */
  nEmbd: number;
  /**
   * hs: the size of one attention head (nEmbd / nHead unless given). Separate from nEmbd so a model
   * can keep its head size when heads are pruned away (src/prune/), or have nHead·hs ≠ C (Qwen3).
   */
  headDim: number;
  /** Hidden width of the MLP (4C in GPT-2). */
  mlpHidden: number;
  /** Dropout on embeddings, attention weights and residual branches (0 disables it). */
  dropout: number;
  /** Biases in Linear layers and LayerNorms. */
  bias: boolean;
  /** How positions enter: learned table (GPT-2), fixed sinusoids, rotary (RoPE), or none. */
  positions: PositionKind;
  /** RoPE's base θ (10000 in Su et al., 2021). */
  ropeBase: number;
  norm: NormKind;
  /** Epsilon inside the normalisation's square root. */
  normEps: number;
  /** MLP kind: GELU (GPT-2) or SwiGLU (Shazeer, 2020). */
  mlp: MlpKind;
  /** Activation of the GELU-kind MLP. GPT-2 uses the tanh approximation ("gelu_new"). */
  activation: Activation;
  /** Share the output projection with the token embedding (Press & Wolf, 2017). */
  tieWeights: boolean;
  // --- Attention variants (issue 18) ---
  /**
   * Which keys a query attends to: all earlier ones (full), the last `window` (sliding, Mistral), or
   * the Sparse Transformer's strided or fixed pattern with stride `window` (Child et al., 2019).
   */
  attention: AttentionKind;
  /** W: the sliding window's width, and the stride of the sparse patterns (blockSize unless given). */
  window: number;
  // Mixture of experts (moe.ts, router.ts): the MLP becomes E expert MLPs and a top-k router.
  /** E: the number of expert MLPs per block (0: the dense MLP). */
  moeExperts: number;
  /** k: the experts each token is routed to (Mixtral: 2 of 8). */
  moeTopK: number;
  /** Capacity factor: an expert takes at most ceil(factor·N·k/E) of N tokens (0: unlimited). */
  moeCapacityFactor: number;
  /** α of the Switch load-balancing loss, added to the training loss. */
  moeAuxLossWeight: number;
  /** RMSNorm over each head's queries and keys before the scores (Dehghani et al., 2023; OLMo 2). */
  qkNorm: boolean;
  // --- Llama-family checkpoints (issue 19) ---
  /** Biases on the q/k/v projection (c_attn) alone; `bias` rules the rest. Qwen2: true, bias false. */
  qkvBias: boolean;
  /** RoPE frequency scaling for long contexts (rope-scaling.ts): null, linear, or Llama 3's. */
  ropeScaling: RopeScaling | null;
}

/** rope_scaling of an HF config: positions/factor ("linear"), or Llama 3.1's per-frequency rule. */
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      /** The context the model was pretrained with (8192 for Llama 3). */
      originalMaxPositions: number;
    };

export const GPT_DEFAULTS: Omit<
  GPTConfig,
  | 'vocabSize'
  | 'blockSize'
  | 'nLayer'
  | 'nHead'
  | 'nEmbd'
  | 'nKvHead'
  | 'mlpHidden'
  | 'headDim'
  | 'window'
  | 'qkvBias'
> = {
  dropout: 0,
  bias: true,
  positions: 'learned',
  ropeBase: 10000,
  norm: 'layernorm',
  normEps: 1e-5,
  mlp: 'gelu',
  activation: 'gelu_tanh',
  tieWeights: true,
  attention: 'full',
  moeExperts: 0,
  moeTopK: 2,
  moeCapacityFactor: 0,
  moeAuxLossWeight: 0.01,
  qkNorm: false,
  ropeScaling: null,
};

export type GPTConfigInput = Pick<GPTConfig, 'vocabSize' | 'blockSize' | 'nLayer' | 'nHead' | 'nEmbd'> &
  Partial<GPTConfig>;

/** Fills defaults and checks every field; throws one clear error naming the field. */
export function gptConfig(input: GPTConfigInput): GPTConfig {
  const known = new Set([
    ...Object.keys(GPT_DEFAULTS),
    'vocabSize',
    'blockSize',
    'nLayer',
    'nHead',
    'nEmbd',
    'nKvHead',
    'mlpHidden',
    'headDim',
    'window',
    'qkvBias',
  ]);
  for (const k of Object.keys(input))
    if (!known.has(k)) throw new LlmfsError(`GPT config: unknown field '${k}'`);
  const c: GPTConfig = {
    ...GPT_DEFAULTS,
    nKvHead: input.nHead,
    mlpHidden: 4 * input.nEmbd,
    headDim: input.nEmbd / input.nHead,
    window: input.blockSize,
    qkvBias: input.bias ?? GPT_DEFAULTS.bias,
    ...input,
  };
  for (const k of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nKvHead', 'nEmbd', 'mlpHidden'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new LlmfsError(`GPT config: ${k} must be a positive integer, got ${c[k]}`);
  }
  // Without an explicit head size the heads split C evenly; with one, nHead·headDim may differ from C.
  if (input.headDim === undefined && c.nEmbd % c.nHead !== 0)
    throw new LlmfsError(`GPT config: nEmbd ${c.nEmbd} must be divisible by nHead ${c.nHead}`);
  if (!Number.isInteger(c.headDim) || c.headDim <= 0)
    throw new LlmfsError(`GPT config: headDim must be a positive integer, got ${c.headDim}`);
  if (c.nHead % c.nKvHead !== 0)
    throw new LlmfsError(`GPT config: nKvHead ${c.nKvHead} must divide nHead ${c.nHead}`);
  if (c.positions === 'rope' && c.headDim % 2 !== 0)
    throw new LlmfsError(`GPT config: RoPE needs an even head size, got ${c.headDim}`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new LlmfsError(`GPT config: dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.normEps > 0)) throw new LlmfsError(`GPT config: normEps must be > 0, got ${c.normEps}`);
  checkMoe(c);
  const choices: [keyof GPTConfig, readonly string[]][] = [
    ['positions', POSITION_KINDS],
    ['norm', NORM_KINDS],
    ['mlp', MLP_KINDS],
    ['activation', ACTIVATIONS],
    ['attention', ATTENTION_KINDS],
  ];
  for (const [k, allowed] of choices) {
    if (!allowed.includes(c[k] as string))
      throw new LlmfsError(`GPT config: ${k} must be one of ${allowed.join(', ')}, got '${String(c[k])}'`);
  }
  // --- Attention variants (issue 18) ---
  if (!Number.isInteger(c.window) || c.window < 1)
    throw new LlmfsError(`GPT config: window must be a positive integer, got ${c.window}`);
  if (c.window > c.blockSize) {
    throw new LlmfsError(
      `GPT config: window ${c.window} is larger than the context of ${c.blockSize}; give 1..${c.blockSize}`,
    );
  }
  if (typeof c.qkNorm !== 'boolean')
    throw new LlmfsError(`GPT config: qkNorm must be true or false, got ${String(c.qkNorm)}`);
  if (typeof c.qkvBias !== 'boolean')
    throw new LlmfsError(`GPT config: qkvBias must be true or false, got ${String(c.qkvBias)}`);
  if (c.ropeScaling !== null) checkRopeScaling(c.ropeScaling);
  if (c.attention === 'linear' && c.positions === 'alibi')
    throw new LlmfsError("GPT config: positions 'alibi' biases softmax scores; attention 'linear' has none");
  if (c.attention !== 'full' && c.attention !== 'linear' && c.positions === 'alibi')
    throw new LlmfsError(
      `GPT config: positions 'alibi' is not built for attention '${c.attention}' (use full attention, ` +
        'or learned, rope or none positions)',
    );
  return c;
}

/** The mixture-of-experts fields: counts are integers, k at most E, the weights not negative. */
function checkMoe(c: GPTConfig): void {
  if (!Number.isInteger(c.moeExperts) || c.moeExperts < 0)
    throw new LlmfsError(
      `GPT config: moeExperts must be an integer >= 0 (0: dense MLP), got ${c.moeExperts}`,
    );
  if (!Number.isInteger(c.moeTopK) || c.moeTopK < 1)
    throw new LlmfsError(`GPT config: moeTopK must be a positive integer, got ${c.moeTopK}`);
  if (c.moeExperts > 0 && c.moeTopK > c.moeExperts) {
    throw new LlmfsError(
      `GPT config: moeTopK ${c.moeTopK} is larger than the number of experts moeExperts ${c.moeExperts}`,
    );
  }
  if (!(c.moeCapacityFactor >= 0 && Number.isFinite(c.moeCapacityFactor)))
    throw new LlmfsError(
      `GPT config: moeCapacityFactor must be >= 0 (0: unlimited), got ${c.moeCapacityFactor}`,
    );
  if (!(c.moeAuxLossWeight >= 0 && Number.isFinite(c.moeAuxLossWeight)))
    throw new LlmfsError(`GPT config: moeAuxLossWeight must be >= 0, got ${c.moeAuxLossWeight}`);
}

/** rope scaling: a known type with finite factors (Llama 3: high > low > 0). */
function checkRopeScaling(r: RopeScaling): void {
  const bad = (what: string): never => {
    throw new LlmfsError(`GPT config: ropeScaling ${what}`);
  };
  if (typeof r !== 'object' || r === null) bad('must be an object or null');
  if (r.type !== 'linear' && r.type !== 'llama3')
    bad(`type must be linear or llama3, got '${String((r as { type: unknown }).type)}'`);
  if (!(r.factor > 0 && Number.isFinite(r.factor))) bad(`factor must be > 0, got ${r.factor}`);
  if (r.type === 'llama3') {
    if (!(r.lowFreqFactor > 0 && r.highFreqFactor > r.lowFreqFactor && Number.isFinite(r.highFreqFactor)))
      bad(`needs 0 < lowFreqFactor < highFreqFactor, got ${r.lowFreqFactor} and ${r.highFreqFactor}`);
    if (!(Number.isInteger(r.originalMaxPositions) && r.originalMaxPositions > 0))
      bad(`originalMaxPositions must be a positive integer, got ${r.originalMaxPositions}`);
  }
}
