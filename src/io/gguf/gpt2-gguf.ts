// Our GPT as llama.cpp's "gpt2" architecture (LLM_ARCH_GPT2 in llama.cpp src/llama-model.cpp;
// key and tensor names from gguf-py constants.py):
//   token_embd (V, C)   position_embd (P, C)   output_norm   output (V, C), only when untied
//   blk.N.attn_norm  blk.N.attn_qkv (3C, C)  blk.N.attn_output (C, C)
//   blk.N.ffn_norm   blk.N.ffn_up (H, C)     blk.N.ffn_down (C, H)        (+ .bias for each)
// Shapes above are ours, (out, in) row-major; ggml lists dims fastest first, so the same bytes
// are ne = [in, out]: no transpose. Matrices go in the chosen type; norms, biases and the
// position table stay f32, as llama.cpp's converter keeps them.

import { LlmfsError } from '../../errors.js';
import type { GPT } from '../../model/gpt.js';
import type { GPTConfig } from '../../model/config.js';
import type { MultiHeadAttention } from '../../model/multihead.js';
import { denseMlp } from '../../model/block.js';
import { sinusoidalTable } from '../../model/sinusoidal.js';
import { Linear, type LayerNorm } from '../../nn/layers.js';
import type { Norm } from '../../model/norm.js';
import type { Module } from '../../nn/module.js';
import { QuantizedLinear } from '../../quant/quantized-linear.js';
import { encodeF16, quantizeQ4_0, quantizeQ8_0 } from './ggml-quants.js';
import { blockSize, GGUF_DEFAULT_ALIGNMENT, type GgmlTypeName, type Metadata } from './gguf-types.js';
import type { GgufTensor } from './gguf-writer.js';

export type GgufQuant = 'f32' | 'f16' | 'q8_0' | 'q4_0';
export const GGUF_QUANTS: readonly GgufQuant[] = ['f32', 'f16', 'q8_0', 'q4_0'];

const MATRIX_TYPE: Record<GgufQuant, GgmlTypeName> = { f32: 'F32', f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0' };
/** general.file_type (llama_ftype): ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2, MOSTLY_Q8_0 7. */
const FILE_TYPE: Record<GgufQuant, number> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7 };
/** ggml's quantization format version (GGML_QNT_VERSION). */
const QUANTIZATION_VERSION = 2;

/** Throws one line naming what GGUF's gpt2 layout cannot express, and which layout would. */
export function checkGpt2Layout(c: GPTConfig): void {
  const llama: string[] = [];
  if (c.positions === 'rope') llama.push('RoPE positions');
  if (c.norm === 'rmsnorm') llama.push('RMSNorm');
  if (c.mlp === 'swiglu') llama.push('a SwiGLU MLP');
  if (c.moeExperts > 0)
    throw new LlmfsError(
      `export gguf: the model is a mixture of experts (moeExperts ${c.moeExperts}); not supported`,
    );
  if (llama.length > 0)
    throw new LlmfsError(
      `export gguf: this model has ${llama.join(' + ')}; RoPE + RMSNorm + SwiGLU is the llama layout ` +
        `(general.architecture = llama), and this exporter writes gpt2 only (learned positions, ` +
        `LayerNorm, GELU MLP)`,
    );
  if (c.attention !== 'full')
    throw new LlmfsError(
      `export gguf: the attention is '${c.attention}'; llama.cpp's gpt2 attends to every earlier ` +
        `token, so it would run this model as a different one`,
    );
  // attention variants (issue 18): none has a place in GGUF's gpt2 layout
  if (c.attention !== 'full' || c.qkNorm || c.positions === 'alibi')
    throw new LlmfsError(
      `export gguf: attention '${c.attention}'${c.qkNorm ? ' with QK-norm' : ''}, positions ` +
        `'${c.positions}': the gpt2 layout has softmax attention, no QK-norm and no ALiBi`,
    );
  if (c.activation !== 'gelu_tanh')
    throw new LlmfsError(
      `export gguf: the MLP uses '${c.activation}'; llama.cpp's gpt2 runs GELU in its tanh form ` +
        `(gelu_tanh) only`,
    );
  if (c.headDim * c.nHead !== c.nEmbd)
    throw new LlmfsError(
      `export gguf: the attention is ${c.nHead} heads of ${c.headDim} (${c.nHead * c.headDim} wide, ` +
        `not n_embd = ${c.nEmbd}: heads were pruned); llama.cpp's gpt2 layout needs head_count · head ` +
        `size = n_embd: export the model before head pruning (MLP neuron pruning exports fine)`,
    );
}

