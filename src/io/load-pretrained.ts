// Pretrained model directories on disk (Node): our own checkpoints (config.json model_type
// "llmfs-gpt") and Hugging Face GPT-2 directories as published (config.json model_type "gpt2",
// model.safetensors, vocab.json + merges.txt). loadPretrained tells them apart and loads either.

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
import { quantizedModules } from '../quant/quantize-model.js';

export interface Pretrained {
  model: GPT;
  /** The directory's tokenizer, or null if it has none. */
  tokenizer: Tokenizer | null;
  format: 'llmfs' | 'hf-gpt2';
  /** The end-of-text id from config.json / generation_config.json (HF), if given. */
  eosTokenId: number | null;
  dir: string;
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
  return { model, tokenizer, format: 'hf-gpt2', eosTokenId: eosFrom(gen, raw), dir };
}

export interface LoadPretrainedOptions {
  /** A PEFT LoRA adapter directory to apply on top (unmerged, base weights frozen). */
  adapter?: string;
  /**
   * The command will train the model (e.g. 'finetune instruct'): a quantized checkpoint is refused,
   * since its integer weights cannot take gradient steps.
   */
  forTraining?: string;
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
  const p = loadBase(dir);
  if (opts.forTraining !== undefined) refuseQuantized(p, opts.forTraining);
  if (opts.adapter !== undefined) {
    refuseQuantized(p, 'adapter');
    loadPeftAdapter(p.model, opts.adapter);
  }
  return p;
}

function loadBase(dir: string): Pretrained {
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
  throw new LlmfsError(
    `${cfgPath}: model_type is ${JSON.stringify(type) ?? 'missing'}; expected "${MODEL_TYPE}" (ours) or ` +
      `"${HF_MODEL_TYPE}" (Hugging Face GPT-2)`,
  );
}

function fromOurs(dir: string): Pretrained {
  const { model, tokenizer, dir: read } = loadModel(dir); // loadModel refuses non-finite weights
  checkVocab(tokenizer, model, dir);
  const eot = tokenizer instanceof BpeTokenizer ? tokenizer.specialTokens['<|endoftext|>'] : undefined;
  return { model, tokenizer, format: 'llmfs', eosTokenId: eot ?? null, dir: read };
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
