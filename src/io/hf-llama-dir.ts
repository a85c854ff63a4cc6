// Llama-family Hugging Face directories on disk (Node): config.json, model.safetensors or the
// shards of model.safetensors.index.json, generation_config.json. Loading widens F16/BF16 weights
// to float32 (so memory is 4 bytes per parameter whatever the files hold), or quantizes them part by
// part as they are read (`quantize`); saving writes F32, in shards with an index when a shard size
// is given, as save_pretrained does.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import type { GPT } from '../model/gpt.js';
import type { Tensor } from '../tensor/tensor.js';
import { parseJson } from '../tokenizer/json-parse.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { writeSafetensorsFile } from './safetensors-file.js';
import { gptFromHfLlama, gptToHfLlama } from './hf-llama.js';
import type { LlamaFamily } from './hf-llama-config.js';
import { INDEX_FILE, openHfWeights } from './hf-shards.js';
import { checkFiniteWeights } from './weights-check.js';
import type { QuantizeOptions } from '../quant/quantized-linear.js';

export interface HfLlamaDir {
  model: GPT;
  family: LlamaFamily;
  architecture: string;
  /** The dtypes the weight files hold (e.g. ["BF16"]); all are float32 in memory. */
  storedDtypes: string[];
  /** The bytes of tensor data in the files. */
  storedBytes: number;
  /** eos_token_id from generation_config.json or config.json: every id given (Qwen lists two). */
  eosTokenIds: number[];
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(`${path}: ${reason === 'ENOENT' ? 'file not found' : `cannot read (${reason})`}`);
  }
  return parseJson(text, path);
}

/** eos_token_id: a number or a list of them, from the first object that gives one. */
function eosIds(...objs: unknown[]): number[] {
  for (const o of objs) {
    const v = typeof o === 'object' && o !== null ? (o as Record<string, unknown>).eos_token_id : undefined;
    const ids = (Array.isArray(v) ? v : [v]).filter(
      (x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0,
    );
    if (ids.length > 0) return ids;
  }
  return [];
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/**
 * Loads a LlamaForCausalLM / Qwen2 / Qwen3 / Mistral directory's model (the tokenizer is not read
 * here); with `quantize`, quantized while loading (hf-llama.ts).
 */
export function loadHfLlamaDir(dir: string, opts: { quantize?: QuantizeOptions } = {}): HfLlamaDir {
  const cfgPath = join(dir, 'config.json');
  const raw = readJson(cfgPath);
  const weights = openHfWeights(dir);
  let loaded: ReturnType<typeof gptFromHfLlama>;
  try {
    loaded = gptFromHfLlama(raw, weights, cfgPath, opts);
  } finally {
    weights.close();
  }
  // (quantizing checked each tensor as it was read)
  if (!opts.quantize) checkFiniteWeights(loaded.model, weights.files.join(', '));
  const genPath = join(dir, 'generation_config.json');
  const gen = existsSync(genPath) ? readJson(genPath) : null;
  const storedBytes = weights.tensors.reduce(
    (n, t) => n + t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? 0),
    0,
  );
  return {
    model: loaded.model,
    family: loaded.family,
    architecture: loaded.architecture,
    storedDtypes: [...new Set(weights.tensors.map((t) => t.dtype))].sort(),
    storedBytes,
    eosTokenIds: eosIds(gen, raw),
  };
}

export interface SaveHfLlamaOptions {
  /** The layout to write (default: the one the config matches). */
  family?: LlamaFamily;
  /** Split the weights into shards of at most about this many bytes, with an index (0: one file). */
  maxShardBytes?: number;
  eosTokenId?: number;
}

/** Writes `model` as an HF directory of `family`'s layout, F32; returns the paths written. */
export function saveHfLlamaDir(dir: string, model: GPT, opts: SaveHfLlamaOptions = {}): string[] {
  const { config, tensors } = gptToHfLlama(model, opts.family);
  if (opts.eosTokenId !== undefined) config.eos_token_id = opts.eosTokenId;
  try {
    makeDirs(dir, 'export');
  } catch (err) {
    throw new LlmfsError(`export ${dir}: cannot create the directory (${fsReason(err)})`);
  }
  // Shards in layout order (embeddings, layer by layer, final norm, head), as save_pretrained fills them.
  const shards: Record<string, Tensor>[] = [{}];
  let size = 0;
  const limit = opts.maxShardBytes ?? 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = 4 * t.data.length;
    if (limit > 0 && size > 0 && size + bytes > limit) {
      shards.push({});
      size = 0;
    }
    shards[shards.length - 1][name] = t;
    size += bytes;
  }
  const written: string[] = [];
  if (shards.length === 1) {
    written.push(join(dir, 'model.safetensors'));
    writeSafetensorsFile(written[0], tensors, { format: 'pt' });
  } else {
    const n = String(shards.length).padStart(5, '0');
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const file = `model-${String(i + 1).padStart(5, '0')}-of-${n}.safetensors`;
      for (const name of Object.keys(shard)) weightMap[name] = file;
      written.push(join(dir, file));
      writeSafetensorsFile(join(dir, file), shard, { format: 'pt' });
    });
    const total = Object.values(tensors).reduce((a, t) => a + 4 * t.data.length, 0);
    const index = { metadata: { total_size: total }, weight_map: weightMap };
    written.push(join(dir, INDEX_FILE));
    atomicWriteFile(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  }
  written.push(join(dir, 'config.json'));
  atomicWriteFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return written;
}
