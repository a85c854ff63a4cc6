// Pretrained model directories on disk (Node): our own checkpoints (config.json model_type
// "llmfs-gpt"), Hugging Face GPT-2 directories as published (config.json model_type "gpt2",
// model.safetensors, vocab.json + merges.txt) and Llama-family ones (model_type llama, qwen2,
// qwen3, mistral: hf-llama-dir.ts). loadPretrained tells them apart and loads any of them, and
// quantizes on request (`quantize`): a Llama-family directory part by part while it is read, so
// the float model never exists whole; GPT-2 directories and our checkpoints are loaded, then
// quantized (quantizeModel), which briefly holds the float model.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import type { GPT } from '../model/gpt.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { parseJson } from '../tokenizer/json-parse.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { openSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { gptFromHf, gptToHf, HF_MODEL_TYPE } from './hf-gpt2.js';
import { loadModel, MODEL_TYPE } from './model-checkpoint.js';
import { loadTokenizer, saveTokenizer } from './tokenizer-files.js';
import { checkFiniteWeights } from './weights-check.js';
import { loadPeftAdapter } from './peft-adapter.js';
import { quantizedModules, quantizeModel } from '../quant/quantize-model.js';
import type { QuantizeOptions } from '../quant/quantized-linear.js';
import { loadHfLlamaDir } from './hf-llama-dir.js';
import { HF_LLAMA_FAMILIES, isLlamaFamily, SUPPORTED_ARCHITECTURES } from './hf-llama-config.js';

export interface Pretrained {
  model: GPT;
  /** The directory's tokenizer, or null if it has none. */
  tokenizer: Tokenizer | null;
  format: 'llmfs' | 'hf-gpt2' | 'hf-llama';
  /** The end-of-text id from config.json / generation_config.json (HF), if given. */
  eosTokenId: number | null;
  dir: string;
  /** What the directory holds: 'llmfs GPT', or HF's architecture name (e.g. 'Qwen3ForCausalLM'). */
  family: string;
  /** Every end-of-text id HF gives (generation_config.json may list several, as Qwen's does). */
  eosTokenIds?: number[];
  /** The dtypes the weight files store (HF directories; e.g. ['BF16']): float32 in memory, or quantized. */
  storedDtypes?: string[];
  /** Set when loadPretrained quantized the weights as asked (`quantize`). */
  quantized?: LoadQuantize;
}

/** Quantization on load: int8 (one scale per row) or int4 (symmetric, groups of 32), as `llmfs quantize`. */
export type LoadQuantize = 'int8' | 'int4';
export const LOAD_QUANTIZE: readonly LoadQuantize[] = ['int8', 'int4'];

/** The quantizeModel options `quantize` stands for. */
export function loadQuantizeOptions(q: LoadQuantize): QuantizeOptions {
  return q === 'int8' ? { bits: 8 } : { bits: 4, groupSize: 32 };
}

function readJsonFile(path: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(`${label}: ${reason === 'ENOENT' ? 'file not found' : `cannot read (${reason})`}`);
  }
  return parseJson(text, label);
}

function eosFrom(...objs: unknown[]): number | null {
  for (const o of objs) {
    const v = typeof o === 'object' && o !== null ? (o as Record<string, unknown>).eos_token_id : undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  }
  return null;
}

/** A tokenizer's vocabulary must fit the model's embedding table. */
function checkVocab(tok: Tokenizer | null, model: GPT, dir: string): void {
  if (tok && tok.vocabSize > model.config.vocabSize) {
    throw new LlmfsError(
      `${dir}: the tokenizer has ${tok.vocabSize} tokens but the model's vocab_size is ` +
        `${model.config.vocabSize}`,
    );
  }
}

/**
 * Loads a Hugging Face GPT-2 directory: config.json, model.safetensors, and vocab.json + merges.txt if
 * present.
 */
