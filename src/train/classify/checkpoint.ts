// A fine-tuned classifier on disk (Node): the GPT body as an ordinary checkpoint (model.safetensors,
// config.json, tokenizer.json: `llmfs generate` still reads it), plus classifier.safetensors (the
// head: score.weight (K, C), score.bias (K)) and classifier.json (the label names, in class-id
// order, and the padding id). Written atomically with the rest of the directory.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '../../io/model-checkpoint.js';
import { loadPretrained } from '../../io/load-pretrained.js';
import { writeSafetensors, readSafetensors } from '../../io/safetensors.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import { LlmfsError } from '../../errors.js';
import { GPTClassifier } from './head.js';

export const CLASSIFIER_FILE = 'classifier.json';
export const HEAD_FILE = 'classifier.safetensors';

export interface ClassifierInfo {
  labels: string[];
  padId: number;
  /** How it was trained (mode, epochs, ...), for the reader. */
  trainedWith?: Record<string, unknown>;
}

export function saveClassifier(
  dir: string,
  clf: GPTClassifier,
  tokenizer: Tokenizer,
  info: ClassifierInfo,
): void {
  const head = { 'score.weight': clf.score.weight.detach(), 'score.bias': clf.score.bias!.detach() };
  saveModel(dir, clf.gpt, {
    tokenizer,
    extraFiles: {
      [HEAD_FILE]: writeSafetensors(head, { format: 'pt' }),
      [CLASSIFIER_FILE]: `${JSON.stringify({ ...info, labels: [...clf.labels] }, null, 2)}\n`,
    },
  });
}

export interface LoadedClassifier {
  clf: GPTClassifier;
  tokenizer: Tokenizer;
  info: ClassifierInfo;
}

export function loadClassifier(dir: string): LoadedClassifier {
  const infoPath = join(dir, CLASSIFIER_FILE);
  if (!existsSync(infoPath))
    throw new LlmfsError(
      `classify: ${dir} has no ${CLASSIFIER_FILE}; give a directory written by 'llmfs finetune classify'`,
    );
  let info: ClassifierInfo;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8')) as ClassifierInfo;
  } catch (err) {
    throw new LlmfsError(`${infoPath}: not valid JSON (${(err as Error).message.slice(0, 80)})`);
  }
  if (!Array.isArray(info.labels) || info.labels.some((l) => typeof l !== 'string'))
    throw new LlmfsError(`${infoPath}: 'labels' must be a list of strings`);
  const pre = loadPretrained(dir);
  if (!pre.tokenizer) throw new LlmfsError(`classify: ${dir} has no tokenizer`);
  const clf = new GPTClassifier(pre.model, info.labels);
  const headPath = join(dir, HEAD_FILE);
  if (!existsSync(headPath)) throw new LlmfsError(`classify: ${dir} has no ${HEAD_FILE}`);
  const { tensors } = readSafetensors(new Uint8Array(readFileSync(headPath)), headPath);
  try {
    clf.score.loadStateDict({ weight: tensors['score.weight'], bias: tensors['score.bias'] });
  } catch (err) {
    if (err instanceof LlmfsError) throw new LlmfsError(`${headPath}: ${err.message}`);
    throw err;
  }
  clf.eval();
  return { clf, tokenizer: pre.tokenizer, info };
}
