// Hugging Face Llama-family weights <-> our GPT (portable: no Node imports). LlamaForCausalLM,
// Qwen2/Qwen3ForCausalLM and MistralForCausalLM share one layout (modeling_llama.py):
//   model.embed_tokens, model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
//   self_attn.{q,k}_norm (Qwen3), post_attention_layernorm, mlp.{gate,up,down}_proj}, model.norm,
//   lm_head (absent when tied).
// Every HF tensor is an nn.Linear weight (out, in) like ours, so the mapping is a copy, except
// that our fused c_attn holds q_proj, k_proj and v_proj stacked by rows: [q | k | v]. RoPE needs
// no permutation: HF already stores q/k rows for rotate_half (rope.ts; rope-interleaved.ts).
// F16 and BF16 weights are widened to float32 on load (exact). With `quantize`, each part is
// quantized as soon as it is filled (embedding, then block by block), so memory holds the integer
// codes plus one part's float32, never the float model; the result equals quantizeModel's.

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { GPT } from '../model/gpt.js';
import type { Module } from '../nn/module.js';
import { quantizeModel } from '../quant/quantize-model.js';
import { QuantizedLinear, quantizeMatrix, type QuantizeOptions } from '../quant/quantized-linear.js';
import { isInt8, type QuantWeight } from '../quant/qmatmul.js';
import { QuantizedEmbedding } from '../quant/quantized-embedding.js';
import { checkFiniteTensor } from './weights-check.js';
import type { GPTConfig } from '../model/config.js';
import {
  llamaConfigFromHf,
  llamaConfigToHf,
  type HfLlamaConfig,
  type LlamaFamily,
} from './hf-llama-config.js';

/** Where one HF tensor goes in our model: a parameter, from row `row` on. */
export interface LlamaSlot {
  shape: number[];
  ours: string;
  /** The first row of our parameter this tensor fills (q, k, v inside c_attn). */
  row: number;
}

/** Every HF tensor name the config implies, with its shape and its place in our parameters. */
export function llamaTensorLayout(c: GPTConfig): Map<string, LlamaSlot> {
  const { vocabSize: V, nEmbd: C, mlpHidden: H, headDim: hs } = c;
  const qW = c.nHead * hs; // nh·hs (≠ C in Qwen3)
  const kvW = c.nKvHead * hs; // nkv·hs (grouped-query attention)
  const m = new Map<string, LlamaSlot>();
  const add = (name: string, shape: number[], ours: string, row = 0): void =>
    void m.set(name, { shape, ours, row });
  add('model.embed_tokens.weight', [V, C], 'wte.weight');
  for (let l = 0; l < c.nLayer; l++) {
    const hf = `model.layers.${l}.`;
    const h = `h.${l}.`;
    add(`${hf}input_layernorm.weight`, [C], `${h}ln_1.weight`);
    add(`${hf}self_attn.q_proj.weight`, [qW, C], `${h}attn.c_attn.weight`, 0);
    add(`${hf}self_attn.k_proj.weight`, [kvW, C], `${h}attn.c_attn.weight`, qW);
    add(`${hf}self_attn.v_proj.weight`, [kvW, C], `${h}attn.c_attn.weight`, qW + kvW);
    if (c.qkvBias) {
      add(`${hf}self_attn.q_proj.bias`, [qW], `${h}attn.c_attn.bias`, 0);
      add(`${hf}self_attn.k_proj.bias`, [kvW], `${h}attn.c_attn.bias`, qW);
      add(`${hf}self_attn.v_proj.bias`, [kvW], `${h}attn.c_attn.bias`, qW + kvW);
    }
    add(`${hf}self_attn.o_proj.weight`, [C, qW], `${h}attn.c_proj.weight`);
    if (c.bias) add(`${hf}self_attn.o_proj.bias`, [C], `${h}attn.c_proj.bias`);
    if (c.qkNorm) {
      add(`${hf}self_attn.q_norm.weight`, [hs], `${h}attn.q_norm.weight`);
      add(`${hf}self_attn.k_norm.weight`, [hs], `${h}attn.k_norm.weight`);
    }
    add(`${hf}post_attention_layernorm.weight`, [C], `${h}ln_2.weight`);
    // SwiGLU: down(silu(gate x) ⊙ up x) is our c_proj(silu(c_gate x) ⊙ c_fc x)
    add(`${hf}mlp.gate_proj.weight`, [H, C], `${h}mlp.c_gate.weight`);
    add(`${hf}mlp.up_proj.weight`, [H, C], `${h}mlp.c_fc.weight`);
    add(`${hf}mlp.down_proj.weight`, [C, H], `${h}mlp.c_proj.weight`);
    if (c.bias) {
      add(`${hf}mlp.gate_proj.bias`, [H], `${h}mlp.c_gate.bias`);
      add(`${hf}mlp.up_proj.bias`, [H], `${h}mlp.c_fc.bias`);
      add(`${hf}mlp.down_proj.bias`, [C], `${h}mlp.c_proj.bias`);
    }
  }
  add('model.norm.weight', [C], 'ln_f.weight');
  if (!c.tieWeights) add('lm_head.weight', [V, C], 'lm_head.weight');
  return m;
}

