// A trained model on disk (Node): the checkpoint directory holds model.safetensors (weights by
// parameter name), config.json (the GPT config, tagged with model_type), tokenizer.json, and,
// for runs that can resume, training_state.json (read and checked by training-run.ts). See
// checkpoint-dir.ts for the directory format and its crash safety, and model-files.ts for the
// portable half (the same files in memory, as a browser page reads and writes them).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { tokenizerToJson, tokenizerFromJson } from '../tokenizer/json-format.js';
import { saveCheckpointDir, loadCheckpointDir } from './checkpoint-dir.js';
import { LlmfsError } from '../errors.js';
import { checkpointParts, modelFromParts, TOKENIZER_FILE, TRAINING_STATE_FILE } from './model-files.js';

// The portable half (config.json <-> GPTConfig, files in memory -> model) lives in model-files.ts.
export {
  MODEL_TYPE,
  TOKENIZER_FILE,
  TRAINING_STATE_FILE,
  configToJson,
  configFromJson,
} from './model-files.js';

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
  saveCheckpointDir(dir, { ...checkpointParts(model), extraFiles });
}

export function loadModel(dir: string): SavedModel {
  const ckpt = loadCheckpointDir(dir);
  const model = modelFromParts(ckpt, `checkpoint ${dir}`);
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
