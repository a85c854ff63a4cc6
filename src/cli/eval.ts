// `llmfs eval --model DIR`: a model's loss, perplexity and bits per byte on a text file (or a
// slice of the built-in corpus). Works on our checkpoints and Hugging Face GPT-2 directories.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { evaluateText, gptLogits } from '../eval/perplexity.js';
import { readTextSource, TEXT_ENCODINGS, type TextEncodingName } from '../io/text-data.js';
import { CharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { jobProgress } from './progress.js';
import { loadFlagSpecs, quantizeOf } from './load-flags.js';

/** Characters of the built-in corpus used when --data is absent: the first 1790s addresses. */
export const DEFAULT_EVAL_CHARS = 10000;

const specs = {
  model: { type: 'string', help: 'model directory (ours, or a Hugging Face GPT-2 download)' },
  adapter: { type: 'string', help: 'a PEFT LoRA adapter directory to apply to the model' },
  ...loadFlagSpecs,
  data: {
    type: 'string',
    help: `UTF-8 file or folder of .txt files (default: ${DEFAULT_EVAL_CHARS} chars of the built-in corpus)`,
  },
  encoding: {
    type: 'string',
    help: 'how --data is read: utf8 refuses binary or invalid UTF-8; utf8-lossy, latin1 read anything',
    default: 'utf8',
    choices: TEXT_ENCODINGS,
  },
  unk: {
    type: 'boolean',
    help: "char models: leave characters outside the model's vocabulary out instead of failing",
  },
  stride: { type: 'int', help: 'overlapping windows advancing by S tokens (default: disjoint windows)' },
  'batch-size': { type: 'int', help: 'windows per forward pass', default: 1 },
  json: { type: 'boolean', help: 'print the results as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const evalCommand: Command = {
  summary: 'loss, perplexity and bits per byte of a model on a text file',
  run(argv) {
    const { flags, positionals } = parseArgs('eval', argv, specs);
    if (flags.help) {
      console.log(
        helpText(
          'llmfs eval --model DIR [--adapter DIR] [--quantize int8|int4] [--data FILE] [--stride S] ' +
            '[--batch-size B] [--unk] [--json]',
          evalCommand.summary,
          specs,
        ),
      );
      return 0;
    }
    if (positionals.length > 0)
      throw new LlmfsError(
        `eval: unexpected argument '${positionals[0]}' (give the model as --model DIR and the text as ` +
          `--data FILE)`,
      );
    if (flags.model === undefined) throw new LlmfsError("eval: --model DIR is required (see 'eval --help')");
    const stride = flags.stride as number | undefined;
    if (stride !== undefined && stride < 1)
      throw new LlmfsError(`eval: --stride must be a positive integer, got ${stride}`);
    const batchSize = flags['batch-size'] as number;
    if (batchSize < 1)
      throw new LlmfsError(`eval: --batch-size must be a positive integer, got ${batchSize}`);
    const dir = String(flags.model);
    const adapter = flags.adapter as string | undefined;
    const { model, tokenizer } = loadPretrained(dir, { adapter, quantize: quantizeOf(flags) });
    mergeAndUnloadLora(model); // an adapter folded into W: the base model's speed and memory
    if (!tokenizer)
      throw new LlmfsError(`eval: ${dir} has no tokenizer (vocab.json + merges.txt or tokenizer.json)`);
    const data = flags.data as string | undefined;
    const source = data === undefined ? `the built-in corpus (first ${DEFAULT_EVAL_CHARS} characters)` : data;
    const read = readTextSource(data, data === undefined ? DEFAULT_EVAL_CHARS : undefined, {
      encoding: flags.encoding as TextEncodingName,
    });
    const { text, skipped } = knownText(read.text, tokenizer, source, flags.unk === true);
    const textBytes = new TextEncoder().encode(read.text).length;
    const start = performance.now();
    const r = evaluateText(gptLogits(model), tokenizer, text, {
      stride,
      batchSize,
      onProgress: jobProgress('windows'),
    });
    const seconds = (performance.now() - start) / 1000;
    if (flags.json) {
      console.log(
        JSON.stringify({ model: dir, data: flags.data ?? null, textBytes, skipped, ...r, seconds }),
      );
      return 0;
    }
    const windows =
      r.stride === r.contextSize
        ? `${r.windows} disjoint windows of ${r.contextSize}`
        : `${r.windows} windows of ${r.contextSize}, stride ${r.stride}`;
    console.log(`data:            ${source}, ${textBytes} bytes`);
    if (skipped > 0)
      console.log(`skipped:         ${skipped} characters outside the model's vocabulary (--unk)`);
    console.log(`tokens:          ${r.tokens} (${r.predicted} predicted, ${windows})`);
    console.log(`loss:            ${r.loss.toFixed(4)} nats/token`);
    console.log(`perplexity:      ${r.perplexity.toFixed(2)}`);
    console.log(
      `bits per byte:   ${r.bitsPerByte.toFixed(4)} (over the ${r.bytes} bytes of the scored tokens)`,
    );
    console.log(`time:            ${seconds.toFixed(1)} s`);
    return 0;
  },
};

/**
 * A char model scores only characters in its vocabulary. Without --unk the first unknown one is
 * an error suggesting --unk; with it, unknown characters are left out of the text (and counted).
 * A tokenizer with its own <unk> token, and byte-level BPE, encode any text: nothing is left out.
 */
function knownText(
  text: string,
  tok: Tokenizer,
  source: string,
  unk: boolean,
): { text: string; skipped: number } {
  if (!(tok instanceof CharTokenizer) || tok.unkId !== undefined) return { text, skipped: 0 };
  const known = new Set(tok.chars);
  let kept = '';
  let skipped = 0;
  let index = 0;
  for (const ch of text) {
    if (known.has(ch)) kept += ch;
    else if (unk) skipped++;
    else {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new LlmfsError(
        `eval: ${source} has the character ${JSON.stringify(ch)} (U+${hex}) at index ${index}, which is ` +
          `not in the model's ${tok.chars.length}-character vocabulary; pass --unk to leave such ` +
          `characters out of the score`,
      );
    }
    index += ch.length;
  }
  return { text: kept, skipped };
}