/** Weights by name, read on demand: one safetensors file or a sharded set (hf-shards.ts). */
export interface LlamaTensorSource {
  readonly tensors: readonly { name: string; shape: readonly number[]; dtype: string; file: string }[];
  read(name: string): Tensor;
  /** Rows [r0, r1) of a tensor (first axis), if the source can read part of one. */
  readRows?(name: string, r0: number, r1: number): Tensor;
}

/** The float dtypes we widen to float32; anything else in a weight file is refused. */
export const FLOAT_DTYPES: ReadonlySet<string> = new Set(['F32', 'F16', 'BF16']);

/** Buffers some exports save that are not parameters: RoPE's inverse frequencies. */
const BUFFER = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Builds our GPT from a Llama-family config.json object and its weights. Every name, shape and
 * dtype is checked against the config before the model is allocated. With tie_word_embeddings a
 * saved lm_head.weight is ignored, as HF ties it to the embedding on load.
 */
export function gptFromHfLlama(
  rawConfig: unknown,
  src: LlamaTensorSource,
  cfgFile = 'config.json',
  opts: { quantize?: QuantizeOptions; slabFloats?: number } = {},
): { model: GPT } & HfLlamaConfig {
  const parsed = llamaConfigFromHf(rawConfig, cfgFile);
  const c = parsed.config;
  const byName = new Map(src.tensors.map((t) => [t.name, t]));
  const implied =
    `${cfgFile} (${parsed.architecture}: vocab_size ${c.vocabSize}, hidden_size ${c.nEmbd}, ` +
    `intermediate_size ${c.mlpHidden}, heads ${c.nHead}/${c.nKvHead} x ${c.headDim}, layers ${c.nLayer})`;
  if (9 * c.nLayer > src.tensors.length) {
    // More layers than the files could hold: name the first missing one without listing them all.
    for (let l = 0; l < c.nLayer; l++) {
      const name = `model.layers.${l}.input_layernorm.weight`;
      if (!byName.has(name))
        throw new LlmfsError(`weights: tensor '${name}' is missing (needed by ${implied})`);
    }
    throw new LlmfsError(`weights: ${src.tensors.length} tensors are too few for ${implied}`);
  }
  const layout = llamaTensorLayout(c);
  for (const [name, { shape }] of layout) {
    const t = byName.get(name);
    if (!t) throw new LlmfsError(`weights: tensor '${name}' is missing (needed by ${implied})`);
    if (!FLOAT_DTYPES.has(t.dtype))
      throw new LlmfsError(`${t.file}: tensor '${name}' has dtype ${t.dtype}; expected F32, F16 or BF16`);
    if (!sameShape(t.shape, shape))
      throw new LlmfsError(
        `${t.file}: tensor '${name}' has shape ${fmtShape(t.shape)} but ${implied} implies ` +
          fmtShape(shape),
      );
  }
  for (const t of src.tensors) {
    const tiedHead = t.name === 'lm_head.weight' && c.tieWeights;
    if (!layout.has(t.name) && !BUFFER.test(t.name) && !tiedHead)
      throw new LlmfsError(`${t.file}: unexpected tensor '${t.name}' (not a parameter of ${implied})`);
  }
  // Our parameter name -> the HF tensors that fill it.
  const sources = new Map<string, [string, LlamaSlot][]>();
  for (const [name, slot] of layout)
    sources.set(slot.ours, [...(sources.get(slot.ours) ?? []), [name, slot]]);
  const fill = (prefix: string, part: Module): void => {
    for (const [pname, p] of part.namedParameters()) {
      const ours = `${prefix}.${pname}`;
      const from = sources.get(ours);
      if (!from) throw new LlmfsError(`hf-llama: no tensor of ${implied} fills our parameter '${ours}'`);
      const cols = p.shape.length === 2 ? p.shape[1] : 1;
      for (const [name, slot] of from) {
        const data = src.read(name).data;
        // Quantizing needs finite weights: check here (the float path checks the whole model after).
        if (opts.quantize) checkFiniteTensor(name, data, byName.get(name)?.file ?? cfgFile);
        p.data.set(data, slot.row * cols);
      }
      sources.delete(ours);
    }
  };
  // Quantizing: the tables (V, C) go straight from the file to their codes, never a float
  // parameter; a block is filled, then its Linears are replaced (quantizeModel) and their storage freed.
  // A table is read and quantized a slab of rows at a time when the source allows (the codes are
  // the same: each row, and each int4 group, is quantized on its own), so its float32 is never whole.
  const table = (ours: string, o: QuantizeOptions): QuantWeight => {
    const [name, slot] = sources.get(ours)![0];
    sources.delete(ours);
    const [rows, cols] = slot.shape;
    const where = byName.get(name)?.file ?? cfgFile;
    // (int4 packs two codes a byte: a slab must hold whole bytes, so an even number of columns)
    const slabbed = src.readRows !== undefined && cols % 2 === 0;
    const step = slabbed ? Math.max(1, Math.floor((opts.slabFloats ?? 1 << 22) / cols)) : rows;
    let out: QuantWeight | null = null;
    for (let r0 = 0; r0 < rows; r0 += step) {
      const r1 = Math.min(rows, r0 + step);
      const data = r0 === 0 && r1 === rows ? src.read(name).data : src.readRows!(name, r0, r1).data;
      checkFiniteTensor(name, data, where); // (names the element within the slab)
      const slab = quantizeMatrix(data, r1 - r0, cols, o);
      if (r1 - r0 === rows) return slab;
      out ??= emptyLike(slab, rows, cols);
      putRows(out, slab, r0);
    }
    return out!;
  };
  const q = opts.quantize;
  const model = new GPT(c, {
    noInit: true,
    part: (name, make) => {
      if (q && name === 'wte') return new QuantizedEmbedding(table('wte.weight', q));
      if (q && name === 'lm_head') return new QuantizedLinear(table('lm_head.weight', q), null);
      const part = make();
      fill(name, part);
      if (q && part.namedParameters().some(([, p]) => p.ndim === 2)) quantizeModel(part, q);
      return part;
    },
  });
  for (const [ours, [[name]]] of sources)
    throw new LlmfsError(`hf-llama: our model has no parameter '${ours}' for '${name}'`);
  return { model, ...parsed };
}

