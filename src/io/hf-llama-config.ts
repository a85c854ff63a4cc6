// Hugging Face config.json of the Llama family <-> GPTConfig (portable: no Node imports). The
// fields are those of transformers' LlamaConfig, Qwen2Config, Qwen3Config and MistralConfig
// (configuration_{llama,qwen2,qwen3,mistral}.py); each is mapped to the switch of ours that
// computes the same thing, and a variant we cannot compute is refused rather than approximated.

import { LlmfsError } from '../errors.js';
import { gptConfig, type GPTConfig, type RopeScaling } from '../model/config.js';

/** model_type -> the architecture class name HF's config gives for a causal LM of that type. */
export const HF_LLAMA_FAMILIES = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
  mistral: 'MistralForCausalLM',
} as const;
export type LlamaFamily = keyof typeof HF_LLAMA_FAMILIES;

export const isLlamaFamily = (t: unknown): t is LlamaFamily =>
  typeof t === 'string' && Object.hasOwn(HF_LLAMA_FAMILIES, t);

/** Every architecture loadPretrained reads, for messages that list them. */
export const SUPPORTED_ARCHITECTURES = ['GPT2LMHeadModel', ...Object.values(HF_LLAMA_FAMILIES)];

export interface HfLlamaConfig {
  config: GPTConfig;
  family: LlamaFamily;
  architecture: string;
  /** torch_dtype (or dtype) as config.json states it, e.g. "bfloat16"; null if absent. */
  torchDtype: string | null;
}

/** 2^27 floats per RoPE table (512 MiB): 8x Llama 3.1's 131072 positions x 128. */
const MAX_ROPE_FLOATS = 2 ** 27;

const q = (v: unknown): string => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/** Parses a Llama-family config.json object; `where` names the file in errors. Unknown keys are ignored. */
export function llamaConfigFromHf(raw: unknown, where = 'config.json'): HfLlamaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(`${where}: must hold a JSON object`);
  const r = raw as Record<string, unknown>;
  const family = r.model_type;
  if (!isLlamaFamily(family))
    throw new LlmfsError(
      `${where}: model_type ${q(family)} is not a Llama-family type (supported: ` +
        `${Object.keys(HF_LLAMA_FAMILIES).join(', ')})`,
    );
  const architecture = HF_LLAMA_FAMILIES[family];
  const archs = r.architectures;
  if (archs !== undefined && archs !== null) {
    if (!Array.isArray(archs) || archs.length !== 1 || archs[0] !== architecture)
      throw new LlmfsError(
        `${where}: model_type is "${family}" but architectures is ${q(archs)}, which is not supported ` +
          `(supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`,
      );
  }
  const int = (key: string, dflt?: number): number => {
    const v = r[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw new LlmfsError(
        `${where}: "${key}" must be a positive integer, got ${v === undefined ? 'nothing' : q(v)}`,
      );
    return v;
  };
  const num = (key: string, v: unknown): number => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
      throw new LlmfsError(`${where}: "${key}" must be a positive number, got ${q(v)}`);
    return v;
  };
  const flag = (key: string, dflt: boolean): boolean => {
    const v = r[key] ?? dflt;
    if (typeof v !== 'boolean') throw new LlmfsError(`${where}: "${key}" must be true or false, got ${q(v)}`);
    return v;
  };
  const nEmbd = int('hidden_size');
  const nHead = int('num_attention_heads');
  const nLayer = int('num_hidden_layers');
  const blockSize = int('max_position_embeddings');
  const act = r.hidden_act ?? 'silu';
  if (act !== 'silu')
    throw new LlmfsError(`${where}: hidden_act ${q(act)} is not supported (SwiGLU with silu only)`);
  // Newer transformers nest theta and the scaling in "rope_parameters"; older ones use top-level fields.
  const params = r.rope_parameters;
  const rope = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : null;
  const ropeBase = num('rope_theta', rope ? rope.rope_theta : (r.rope_theta ?? 10000));
  const { bias, qkvBias } = biasFlags(family, flag, where);
  const { attention, window } = slidingWindow(family, r, nLayer, blockSize, where);
  const fields = {
    vocabSize: int('vocab_size'),
    blockSize,
    nLayer,
    nHead,
    nKvHead: int('num_key_value_heads', nHead),
    nEmbd,
    ...(r.head_dim === null || r.head_dim === undefined ? {} : { headDim: int('head_dim') }),
    mlpHidden: int('intermediate_size'),
    dropout: 0,
    bias,
    qkvBias,
    positions: 'rope',
    ropeBase,
    ropeScaling: ropeScaling(rope ?? r.rope_scaling, where),
    norm: 'rmsnorm',
    normEps: num('rms_norm_eps', r.rms_norm_eps ?? 1e-6),
    mlp: 'swiglu',
    activation: 'silu',
    tieWeights: flag('tie_word_embeddings', false), // LlamaConfig's default, and Qwen's and Mistral's
    qkNorm: family === 'qwen3',
    attention,
    ...(window !== undefined ? { window } : {}),
  } as const;
  // RoPE's cos and sin tables hold blockSize·hs floats each: refuse sizes no real model has.
  if (blockSize * (fields.headDim ?? nEmbd / nHead) > MAX_ROPE_FLOATS)
    throw new LlmfsError(
      `${where}: max_position_embeddings ${blockSize} is too long: its RoPE tables would exceed ` +
        `${MAX_ROPE_FLOATS / 2 ** 20}M floats`,
    );
  const dtype = r.torch_dtype ?? r.dtype;
  try {
    const config = gptConfig(fields);
    return { config, family, architecture, torchDtype: typeof dtype === 'string' ? dtype : null };
  } catch (err) {
    throw err instanceof LlmfsError ? new LlmfsError(`${where}: ${err.message}`) : err;
  }
}

