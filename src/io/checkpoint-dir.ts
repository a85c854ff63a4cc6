// Checkpoint directories (Node): model.safetensors (weights), config.json (the model config) and
// any extra files. A save builds the whole new directory beside the old one and swaps it in with
// renames, so a run killed at any instant leaves a complete checkpoint (old or new) to load.

import {
  existsSync,
  linkSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LlmfsError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { atomicWriteFile, fsReason, fsyncDir, makeDirs } from './atomic-write.js';
import { openSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { INT_DTYPES, type IntTensor } from './safetensors.js';
import { CONFIG_FILE, parseConfigText, WEIGHTS_FILE } from './model-files.js';

export { atomicWriteFile, type FileContent } from './atomic-write.js';

export { WEIGHTS_FILE, CONFIG_FILE } from './model-files.js';

export interface CheckpointContents {
  /** Float tensors, and integer ones (I8/U8: the codes of a quantized model). */
  weights: Record<string, Tensor | IntTensor>;
  /** The model config, written as config.json. */
  config: object;
  /** Other files by name (e.g. tokenizer.json, training_state), written beside the weights. */
  extraFiles?: Record<string, Uint8Array | string>;
  /** String metadata stored in the safetensors header. */
  metadata?: Record<string, string>;
}

export interface LoadedCheckpoint {
  weights: Record<string, Tensor>;
  /** I8 / U8 tensors (quantization codes), kept as integers. */
  ints: Record<string, IntTensor>;
  config: Record<string, unknown>;
  metadata: Record<string, string>;
  /** The directory actually read (the previous one, if a save was killed mid-swap). */
  dir: string;
  /** Every file in that directory, sorted. */
  files: string[];
}

/** The two sibling directories a save uses: the new one being built, and the old one during the swap. */
function siblings(dir: string): { target: string; staging: string; previous: string } {
  const target = resolve(dir);
  return { target, staging: `${target}.saving`, previous: `${target}.previous` };
}

/**
 * Saves a checkpoint to `dir`. Steps, each leaving a loadable checkpoint behind if killed:
 *   1. write every file into `<dir>.saving` (config.json last), each fsynced;
 *   2. rename `<dir>` to `<dir>.previous`;      (killed here: loadCheckpointDir reads .previous)
 *   3. rename `<dir>.saving` to `<dir>`;
 *   4. delete `<dir>.previous`.
 * Files already in `<dir>` that this save does not write are carried over (hard-linked) into the
 * new directory, so nothing the save was not asked to touch is lost. Saves to one directory must
 * not run concurrently.
 */
export function saveCheckpointDir(dir: string, ckpt: CheckpointContents): void {
  const label = `checkpoint ${dir}`;
  const { target, staging, previous } = siblings(dir);
  const extras = Object.entries(ckpt.extraFiles ?? {});
  for (const [name] of extras) {
    if (
      name === '' ||
      name === '.' ||
      name === '..' ||
      /[/\\]/.test(name) ||
      name === WEIGHTS_FILE ||
      name === CONFIG_FILE ||
      name.endsWith('.tmp')
    ) {
      throw new LlmfsError(
        `${label}: extra file name ${JSON.stringify(name)} is not allowed (plain file names only, not ` +
          `${WEIGHTS_FILE} or ${CONFIG_FILE})`,
      );
    }
  }
  try {
    makeDirs(dirname(target), 'checkpoint');
    // Finish or undo a save that was killed earlier.
    if (!existsSync(target) && existsSync(previous)) renameSync(previous, target);
    rmSync(previous, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });

    const written = new Set([WEIGHTS_FILE, CONFIG_FILE, ...extras.map(([n]) => n)]);
    const carried: string[] = [];
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new LlmfsError(`${label}: exists and is not a directory`);
      for (const entry of readdirSync(target, { withFileTypes: true })) {
        if (written.has(entry.name) || (entry.name.startsWith('.') && entry.name.endsWith('.tmp'))) continue;
        if (!entry.isFile())
          throw new LlmfsError(
            `${label}: holds ${JSON.stringify(entry.name)}, which is not a plain file; a checkpoint ` +
              `directory holds only files`,
          );
        carried.push(entry.name);
      }
    }

    mkdirSync(staging);
    writeSafetensorsFile(join(staging, WEIGHTS_FILE), ckpt.weights, ckpt.metadata);
    for (const [name, content] of extras) atomicWriteFile(join(staging, name), content);
    for (const name of carried) {
      try {
        linkSync(join(target, name), join(staging, name));
      } catch {
        copyFileSync(join(target, name), join(staging, name));
      }
    }
    atomicWriteFile(join(staging, CONFIG_FILE), `${JSON.stringify(ckpt.config, null, 2)}\n`);
    fsyncDir(staging);

    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
    fsyncDir(dirname(target));
    rmSync(previous, { recursive: true, force: true });
  } catch (err) {
    // Give the half-written copy's space back; the last complete checkpoint is untouched (or in
    // <dir>.previous, which loadCheckpointDir reads).
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // Nothing more can be done here; the next save clears it.
    }
    if (err instanceof LlmfsError) throw err;
    throw new LlmfsError(`${label}: cannot save (${fsReason(err)})`);
  }
}

/** Loads weights, config and metadata from a checkpoint directory, with one clear error per fault. */
export function loadCheckpointDir(dir: string): LoadedCheckpoint {
  const label = `checkpoint ${dir}`;
  const { target, previous } = siblings(dir);
  // A save killed between its two renames leaves only `<dir>.previous`: the last complete one.
  const from = !existsSync(target) && existsSync(previous) ? previous : target;
  if (!existsSync(from)) throw new LlmfsError(`${label}: directory not found`);
  if (!statSync(from).isDirectory()) throw new LlmfsError(`${label}: is not a directory`);

  const reader = openSafetensorsFile(join(from, WEIGHTS_FILE), `${label}: ${WEIGHTS_FILE}`);
  const tensors: Record<string, Tensor> = {};
  const ints: Record<string, IntTensor> = {};
  const metadata = reader.metadata;
  try {
    for (const t of reader.tensors) {
      if (INT_DTYPES.has(t.dtype)) ints[t.name] = reader.readInts(t.name);
      else tensors[t.name] = reader.read(t.name);
    }
  } finally {
    reader.close();
  }
  let text: string;
  try {
    text = readFileSync(join(from, CONFIG_FILE), 'utf8');
  } catch (err) {
    const reason = fsReason(err);
    throw new LlmfsError(
      `${label}: ${CONFIG_FILE}: ${reason === 'ENOENT' ? 'file not found' : `cannot read (${reason})`}`,
    );
  }
  const config = parseConfigText(text, label);
  const files = readdirSync(from).sort();
  return { weights: tensors, ints, config, metadata, dir: from, files };
}