/** An empty matrix of `rows` x `cols` in w's format, to fill a slab of rows at a time (putRows). */
function emptyLike(w: QuantWeight, rows: number, cols: number): QuantWeight {
  if (isInt8(w)) return { rows, cols, q: new Int8Array(rows * cols), scales: new Float32Array(rows) };
  const groups = (rows * cols) / w.groupSize;
  const zeros = w.zeros ? new Uint8Array(groups) : null;
  const packed = new Uint8Array((rows * cols) / 2);
  return { rows, cols, groupSize: w.groupSize, packed, scales: new Float32Array(groups), zeros };
}

/** Copies slab (rows r0.. of out) into out: each row (and each int4 group) is quantized on its own. */
function putRows(out: QuantWeight, slab: QuantWeight, r0: number): void {
  const C = out.cols;
  if (isInt8(out) && isInt8(slab)) {
    out.q.set(slab.q, r0 * C);
    out.scales.set(slab.scales, r0);
  } else if (!isInt8(out) && !isInt8(slab)) {
    out.packed.set(slab.packed, (r0 * C) / 2);
    out.scales.set(slab.scales, (r0 * C) / out.groupSize);
    if (out.zeros && slab.zeros) out.zeros.set(slab.zeros, (r0 * C) / out.groupSize);
  }
}

/** config.json's object and the tensors, named as `family`'s save_pretrained names them. */
export interface HfLlamaExport {
  config: Record<string, unknown>;
  tensors: Record<string, Tensor>;
}

/** Our GPT in the HF layout of `family` (by default the one its config matches: llamaFamilyOf). */
export function gptToHfLlama(model: GPT, family?: LlamaFamily): HfLlamaExport {
  const config = llamaConfigToHf(model.config, family);
  const params = new Map(model.namedParameters());
  const tensors: Record<string, Tensor> = {};
  for (const [name, slot] of llamaTensorLayout(model.config)) {
    const p = params.get(slot.ours);
    if (!p) throw new LlmfsError(`export: the model has no parameter '${slot.ours}' (quantized?)`);
    const size = slot.shape.reduce((a, b) => a * b, 1);
    const cols = p.shape.length === 2 ? p.shape[1] : 1;
    tensors[name] = new Tensor(p.data.slice(slot.row * cols, slot.row * cols + size), slot.shape);
  }
  return { config, tensors };
}