export function loadHfGpt2(dir: string): Pretrained {
  const cfgPath = join(dir, 'config.json');
  const wPath = join(dir, 'model.safetensors');
  const raw = readJsonFile(cfgPath, cfgPath);
  if (!existsSync(wPath) && existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new LlmfsError(
      `${dir}: has only pytorch_model.bin (a pickle, which we do not read); download model.safetensors ` +
        `instead`,
    );
  }
  const reader = openSafetensorsFile(wPath);
  let model: GPT;
  try {
    model = gptFromHf(raw, reader, { config: cfgPath, weights: wPath });
  } finally {
    reader.close();
  }
  checkFiniteWeights(model, wPath);
  // vocab.json + merges.txt, or the hub's tokenizer.json (the `tokenizers` library's format).
  const hasTok =
    (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) ||
    existsSync(join(dir, 'tokenizer.json'));
  const tokenizer = hasTok ? loadTokenizer(dir) : null;
  checkVocab(tokenizer, model, dir);
  const genPath = join(dir, 'generation_config.json');
  const gen = existsSync(genPath) ? readJsonFile(genPath, genPath) : null;
  const family = 'GPT2LMHeadModel';
  return { model, tokenizer, format: 'hf-gpt2', eosTokenId: eosFrom(gen, raw), dir, family };
}

/**
 * Loads a Llama-family directory (LlamaForCausalLM, Qwen2/Qwen3ForCausalLM, MistralForCausalLM),
 * single-file or sharded, with its tokenizer.json if it has one (else tokenizer: null).
 */
export function loadHfLlama(dir: string, quantize?: LoadQuantize): Pretrained {
  const d = loadHfLlamaDir(dir, quantize ? { quantize: loadQuantizeOptions(quantize) } : {});
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? loadTokenizer(dir) : null;
  checkVocab(tokenizer, d.model, dir);
  return {
    model: d.model,
    tokenizer,
    format: 'hf-llama',
    eosTokenId: d.eosTokenIds[0] ?? null,
    eosTokenIds: d.eosTokenIds,
    dir,
    family: d.architecture,
    storedDtypes: d.storedDtypes,
    ...(quantize ? { quantized: quantize } : {}),
  };
}

export interface LoadPretrainedOptions {
  /** A PEFT LoRA adapter directory to apply on top (unmerged, base weights frozen). */
  adapter?: string;
  /**
   * The command will train the model (e.g. 'finetune instruct'): a quantized checkpoint is refused,
   * since its integer weights cannot take gradient steps.
   */
  forTraining?: string;
  /**
   * Quantize the weights on load (int8 or int4, as `llmfs quantize` without writing a directory);
   * inference only: refused with forTraining or an adapter.
   */
  quantize?: LoadQuantize;
}

/** Training and adapters need float weights: one line that says what to do instead. */
function refuseQuantized(p: Pretrained, what: string): void {
  const mods = quantizedModules(p.model);
  if (mods.length === 0) return;
  const bits = 'q' in mods[0][1].weightQ ? 'int8' : 'int4';
  const needs = what === 'adapter' ? 'a LoRA adapter applies to' : 'training needs';
  throw new LlmfsError(
    `${what}: ${p.dir} is a quantized checkpoint (${bits}); ${needs} float weights: use the float ` +
      'model (and quantize the result with llmfs quantize)',
  );
}

/**
 * Loads our checkpoint or an HF GPT-2 directory, by config.json's model_type; with `adapter`, a
 * PEFT LoRA adapter (io/peft-adapter.ts) is put on the model.
 */
export function loadPretrained(dir: string, opts: LoadPretrainedOptions = {}): Pretrained {
  const q = opts.quantize;
  if (q !== undefined) {
    if (!LOAD_QUANTIZE.includes(q))
      throw new LlmfsError(`--quantize: expected ${LOAD_QUANTIZE.join(' or ')}, got ${JSON.stringify(q)}`);
    if (opts.forTraining !== undefined)
      throw new LlmfsError(
        `${opts.forTraining}: --quantize ${q} is for inference; training needs float weights`,
      );
    if (opts.adapter !== undefined)
      throw new LlmfsError(
        `--quantize ${q} cannot take --adapter: merge the adapter first (llmfs finetune merge), ` +
          'then quantize',
      );
  }
  const p = loadBase(dir, q);
  if (q !== undefined && p.quantized === undefined) {
    // Our checkpoints and GPT-2 directories: load, then quantize (the float model is held briefly).
    const mods = quantizedModules(p.model);
    if (mods.length > 0)
      throw new LlmfsError(
        `--quantize ${q}: ${p.dir} is already quantized (${'q' in mods[0][1].weightQ ? 'int8' : 'int4'}); ` +
          'load it without --quantize',
      );
    quantizeModel(p.model, loadQuantizeOptions(q));
    p.quantized = q;
  }
  if (opts.forTraining !== undefined) refuseQuantized(p, opts.forTraining);
  if (opts.adapter !== undefined) {
    refuseQuantized(p, 'adapter');
    loadPeftAdapter(p.model, opts.adapter);
  }
  return p;
}

