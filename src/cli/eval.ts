// `llmfs eval --model DIR`: a model's loss, perplexity and bits per byte on a text file (or a
// slice of the built-in corpus). Works on our checkpoints and Hugging Face GPT-2 directories.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { evaluateText, gptLogits } from '../eval/perplexity.js';
import { readTextSource } from '../io/text-data.js';
import { jobProgress } from './progress.js';

/** Characters of the built-in corpus used when --data is absent: the first 1790s addresses. */
export const DEFAULT_EVAL_CHARS = 10000;

const specs = {
  model: { type: 'string', help: 'model directory (ours, or a Hugging Face GPT-2 download)' },
  data: {
    type: 'string',
    help: `UTF-8 file or folder of .txt files (default: ${DEFAULT_EVAL_CHARS} chars of the built-in corpus)`,
  },
  stride: { type: 'int', help: 'overlapping windows advancing by S tokens (default: disjoint windows)' },
  'batch-size': { type: 'int', help: 'windows per forward pass', default: 1 },
  json: { type: 'boolean', help: 'print the results as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const evalCommand: Command = {
  summary: 'loss, perplexity and bits per byte of a model on a text file',
  run(argv) {
    const { flags } = parseArgs('eval', argv, specs);
    if (flags.help) {
      console.log(
        helpText(
          'llmfs eval --model DIR [--data FILE] [--stride S] [--batch-size B] [--json]',
          evalCommand.summary,
          specs,
        ),
      );
      return 0;
    }
    if (flags.model === undefined) throw new LlmfsError("eval: --model DIR is required (see 'eval --help')");
    const dir = String(flags.model);
    const { model, tokenizer } = loadPretrained(dir);
    if (!tokenizer)
      throw new LlmfsError(`eval: ${dir} has no tokenizer (vocab.json + merges.txt or tokenizer.json)`);
    const data = flags.data as string | undefined;
    const source = data === undefined ? `the built-in corpus (first ${DEFAULT_EVAL_CHARS} characters)` : data;
    const { text } = readTextSource(data, data === undefined ? DEFAULT_EVAL_CHARS : undefined);
    const start = performance.now();
    const r = evaluateText(gptLogits(model), tokenizer, text, {
      stride: flags.stride as number | undefined,
      batchSize: flags['batch-size'] as number,
      onProgress: jobProgress('windows'),
    });
    const seconds = (performance.now() - start) / 1000;
    if (flags.json) {
      console.log(JSON.stringify({ model: dir, data: flags.data ?? null, ...r, seconds }));
      return 0;
    }
    const windows =
      r.stride === r.contextSize
        ? `${r.windows} disjoint windows of ${r.contextSize}`
        : `${r.windows} windows of ${r.contextSize}, stride ${r.stride}`;
    console.log(`data:            ${source}, ${r.bytes} bytes`);
    console.log(`tokens:          ${r.tokens} (${r.predicted} predicted, ${windows})`);
    console.log(`loss:            ${r.loss.toFixed(4)} nats/token`);
    console.log(`perplexity:      ${r.perplexity.toFixed(2)}`);
    console.log(`bits per byte:   ${r.bitsPerByte.toFixed(4)}`);
    console.log(`time:            ${seconds.toFixed(1)} s`);
    return 0;
  },
};
