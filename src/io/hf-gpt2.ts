// Hugging Face GPT-2 <-> our GPT (portable: no Node imports). HF's config.json fields map to
// GPTConfig; its tensor names are ours, optionally behind a `transformer.` prefix. HF's Conv1D
// computes y = x W + b with W stored (in, out), our Linear stores W as (out, in): transpose both ways.

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { GPT } from '../model/gpt.js';
import { gptConfig, type Activation, type GPTConfig } from '../model/config.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'conv1d-to-linear' (chapter 9): a GPT-2 Conv1D weight as HF stores it, (in, out),
     * to our Linear's layout (out, in): the transpose, as a new contiguous tensor.
     */
    conv1dToLinear(weight: Tensor): Tensor;
  }
}

export const HF_MODEL_TYPE = 'gpt2';

/** HF activation_function -> ours. gelu_new, gelu_fast and gelu_pytorch_tanh are all the tanh form. */
const ACTIVATIONS: Record<string, Activation> = {
  gelu_new: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu: 'gelu',
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
};
const ACTIVATION_NAMES: Record<Activation, string> = {
  gelu_tanh: 'gelu_new',
  gelu: 'gelu',
  relu: 'relu',
  silu: 'silu',
};

/** The model config HF's config.json describes, plus whether lm_head is declared tied to wte. */
export interface HfGpt2Config {
  config: GPTConfig;
  tieWordEmbeddings: boolean;
}