/**
 * Biases: Llama's attention_bias puts them on q, k, v and o; mlp_bias on the MLP; Qwen2 always has
 * q/k/v biases and no others; Qwen3 and Mistral none. Ours: `qkvBias` on q/k/v, `bias` on the rest.
 */
function biasFlags(
  family: LlamaFamily,
  flag: (key: string, dflt: boolean) => boolean,
  where: string,
): { bias: boolean; qkvBias: boolean } {
  if (family === 'qwen2') return { bias: false, qkvBias: true };
  const attn = family === 'mistral' ? false : flag('attention_bias', false);
  const mlp = family === 'llama' ? flag('mlp_bias', false) : false;
  if (attn !== mlp)
    throw new LlmfsError(
      `${where}: attention_bias ${attn} with mlp_bias ${mlp} is not supported (biases on both or neither)`,
    );
  return { bias: attn, qkvBias: attn };
}

/**
 * Mistral slides a window of `sliding_window` keys on every layer (null: full attention). Qwen2/3
 * slide only if use_sliding_window, on the layers from max_window_layers on (or as `layer_types`
 * says): we compute all-full or all-sliding, not a mixture.
 */
function slidingWindow(
  family: LlamaFamily,
  r: Record<string, unknown>,
  nLayer: number,
  blockSize: number,
  where: string,
): { attention: 'full' | 'sliding'; window?: number } {
  let sliding: boolean;
  if (Array.isArray(r.layer_types)) {
    const kinds = new Set(r.layer_types);
    if (kinds.size > 1)
      throw new LlmfsError(`${where}: layer_types mixes ${[...kinds].join(' and ')} layers (not supported)`);
    sliding = kinds.has('sliding_attention');
  } else if (family === 'mistral') sliding = r.sliding_window !== null && r.sliding_window !== undefined;
  else if (family === 'qwen2' || family === 'qwen3') {
    const first = typeof r.max_window_layers === 'number' ? r.max_window_layers : nLayer;
    if (r.use_sliding_window === true && first > 0 && first < nLayer)
      throw new LlmfsError(
        `${where}: sliding attention on layers ${first}..${nLayer - 1} only (max_window_layers) ` +
          'is not supported',
      );
    sliding = r.use_sliding_window === true && first === 0;
  } else sliding = false;
  if (!sliding) return { attention: 'full' };
  const w = r.sliding_window;
  if (typeof w !== 'number' || !Number.isSafeInteger(w) || w <= 0)
    throw new LlmfsError(`${where}: "sliding_window" must be a positive integer, got ${q(w)}`);
  // A window as long as the context is full attention.
  return w >= blockSize ? { attention: 'full' } : { attention: 'sliding', window: w };
}