function loadBase(dir: string, quantize?: LoadQuantize): Pretrained {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(dir) && existsSync(`${dir}.previous`)) return fromOurs(dir); // a save killed mid-swap
  if (!existsSync(dir)) throw new LlmfsError(`model ${dir}: directory not found`);
  if (!statSync(dir).isDirectory())
    throw new LlmfsError(`model ${dir}: is not a directory (give the directory holding config.json)`);
  if (!existsSync(cfgPath)) {
    // A training run's directory holds its checkpoints in best/ and last/.
    const inside = ['best', 'last'].filter((d) => existsSync(join(dir, d, 'config.json')));
    if (inside.length > 0)
      throw new LlmfsError(
        `model ${dir}: is a training run, not a checkpoint; give ` +
          inside.map((d) => join(dir, d)).join(' or '),
      );
  }
  const raw = readJsonFile(cfgPath, cfgPath);
  const type =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).model_type : undefined;
  if (type === MODEL_TYPE) return fromOurs(dir);
  if (type === HF_MODEL_TYPE) return loadHfGpt2(dir);
  if (isLlamaFamily(type)) return loadHfLlama(dir, quantize);
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const arch = Array.isArray(r.architectures) ? r.architectures.join(', ') : undefined;
  throw new LlmfsError(
    `${cfgPath}: ${arch ? `architecture ${arch}` : `model_type ${JSON.stringify(type) ?? 'missing'}`} ` +
      `is not supported; supported: our checkpoints ("${MODEL_TYPE}") and Hugging Face ` +
      `${SUPPORTED_ARCHITECTURES.join(', ')} (model_type ${HF_MODEL_TYPE}, ` +
      `${Object.keys(HF_LLAMA_FAMILIES).join(', ')})`,
  );
}

function fromOurs(dir: string): Pretrained {
  const { model, tokenizer, dir: read } = loadModel(dir); // loadModel refuses non-finite weights
  checkVocab(tokenizer, model, dir);
  const eot = tokenizer instanceof BpeTokenizer ? tokenizer.specialTokens['<|endoftext|>'] : undefined;
  return { model, tokenizer, format: 'llmfs', eosTokenId: eot ?? null, dir: read, family: 'llmfs GPT' };
}

/** True if `model` has the Llama family's layout (RoPE, RMSNorm, SwiGLU), which GPT-2's cannot hold. */
export function isLlamaLayout(model: GPT): boolean {
  const c = model.config;
  return c.positions === 'rope' && c.norm === 'rmsnorm' && c.mlp === 'swiglu';
}

/**
 * Writes `model` as a Hugging Face GPT-2 directory: config.json, model.safetensors, and
 * vocab.json + merges.txt for a byte-level BPE tokenizer with GPT-2's pre-tokenizer (the only
 * kind GPT2Tokenizer runs). Returns the paths written.
 */
export function saveHfGpt2(dir: string, model: GPT, tokenizer: Tokenizer | null = null): string[] {
  if (tokenizer && !(tokenizer instanceof BpeTokenizer && tokenizer.pretokenizer.type === 'gpt2')) {
    throw new LlmfsError(
      `export ${dir}: Hugging Face's GPT2Tokenizer needs a byte-level BPE tokenizer with the gpt2 ` +
        `pre-tokenizer; this one is ${tokenizer.kind}`,
    );
  }
  checkVocab(tokenizer, model, dir);
  const eos = tokenizer instanceof BpeTokenizer ? tokenizer.specialTokens['<|endoftext|>'] : undefined;
  const { config, tensors } = gptToHf(model, { eosTokenId: eos });
  try {
    makeDirs(dir, 'export');
  } catch (err) {
    throw new LlmfsError(`export ${dir}: cannot create the directory (${fsReason(err)})`);
  }
  const written = [join(dir, 'model.safetensors'), join(dir, 'config.json')];
  writeSafetensorsFile(written[0], tensors, { format: 'pt' });
  atomicWriteFile(written[1], `${JSON.stringify(config, null, 2)}\n`);
  if (tokenizer) written.push(...saveTokenizer(tokenizer, dir, ['hf']));
  return written;
}