const q = (v: unknown): string => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/** Parses a GPT-2 config.json object; `where` names the file in errors. Unknown keys are ignored. */
export function gptConfigFromHf(raw: unknown, where = 'config.json'): HfGpt2Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(`${where}: must hold a JSON object`);
  const r = raw as Record<string, unknown>;
  if (r.model_type !== HF_MODEL_TYPE)
    throw new LlmfsError(`${where}: model_type is ${q(r.model_type)}, expected "${HF_MODEL_TYPE}"`);
  const int = (key: string): number => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw new LlmfsError(
        `${where}: "${key}" must be a positive integer, got ${v === undefined ? 'nothing' : q(v)}`,
      );
    return v;
  };
  const flag = (key: string, dflt: boolean): boolean => {
    const v = r[key] ?? dflt;
    if (typeof v !== 'boolean') throw new LlmfsError(`${where}: "${key}" must be true or false, got ${q(v)}`);
    return v;
  };
  const nEmbd = int('n_embd');
  const nInner = r.n_inner === undefined || r.n_inner === null ? 4 * nEmbd : int('n_inner');
  const act = r.activation_function ?? 'gelu_new';
  const activation =
    typeof act === 'string' && Object.hasOwn(ACTIVATIONS, act) ? ACTIVATIONS[act] : undefined;
  if (activation === undefined)
    throw new LlmfsError(
      `${where}: activation_function ${q(act)} is not supported (supported: ` +
        `${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  const eps = r.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps))
    throw new LlmfsError(`${where}: "layer_norm_epsilon" must be a positive number, got ${q(eps)}`);
  // Variants our attention does not compute: refuse them rather than load a different model.
  if (!flag('scale_attn_weights', true))
    throw new LlmfsError(`${where}: scale_attn_weights false (unscaled attention) is not supported`);
  if (flag('scale_attn_by_inverse_layer_idx', false))
    throw new LlmfsError(`${where}: scale_attn_by_inverse_layer_idx is not supported`);
  if (flag('add_cross_attention', false))
    throw new LlmfsError(`${where}: add_cross_attention (an encoder-decoder GPT-2) is not supported`);
  const fields = {
    vocabSize: int('vocab_size'),
    blockSize: int('n_positions'),
    nLayer: int('n_layer'),
    nHead: int('n_head'),
    nEmbd,
    mlpHidden: nInner,
    activation,
    normEps: eps,
    dropout: 0,
    bias: true,
    positions: 'learned',
    norm: 'layernorm',
    mlp: 'gelu',
  } as const;
  const tieWordEmbeddings = flag('tie_word_embeddings', true);
  try {
    return { config: gptConfig({ ...fields, tieWeights: tieWordEmbeddings }), tieWordEmbeddings };
  } catch (err) {
    throw err instanceof LlmfsError ? new LlmfsError(`${where}: ${err.message}`) : err;
  }
}

/** Where each of our parameters lives in an HF file: its shape there and whether it is a Conv1D weight. */
export function hfTensorLayout(c: GPTConfig): Map<string, { shape: number[]; conv1d: boolean }> {
  const { vocabSize: V, blockSize: P, nEmbd: C, mlpHidden: H } = c;
  const m = new Map<string, { shape: number[]; conv1d: boolean }>();
  const add = (name: string, shape: number[], conv1d = false): void => void m.set(name, { shape, conv1d });
  add('wte.weight', [V, C]);
  add('wpe.weight', [P, C]);
  for (let l = 0; l < c.nLayer; l++) {
    const h = `h.${l}.`;
    add(`${h}ln_1.weight`, [C]);
    add(`${h}ln_1.bias`, [C]);
    add(`${h}attn.c_attn.weight`, [C, 3 * C], true); // Conv1D (in, out); out = [q | k | v], as ours
    add(`${h}attn.c_attn.bias`, [3 * C]);
    add(`${h}attn.c_proj.weight`, [C, C], true);
    add(`${h}attn.c_proj.bias`, [C]);
    add(`${h}ln_2.weight`, [C]);
    add(`${h}ln_2.bias`, [C]);
    add(`${h}mlp.c_fc.weight`, [C, H], true);
    add(`${h}mlp.c_fc.bias`, [H]);
    add(`${h}mlp.c_proj.weight`, [H, C], true);
    add(`${h}mlp.c_proj.bias`, [C]);
  }
  add('ln_f.weight', [C]);
  add('ln_f.bias', [C]);
  if (!c.tieWeights) add('lm_head.weight', [V, C]); // nn.Linear: (out, in), as ours
  return m;
}

/** `src` (rows, cols) row-major -> `dst` (cols, rows): dst[j, i] = src[i, j]. */
export function transposeInto(src: ArrayLike<number>, rows: number, cols: number, dst: Float32Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
}

// HF's Conv1D weight (in, out) as our Linear weight (out, in), where gptFromHf loads it.
const conv1dToLinear = exercisable('conv1dToLinear', (weight: Tensor): Tensor => {
  const [rows, cols] = weight.shape as [number, number];
  const out = new Float32Array(rows * cols);
  transposeInto(weight.data, rows, cols, out);
  return new Tensor(out, [cols, rows]);
});

/** A file of named tensors: shapes up front, data on request (an open safetensors file, or bytes). */
export interface TensorSource {
  /** Every tensor's name and shape, in file order. */
  readonly tensors: readonly { name: string; shape: readonly number[] }[];
  read(name: string): Tensor;
}

/** HF buffers that are not parameters: the causal mask and its fill value, in older exports. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Builds our GPT from an HF GPT-2 config.json object and its weights. Names may carry the
 * `transformer.` prefix (GPT2LMHeadModel.save_pretrained) or not (the hub's gpt2 files). Every
 * name and shape is checked against the config before the model is allocated. An `lm_head.weight`
 * equal to wte is the tied head saved twice; a different one makes the head untied.
 */
export function gptFromHf(
  rawConfig: unknown,
  src: TensorSource,
  files: { config?: string; weights?: string } = {},
): GPT {
  const cfgFile = files.config ?? 'config.json';
  const wFile = files.weights ?? 'model.safetensors';
  let { config } = gptConfigFromHf(rawConfig, cfgFile);
  const byOurName = new Map<string, { name: string; shape: readonly number[] }>();
  for (const t of src.tensors) {
    const ours = t.name.startsWith('transformer.') ? t.name.slice('transformer.'.length) : t.name;
    if (BUFFER.test(ours)) continue;
    const seen = byOurName.get(ours);
    if (seen) throw new LlmfsError(`${wFile}: tensors '${seen.name}' and '${t.name}' are the same parameter`);
    byOurName.set(ours, t);
  }
  const head = byOurName.get('lm_head.weight');
  let headData: Tensor | null = null;
  if (
    head &&
    config.tieWeights &&
    sameShape(head.shape, [config.vocabSize, config.nEmbd]) &&
    byOurName.has('wte.weight')
  ) {
    headData = src.read(head.name);
    const wte = src.read(byOurName.get('wte.weight')!.name);
    if (headData.data.some((v, i) => v !== wte.data[i])) config = gptConfig({ ...config, tieWeights: false });
    else byOurName.delete('lm_head.weight');
  }
  const implied =
    `${cfgFile} (vocab_size ${config.vocabSize}, n_positions ${config.blockSize}, n_embd ` +
    `${config.nEmbd}, n_inner ${config.mlpHidden}, n_layer ${config.nLayer})`;
  if (12 * config.nLayer > byOurName.size) {
    // More layers than the file could hold: name the first missing tensor without listing them all.
    const perLayer = [...hfTensorLayout({ ...config, nLayer: 1 }).keys()].filter((k) => k.startsWith('h.0.'));
    for (let l = 0; ; l++) {
      const missing = perLayer.map((k) => `h.${l}.${k.slice(4)}`).find((k) => !byOurName.has(k));
      if (missing) throw new LlmfsError(`${wFile}: tensor '${missing}' is missing (needed by ${implied})`);
    }
  }
  const layout = hfTensorLayout(config);
  for (const [ours, { shape }] of layout) {
    const t = byOurName.get(ours);
    if (!t) throw new LlmfsError(`${wFile}: tensor '${ours}' is missing (needed by ${implied})`);
    if (!sameShape(t.shape, shape))
      throw new LlmfsError(
        `${wFile}: tensor '${t.name}' has shape ${fmtShape(t.shape)} but ${implied} implies ` +
          `${fmtShape(shape)}`,
      );
  }
  for (const [ours, t] of byOurName) {
    if (!layout.has(ours))
      throw new LlmfsError(`${wFile}: unexpected tensor '${t.name}' (not a GPT-2 parameter for ${implied})`);
  }
  const model = new GPT(config);
  const params = new Map(model.namedParameters());
  for (const [ours, { shape, conv1d }] of layout) {
    const t = ours === 'lm_head.weight' && headData ? headData : src.read(byOurName.get(ours)!.name);
    const p = params.get(ours)!;
    const w = conv1d ? conv1dToLinear(t) : t;
    if (conv1d && !sameShape(w.shape, p.shape))
      throw new LlmfsError(
        `conv1dToLinear gave shape ${fmtShape(w.shape)} for '${ours}', ` +
          `whose Linear weight is ${fmtShape(p.shape)}`,
      );
    p.data.set(w.data);
  }
  return model;
}

/** Which of our configs HF's GPT2LMHeadModel can express; throws naming the first field that differs. */
function checkExportable(c: GPTConfig): void {
  const bad = (what: string): never => {
    throw new LlmfsError(
      `export to Hugging Face GPT-2: ${what}; only GPT-2-layout models export (learned positions, ` +
        `layernorm, GELU-kind MLP, nKvHead = nHead)`,
    );
  };
  if (c.positions !== 'learned') bad(`positions are '${c.positions}'`);
  if (c.norm !== 'layernorm') bad(`norm is '${c.norm}'`);
  if (c.mlp !== 'gelu') bad(`mlp is '${c.mlp}'`);
  if (c.nKvHead !== c.nHead) bad(`nKvHead ${c.nKvHead} differs from nHead ${c.nHead}`);
  if (c.attention !== 'full') bad(`attention is '${c.attention}' (GPT-2 attends to every earlier token)`);
  if (c.moeExperts > 0) bad(`the MLP is a mixture of ${c.moeExperts} experts`);
  if (c.qkNorm) bad('it has QK-norm');
  // GPT-2's config has no head size: HF computes n_embd / n_head, so a pruned model cannot say its own.
  if (c.headDim * c.nHead !== c.nEmbd)
    bad(
      `head size ${c.headDim} x ${c.nHead} heads ≠ n_embd ${c.nEmbd} ` +
        "(GPT-2's config cannot state a head size)",
    );
}

export interface HfExport {
  /** config.json's object. */
  config: Record<string, unknown>;
  /** model.safetensors' tensors, named as GPT2LMHeadModel.save_pretrained names them. */
  tensors: Record<string, Tensor>;
}

/**
 * Our GPT in HF's GPT-2 layout. A model without biases gets zero biases (the same function).
 * `eosTokenId` (e.g. the tokenizer's <|endoftext|>) becomes bos/eos_token_id.
 */
export function gptToHf(model: GPT, opts: { eosTokenId?: number } = {}): HfExport {
  const c = model.config;
  checkExportable(c);
  const params = new Map(model.namedParameters());
  const tensors: Record<string, Tensor> = {};
  for (const [ours, { shape, conv1d }] of hfTensorLayout(c)) {
    const p = params.get(ours);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (p && conv1d) transposeInto(p.data, shape[1], shape[0], data);
    else if (p) data.set(p.data);
    tensors[ours === 'lm_head.weight' ? ours : `transformer.${ours}`] = new Tensor(data, shape);
  }
  const pdrop = c.dropout;
  const config: Record<string, unknown> = {
    architectures: ['GPT2LMHeadModel'],
    model_type: HF_MODEL_TYPE,
    vocab_size: c.vocabSize,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.mlpHidden === 4 * c.nEmbd ? null : c.mlpHidden,
    activation_function: ACTIVATION_NAMES[c.activation],
    layer_norm_epsilon: c.normEps,
    resid_pdrop: pdrop,
    embd_pdrop: pdrop,
    attn_pdrop: pdrop,
    initializer_range: 0.02,
    scale_attn_weights: true,
    use_cache: true,
    tie_word_embeddings: c.tieWeights,
  };
  if (opts.eosTokenId !== undefined) config.bos_token_id = config.eos_token_id = opts.eosTokenId;
  return { config, tensors };
}