interface Affine {
  w: Float32Array; // (out, in)
  b: Float32Array | null; // (out)
  out: number;
  in: number;
}

/** A Linear's or QuantizedLinear's float weight (dequantized) and bias. */
function affine(m: Module | null, what: string): Affine {
  if (m instanceof QuantizedLinear) {
    const w = m.dequantizedWeight();
    const b = m.bias ? Float32Array.from(m.bias.data) : null;
    return { w: Float32Array.from(w.data), b, out: m.outFeatures, in: m.inFeatures };
  }
  if (m instanceof Linear) {
    const b = m.bias ? Float32Array.from(m.bias.data) : null;
    return { w: Float32Array.from(m.weight.data), b, out: m.outFeatures, in: m.inFeatures };
  }
  throw new LlmfsError(`export gguf: ${what} is not a linear layer this exporter knows`);
}

/** Rows of K or V for kv heads (nKv·hs, ...) repeated so query head h reads kv head ⌊h/group⌋. */
function expandKv(
  x: Float32Array,
  nKv: number,
  nHead: number,
  rowsPerHead: number,
  cols: number,
): Float32Array {
  if (nKv === nHead) return x;
  const group = nHead / nKv;
  const per = rowsPerHead * cols;
  const out = new Float32Array(nHead * per);
  for (let h = 0; h < nHead; h++)
    out.set(x.subarray(Math.floor(h / group) * per, (Math.floor(h / group) + 1) * per), h * per);
  return out;
}

/**
 * The fused q|k|v projection as gpt2 stores it: (3C, C) weight and (3C) bias. Grouped-query K
 * and V heads are repeated to one per query head (the same function: each query head still
 * reads the same keys and values; repeatKv in model/attention.ts pairs head h with ⌊h/group⌋).
 */
function qkv(attn: MultiHeadAttention, c: GPTConfig): Affine {
  const hs = c.nEmbd / c.nHead;
  const C = c.nEmbd;
  const kvW = c.nKvHead * hs;
  const f = affine(attn.c_attn, 'attn.c_attn (GPT blocks always fuse q, k and v)');
  const rows = (a: Float32Array | null, from: number, n: number, width: number): Float32Array | null =>
    a ? a.slice(from * width, (from + n) * width) : null;
  const q = { w: rows(f.w, 0, C, C)!, b: rows(f.b, 0, C, 1) };
  const k = { w: rows(f.w, C, kvW, C)!, b: rows(f.b, C, kvW, 1) };
  const v = { w: rows(f.w, C + kvW, kvW, C)!, b: rows(f.b, C + kvW, kvW, 1) };
  const w = new Float32Array(3 * C * C);
  const b = new Float32Array(3 * C);
  [q, k, v].forEach((p, i) => {
    const isKv = i > 0;
    w.set(isKv ? expandKv(p.w, c.nKvHead, c.nHead, hs, C) : p.w, i * C * C);
    if (p.b) b.set(isKv ? expandKv(p.b, c.nKvHead, c.nHead, hs, 1) : p.b, i * C);
  });
  return { w, b, out: 3 * C, in: C };
}

export interface Gpt2GgufPlan {
  metadata: Metadata;
  tensors: GgufTensor[];
  /** Matrices whose rows are not whole 32-value blocks: written f16 (as llama.cpp's converter does). */
  fellBack: string[];
}

/**
 * The metadata and tensors of `model` in llama.cpp's gpt2 layout, matrices in `quant`.
 * `extra` (e.g. the tokenizer keys) is appended to the metadata.
 */
