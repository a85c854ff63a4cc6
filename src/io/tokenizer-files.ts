// Tokenizers on disk (Node only): a directory with vocab.json + merges.txt (Hugging Face GPT-2
// layout), our tokenizer.json or a Hugging Face tokenizer.json, or a single .json file. Writes are
// atomic (atomic-write.ts): each file is written beside its destination under a temporary name,
// fsynced, then renamed over it.

import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LlmfsError } from '../errors.js';
import { atomicWriteFile, fsReason, makeDirs } from './atomic-write.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import { bpeFromHf, bpeToHf } from '../tokenizer/hf-format.js';
import { FORMAT, tokenizerFromJson, tokenizerToJson } from '../tokenizer/json-format.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { isGpt2Pipeline } from '../tokenizer/hf-json/tokenizer.js';
import { parseJson } from '../tokenizer/json-parse.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmfsError(`tokenizer: cannot read ${path} (${fsReason(err)})`);
  }
}

/** Loads a tokenizer from a .json file or a directory (tokenizer.json, or vocab.json + merges.txt). */
export function loadTokenizer(path: string): Tokenizer {
  if (!existsSync(path)) throw new LlmfsError(`tokenizer: ${path} does not exist`);
  if (statSync(path).isFile()) return tokenizerFromJson(readText(path), path);
  const json = join(path, 'tokenizer.json');
  const vocab = join(path, 'vocab.json');
  const merges = join(path, 'merges.txt');
  const hasHf = existsSync(vocab) && existsSync(merges);
  if (existsSync(json)) {
    const text = readText(json);
    // A Hugging Face tokenizer.json shares the name. Beside vocab.json + merges.txt, GPT-2's own
    // pipeline loads from those (the exact GPT-2 tokenizer); any other (Llama 3, Qwen2) from the json.
    if (text.includes(`"${FORMAT}"`) || !hasHf || !isGpt2Pipeline(parseJson(text, json)))
      return tokenizerFromJson(text, json);
  }
  if (!hasHf)
    throw new LlmfsError(`tokenizer: ${path} has neither tokenizer.json nor vocab.json + merges.txt`);
  return bpeFromHf({ vocabJson: readText(vocab), mergesTxt: readText(merges) }, { vocab, merges });
}

export type SaveFormat = 'hf' | 'json';

/**
 * Checks, before any work is done, that `dir` can be the output directory: an existing directory
 * we may write into, or a path whose nearest existing ancestor is one (so it can be created).
 */
export function checkOutputDir(dir: string, what = 'output'): void {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(at)) break;
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  let isDir: boolean;
  try {
    isDir = statSync(at).isDirectory();
  } catch (err) {
    throw new LlmfsError(`${what} ${dir}: cannot use it (${fsReason(err)})`);
  }
  if (!isDir) {
    throw new LlmfsError(
      at === resolve(dir)
        ? `${what} ${dir}: is a file, not a directory (give a directory to write into)`
        : `${what} ${dir}: cannot be created: ${at} is a file, not a directory`,
    );
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new LlmfsError(`${what} ${dir}: cannot write into ${at} (${fsReason(err)})`);
  }
}

/** Makes `dir` and its missing parents (see makeDirs). */
export function makeDir(dir: string, what = 'output'): void {
  makeDirs(dir, what);
}

/** Saves into directory `dir` (created if needed); returns the paths written. */
export function saveTokenizer(
  tok: Tokenizer,
  dir: string,
  formats: readonly SaveFormat[] = ['hf', 'json'],
): string[] {
  checkOutputDir(dir, 'tokenizer');
  makeDir(dir, 'tokenizer');
  const written: string[] = [];
  if (formats.includes('hf')) {
    if (!(tok instanceof BpeTokenizer))
      throw new LlmfsError('save: vocab.json + merges.txt hold only BPE tokenizers; use the json format');
    const files = bpeToHf(tok);
    atomicWriteFile(join(dir, 'vocab.json'), files.vocabJson);
    atomicWriteFile(join(dir, 'merges.txt'), files.mergesTxt);
    written.push(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
  }
  if (formats.includes('json')) {
    atomicWriteFile(join(dir, 'tokenizer.json'), tokenizerToJson(tok));
    written.push(join(dir, 'tokenizer.json'));
  }
  return written;
}