/** rope_scaling (or rope_parameters): null / "default", "linear", or Llama 3's "llama3". */
function ropeScaling(v: unknown, where: string): RopeScaling | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new LlmfsError(`${where}: "rope_scaling" must be an object or null, got ${q(v)}`);
  const s = v as Record<string, unknown>;
  const type = s.rope_type ?? s.type ?? 'default';
  const num = (key: string): number => {
    const x = s[key];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new LlmfsError(`${where}: rope_scaling "${key}" must be a number, got ${q(x)}`);
    return x;
  };
  if (type === 'default') return null;
  if (type === 'linear') return { type: 'linear', factor: num('factor') };
  if (type === 'llama3')
    return {
      type: 'llama3',
      factor: num('factor'),
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalMaxPositions: num('original_max_position_embeddings'),
    };
  throw new LlmfsError(
    `${where}: rope_scaling type ${q(type)} is not supported (supported: default, linear, llama3)`,
  );
}

/** The family HF would call our config: QK-norm Qwen3, q/k/v-only biases Qwen2, a window Mistral. */
export function llamaFamilyOf(c: GPTConfig): LlamaFamily {
  if (c.qkNorm) return 'qwen3';
  if (c.qkvBias && !c.bias) return 'qwen2';
  if (c.attention === 'sliding') return 'mistral';
  return 'llama';
}

/** config.json for our Llama-layout config, as `family`'s save_pretrained writes it. */
export function llamaConfigToHf(
  c: GPTConfig,
  family: LlamaFamily = llamaFamilyOf(c),
): Record<string, unknown> {
  const bad = (what: string): never => {
    throw new LlmfsError(`export to Hugging Face ${HF_LLAMA_FAMILIES[family]}: ${what}`);
  };
  if (c.positions !== 'rope') bad(`positions are '${c.positions}', not rope`);
  if (c.norm !== 'rmsnorm') bad(`norm is '${c.norm}', not rmsnorm`);
  if (c.mlp !== 'swiglu') bad(`mlp is '${c.mlp}', not swiglu`);
  if (c.moeExperts > 0) bad(`the MLP is a mixture of ${c.moeExperts} experts`);
  if (c.attention !== 'full' && !(c.attention === 'sliding' && family !== 'llama'))
    bad(`attention '${c.attention}' is not expressible`);
  if (c.qkNorm !== (family === 'qwen3')) bad(c.qkNorm ? 'it has QK-norm' : 'it lacks QK-norm');
  if (family === 'qwen2' ? c.bias || !c.qkvBias : c.bias !== c.qkvBias || (c.bias && family !== 'llama'))
    bad(`biases (qkvBias ${c.qkvBias}, bias ${c.bias}) do not fit the layout`);
  const s = c.ropeScaling;
  const scaling =
    s === null
      ? null
      : s.type === 'linear'
        ? { rope_type: 'linear', factor: s.factor }
        : {
            rope_type: 'llama3',
            factor: s.factor,
            low_freq_factor: s.lowFreqFactor,
            high_freq_factor: s.highFreqFactor,
            original_max_position_embeddings: s.originalMaxPositions,
          };
  const out: Record<string, unknown> = {
    architectures: [HF_LLAMA_FAMILIES[family]],
    model_type: family,
    vocab_size: c.vocabSize,
    hidden_size: c.nEmbd,
    intermediate_size: c.mlpHidden,
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    num_key_value_heads: c.nKvHead,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.blockSize,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeBase,
    rope_scaling: scaling,
    tie_word_embeddings: c.tieWeights,
    torch_dtype: 'float32',
  };
  if (family === 'llama') Object.assign(out, { attention_bias: c.bias, mlp_bias: c.bias });
  if (family === 'qwen3') out.attention_bias = false;
  const sliding = c.attention === 'sliding';
  if (family === 'mistral') out.sliding_window = sliding ? c.window : null;
  if (family === 'qwen2' || family === 'qwen3')
    Object.assign(out, {
      use_sliding_window: sliding,
      sliding_window: sliding ? c.window : null,
      max_window_layers: sliding ? 0 : c.nLayer,
    });
  return out;
}
