// A trained model on disk (Node): the checkpoint directory holds model.safetensors (weights by
// parameter name), config.json (the GPT config, tagged with model_type), tokenizer.json, and,
// for runs that can resume, training_state.json (read and checked by training-run.ts). See
// checkpoint-dir.ts for the directory format and its crash safety.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GPT } from '../model/gpt.js';
import { gptConfig, type GPTConfig, type GPTConfigInput } from '../model/config.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { tokenizerToJson, tokenizerFromJson } from '../tokenizer/json-format.js';
import { saveCheckpointDir, loadCheckpointDir, CONFIG_FILE, WEIGHTS_FILE } from './checkpoint-dir.js';
import { checkFiniteWeights } from './weights-check.js';
import { LlmfsError } from '../errors.js';
import {
  applyQuantizedWeights,
  parseQuantizationConfig,
  quantizationConfig,
  quantizedWeights,
  QUANT_KEY,
} from './quant-layout.js';

export const MODEL_TYPE = 'llmfs-gpt';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TRAINING_STATE_FILE = 'training_state.json';

export interface SavedModel {
  model: GPT;
  tokenizer: Tokenizer | null;
  /** The parsed training_state.json, when present. */
  trainingState: Record<string, unknown> | null;
  /** The directory actually read. */
  dir: string;
}

export interface SaveModelOptions {
  tokenizer?: Tokenizer | null;
  trainingState?: object;
  /** Extra files by name, e.g. optimizer.safetensors bytes (training-run.ts). */
  extraFiles?: Record<string, Uint8Array | string>;
}

export function saveModel(dir: string, model: GPT, opts: SaveModelOptions = {}): void {
  const extraFiles: Record<string, Uint8Array | string> = { ...(opts.extraFiles ?? {}) };
  if (opts.tokenizer) extraFiles[TOKENIZER_FILE] = tokenizerToJson(opts.tokenizer);
  if (opts.trainingState)
    extraFiles[TRAINING_STATE_FILE] = `${JSON.stringify(opts.trainingState, null, 2)}\n`;
  // A quantized model (src/quant/) saves its codes and scales beside the float parameters, and
  // says so in config.json (the layout: quant-layout.ts).
  const quant = quantizationConfig(model);
  saveCheckpointDir(dir, {
    weights: quant ? quantizedWeights(model) : model.stateDict(),
    config: { ...configToJson(model.config), ...(quant ? { [QUANT_KEY]: quant } : {}) },
    extraFiles,
    metadata: { format: 'pt', model_type: MODEL_TYPE },
  });
}

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

export function loadModel(dir: string): SavedModel {
  const ckpt = loadCheckpointDir(dir);
  const where = `checkpoint ${dir}: ${CONFIG_FILE}`;
  const model = new GPT(configFromJson(ckpt.config, where));
  const weightsFile = `checkpoint ${dir}: ${WEIGHTS_FILE}`;
  if (ckpt.config[QUANT_KEY] !== undefined) {
    const qc = parseQuantizationConfig(ckpt.config[QUANT_KEY], where);
    applyQuantizedWeights(model, qc, ckpt.weights, ckpt.ints, weightsFile);
  } else {
    const ints = Object.keys(ckpt.ints);
    if (ints.length > 0)
      throw new LlmfsError(
        `${weightsFile}: holds integer tensor '${ints[0]}' but ${CONFIG_FILE} has no "${QUANT_KEY}" block`,
      );
  }
  try {
    model.loadStateDict(ckpt.weights);
  } catch (err) {
    if (err instanceof LlmfsError)
      throw new LlmfsError(`checkpoint ${dir}: model.safetensors: ${err.message}`);
    throw err;
  }
  // NaN or infinite weights (a diverged run saved by another tool) would generate garbage silently.
  checkFiniteWeights(model, join(ckpt.dir, WEIGHTS_FILE));
  const tokPath = join(ckpt.dir, TOKENIZER_FILE);
  const tokenizer = existsSync(tokPath) ? tokenizerFromJson(readFileSync(tokPath, 'utf8'), tokPath) : null;
  const statePath = join(ckpt.dir, TRAINING_STATE_FILE);
  let trainingState: Record<string, unknown> | null = null;
  if (existsSync(statePath)) {
    try {
      trainingState = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new LlmfsError(
        `checkpoint ${dir}: ${TRAINING_STATE_FILE}: not valid JSON (${(err as Error).message.slice(0, 100)})`,
      );
    }
  }
  return { model, tokenizer, trainingState, dir: ckpt.dir };
}
