// `llmfs classify --model DIR "some text" ["more text" ...]`: the label a fine-tuned classifier
// (from `llmfs finetune classify`) gives each text, with the probability of every label.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadClassifier } from '../train/classify/checkpoint.js';
import { encodeExamples, evalBatches } from '../train/classify/batches.js';
import { predict } from '../train/classify/loop.js';

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
