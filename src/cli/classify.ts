// `llmfs classify --model DIR "some text" ["more text" ...]`: the label a fine-tuned classifier
// (from `llmfs finetune classify`) gives each text, with the probability of every label.
// The directory: the GPT body as an ordinary checkpoint (model.safetensors, config.json,
// tokenizer.json: `llmfs generate` still reads it), plus classifier.safetensors (the head:
// score.weight (K, C), score.bias (K)) and classifier.json (the label names in class-id order and
// the padding id), all written atomically together.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { encodeExamples, evalBatches } from '../train/classify/batches.js';
import { predict } from '../train/classify/loop.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '../io/model-checkpoint.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { writeSafetensors, readSafetensors } from '../io/safetensors.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { GPTClassifier } from '../train/classify/head.js';

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

const specs = {
  model: { type: 'string', help: "directory written by 'llmfs finetune classify'" },
  json: { type: 'boolean', help: 'print the predictions as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE = 'llmfs classify --model DIR "text" ["text" ...]';

export const classifyCommand: Command = {
  summary: 'label text with a fine-tuned classifier (llmfs finetune classify), with probabilities',
  run(argv) {
    const { flags, positionals } = parseArgs('classify', argv, specs, { positionals: true });
    if (flags.help) {
      console.log(helpText(USAGE, classifyCommand.summary, specs));
      return 0;
    }
    if (flags.model === undefined) throw new LlmfsError('classify: --model is required (see --help)');
    if (positionals.length === 0)
      throw new LlmfsError('classify: give the text to classify, e.g. "win a prize"');
    const { clf, tokenizer, info } = loadClassifier(flags.model as string);
    const labels = info.labels;
    const rows = positionals.map((text) => ({ text, label: labels[0] }));
    const ex = encodeExamples(rows, tokenizer, labels, clf.gpt.config.blockSize, info.padId);
    const { predicted, probs } = predict(clf, evalBatches(ex, 16, info.padId));
    const out = positionals.map((text, i) => ({
      text,
      label: labels[predicted[i]],
      probs: Object.fromEntries(labels.map((l, k) => [l, probs[i][k]])),
    }));
    if (flags.json) {
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    for (const o of out) {
      const ps = labels.map((l) => `${l} ${(100 * o.probs[l]).toFixed(1)}%`).join(', ');
      const short = o.text.length > 60 ? `${o.text.slice(0, 57)}...` : o.text;
      console.log(`${o.label}\t(${ps})\t${JSON.stringify(short)}`);
    }
    return 0;
  },
};