export function gpt2Gguf(
  model: GPT,
  quant: GgufQuant,
  name: string,
  extra: Metadata = new Map(),
): Gpt2GgufPlan {
  const c = model.config;
  checkGpt2Layout(c);
  const tensors: GgufTensor[] = [];
  const fellBack: string[] = [];
  const f32 = (tname: string, data: Float32Array, ne: number[]): void =>
    void tensors.push({
      name: tname,
      ne,
      type: 'F32',
      encode: () => new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
  const vector = (tname: string, data: ArrayLike<number> | null | undefined, n: number, fill = 0): void =>
    f32(tname, data ? Float32Array.from(data) : new Float32Array(n).fill(fill), [n]);
  const matrix = (tname: string, data: ArrayLike<number>, rows: number, cols: number): void => {
    let type = MATRIX_TYPE[quant];
    if (cols % blockSize(type) !== 0) {
      type = 'F16';
      fellBack.push(tname);
    }
    const encode = (): Uint8Array =>
      type === 'F32'
        ? new Uint8Array(Float32Array.from(data).buffer)
        : type === 'F16'
          ? encodeF16(data)
          : type === 'Q8_0'
            ? quantizeQ8_0(data)
            : quantizeQ4_0(data);
    tensors.push({ name: tname, ne: [cols, rows], type, encode });
  };
  const { vocabSize: V, blockSize: P, nEmbd: C, mlpHidden: H } = c;
  matrix('token_embd.weight', model.wte.weight.data, V, C);
  // A fixed sinusoid table is a learned table that never trained; no positions is a table of zeros.
  const pos = model.wpe
    ? Float32Array.from(model.wpe.weight.data)
    : c.positions === 'sinusoidal'
      ? Float32Array.from(sinusoidalTable(P, C).data)
      : new Float32Array(P * C);
  f32('position_embd.weight', pos, [C, P]);
  /** A LayerNorm's gain and shift (checkGpt2Layout refused RMSNorm); absent ones are 1 and 0. */
  const norm = (tname: string, n: Norm): void => {
    const ln = n as LayerNorm;
    vector(`${tname}.weight`, ln.weight?.data, C, 1);
    vector(`${tname}.bias`, ln.bias?.data, C);
  };
  [...model.h].forEach((block, l) => {
    const p = `blk.${l}.`;
    norm(`${p}attn_norm`, block.ln_1);
    const a = qkv(block.attn, c);
    matrix(`${p}attn_qkv.weight`, a.w, 3 * C, C);
    vector(`${p}attn_qkv.bias`, a.b, 3 * C);
    const o = affine(block.attn.c_proj, 'attn.c_proj');
    matrix(`${p}attn_output.weight`, o.w, C, C);
    vector(`${p}attn_output.bias`, o.b, C);
    norm(`${p}ffn_norm`, block.ln_2);
    const mlp = denseMlp(block, 'export gguf');
    const up = affine(mlp.c_fc, 'mlp.c_fc');
    matrix(`${p}ffn_up.weight`, up.w, H, C);
    vector(`${p}ffn_up.bias`, up.b, H);
    const down = affine(mlp.c_proj, 'mlp.c_proj');
    matrix(`${p}ffn_down.weight`, down.w, C, H);
    vector(`${p}ffn_down.bias`, down.b, C);
  });
  norm('output_norm', model.ln_f);
  if (model.lm_head) matrix('output.weight', affine(model.lm_head, 'lm_head').w, V, C);

  const m: Metadata = new Map();
  const u32 = (key: string, value: number): void => void m.set(key, { type: 'uint32', value });
  m.set('general.architecture', { type: 'string', value: 'gpt2' });
  m.set('general.name', { type: 'string', value: name });
  u32('general.file_type', FILE_TYPE[quant]);
  if (quant === 'q8_0' || quant === 'q4_0') u32('general.quantization_version', QUANTIZATION_VERSION);
  u32('general.alignment', GGUF_DEFAULT_ALIGNMENT);
  u32('gpt2.context_length', P);
  u32('gpt2.embedding_length', C);
  u32('gpt2.feed_forward_length', H);
  u32('gpt2.block_count', c.nLayer);
  u32('gpt2.attention.head_count', c.nHead);
  m.set('gpt2.attention.layer_norm_epsilon', { type: 'float32', value: c.normEps });
  u32('gpt2.vocab_size', V);
  for (const [k, v] of extra) m.set(k, v);
  return { metadata: m, tensors, fellBack };
}
