// A trained model as the files of its checkpoint directory, in memory (portable: no Node imports):
// config.json (the GPT config tagged with model_type), model.safetensors (weights by parameter name)
// and tokenizer.json. The Node loader (model-checkpoint.ts) reads the files from disk and builds the
// model here; a browser page builds it from the bytes of files the user picked, the same way.

import { GPT } from '../model/gpt.js';
import { gptConfig, type GPTConfig, type GPTConfigInput } from '../model/config.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { tokenizerFromJson, tokenizerToJson } from '../tokenizer/json-format.js';
import { LlmfsError } from '../errors.js';
import { checkFiniteWeights } from './weights-check.js';
import { INT_DTYPES, readSafetensorsHeader, intTensorFromBytes, tensorFromBytes } from './safetensors.js';
import { writeSafetensors, type IntTensor } from './safetensors.js';
import {
  applyQuantizedWeights,
  parseQuantizationConfig,
  quantizationConfig,
  quantizedWeights,
  QUANT_KEY,
} from './quant-layout.js';

export const MODEL_TYPE = 'llmfs-gpt';
export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TRAINING_STATE_FILE = 'training_state.json';

/**
 * config.json's object for a GPT config. headDim is written only when it is not nEmbd / nHead (a model
 * whose heads were pruned), and attention and window only for an attention variant, so an ordinary
 * checkpoint's file is unchanged and older readers still load it.
 */
export function configToJson(c: GPTConfig): Record<string, unknown> {
  const {
    headDim,
    attention,
    window,
    qkNorm,
    moeExperts,
    moeTopK,
    moeCapacityFactor,
    moeAuxLossWeight,
    qkvBias,
    ropeScaling,
    ...rest
  } = c;
  // The variants' fields (issue 18) are written only for a variant, so an ordinary file is unchanged.
  const moe = moeExperts > 0 ? { moeExperts, moeTopK, moeCapacityFactor, moeAuxLossWeight } : {};
  return {
    model_type: MODEL_TYPE,
    ...rest,
    ...(headDim * c.nHead !== c.nEmbd ? { headDim } : {}),
    ...(attention === 'linear' ? { attention } : attention !== 'full' ? { attention, window } : {}),
    ...(qkNorm ? { qkNorm } : {}),
    ...moe,
    // Llama-family fields (issue 19), likewise only when they differ from GPT-2's.
    ...(qkvBias !== c.bias ? { qkvBias } : {}),
    ...(ropeScaling ? { ropeScaling } : {}),
  };
}

/** Reads a GPT config from a checkpoint's config.json fields, with clear errors. */
export function configFromJson(raw: Record<string, unknown>, where: string): GPTConfig {
  if (raw.model_type !== MODEL_TYPE) {
    throw new LlmfsError(
      `${where}: model_type is ${JSON.stringify(raw.model_type)}, expected "${MODEL_TYPE}" (for Hugging ` +
        `Face GPT-2 directories use the HF loader)`,
    );
  }
  const { model_type: _ignored, [QUANT_KEY]: _quant, ...fields } = raw;
  try {
    return gptConfig(fields as unknown as GPTConfigInput);
  } catch (err) {
    if (err instanceof LlmfsError) throw new LlmfsError(`${where}: ${err.message}`);
    throw err;
  }
}

/** A checkpoint's contents once read: config.json's object and the tensors of model.safetensors. */
export interface CheckpointParts {
  config: Record<string, unknown>;
  /** Float tensors by parameter name. */
  weights: Record<string, Tensor>;
  /** I8 / U8 tensors (the codes of a quantized model). */
  ints: Record<string, IntTensor>;
}

/**
 * The GPT a checkpoint describes: its config, its weights (float, or quantized codes and scales),
 * checked to be finite. `label` names the checkpoint in errors ("checkpoint DIR").
 */
export function modelFromParts(parts: CheckpointParts, label: string): GPT {
  const where = `${label}: ${CONFIG_FILE}`;
  const model = new GPT(configFromJson(parts.config, where));
  const weightsFile = `${label}: ${WEIGHTS_FILE}`;
  if (parts.config[QUANT_KEY] !== undefined) {
    const qc = parseQuantizationConfig(parts.config[QUANT_KEY], where);
    applyQuantizedWeights(model, qc, parts.weights, parts.ints, weightsFile);
  } else {
    const ints = Object.keys(parts.ints);
    if (ints.length > 0)
      throw new LlmfsError(
        `${weightsFile}: holds integer tensor '${ints[0]}' but ${CONFIG_FILE} has no "${QUANT_KEY}" block`,
      );
  }
  try {
    model.loadStateDict(parts.weights);
  } catch (err) {
    if (err instanceof LlmfsError) throw new LlmfsError(`${weightsFile}: ${err.message}`);
    throw err;
  }
  // NaN or infinite weights (a diverged run saved by another tool) would generate garbage silently.
  checkFiniteWeights(model, weightsFile);
  return model;
}

/** config.json's text parsed to an object, with one clear error. */
export function parseConfigText(text: string, label: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new LlmfsError(
      `${label}: ${CONFIG_FILE}: not valid JSON (${(err as Error).message.slice(0, 120)})`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new LlmfsError(`${label}: ${CONFIG_FILE}: must hold a JSON object`);
  return config as Record<string, unknown>;
}

/** The files of a checkpoint directory as bytes or text (a browser's picked files, a zip's entries). */
export interface ModelFiles {
  /** config.json's text. */
  config?: string;
  /** model.safetensors' bytes. */
  weights?: Uint8Array;
  /** tokenizer.json's text, if the checkpoint has one. */
  tokenizer?: string | null;
}

export interface LoadedModelFiles {
  model: GPT;
  tokenizer: Tokenizer | null;
  /** Whether config.json says the model is quantized (src/quant/). */
  quantized: boolean;
}

/** A model (and its tokenizer) from the files of a checkpoint directory, held in memory. */
export function modelFromFiles(files: ModelFiles, label = 'checkpoint'): LoadedModelFiles {
  if (files.config === undefined) throw new LlmfsError(`${label}: ${CONFIG_FILE}: file not found`);
  if (files.weights === undefined) throw new LlmfsError(`${label}: ${WEIGHTS_FILE}: file not found`);
  const config = parseConfigText(files.config, label);
  const bytes = files.weights;
  const header = readSafetensorsHeader(bytes, `${label}: ${WEIGHTS_FILE}`);
  const weights: Record<string, Tensor> = {};
  const ints: Record<string, IntTensor> = {};
  for (const t of header.tensors) {
    const raw = bytes.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    if (INT_DTYPES.has(t.dtype)) ints[t.name] = intTensorFromBytes(t, raw);
    // A copy, so the model owns its weights whatever happens to the file's bytes.
    else weights[t.name] = tensorFromBytes(t, raw.slice(), `${label}: ${WEIGHTS_FILE}`);
  }
  const model = modelFromParts({ config, weights, ints }, label);
  const tokenizer =
    files.tokenizer === undefined || files.tokenizer === null
      ? null
      : tokenizerFromJson(files.tokenizer, `${label}: ${TOKENIZER_FILE}`);
  return { model, tokenizer, quantized: config[QUANT_KEY] !== undefined };
}

/** What a checkpoint of `model` holds before serialisation: what saveModel writes to disk. */
export function checkpointParts(model: GPT): {
  weights: Record<string, Tensor | IntTensor>;
  config: Record<string, unknown>;
  metadata: Record<string, string>;
} {
  // A quantized model (src/quant/) saves its codes and scales beside the float parameters, and
  // says so in config.json (the layout: quant-layout.ts).
  const quant = quantizationConfig(model);
  return {
    weights: quant ? quantizedWeights(model) : model.stateDict(),
    config: { ...configToJson(model.config), ...(quant ? { [QUANT_KEY]: quant } : {}) },
    metadata: { format: 'pt', model_type: MODEL_TYPE },
  };
}

/**
 * The files of `model`'s checkpoint directory by name, byte for byte what saveModel writes:
 * config.json, model.safetensors and (with a tokenizer) tokenizer.json.
 */
export function modelToFiles(model: GPT, tokenizer: Tokenizer | null = null): Record<string, Uint8Array> {
  const parts = checkpointParts(model);
  const text = new TextEncoder();
  const files: Record<string, Uint8Array> = {
    [CONFIG_FILE]: text.encode(`${JSON.stringify(parts.config, null, 2)}\n`),
    [WEIGHTS_FILE]: writeSafetensors(parts.weights, parts.metadata),
  };
  if (tokenizer) files[TOKENIZER_FILE] = text.encode(tokenizerToJson(tokenizer));
  return files;
}
