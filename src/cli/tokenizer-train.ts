// `llmfs tokenizer train`: trains a byte-level BPE tokenizer on a text file (or the built-in
// corpus) and saves vocab.json + merges.txt + tokenizer.json. Progress goes to stderr.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { trainBpe } from '../tokenizer/train.js';
import { parsePretokenizer } from '../tokenizer/pretokenize.js';
import { utf8Encode } from '../tokenizer/bytes.js';
import { checkOutputDir, saveTokenizer, type SaveFormat } from '../io/tokenizer-files.js';
import { readTextSource, TEXT_ENCODINGS, type TextEncodingName } from '../io/text-data.js';
import { jobProgress } from './progress.js';

const trainSpecs = {
  data: { type: 'string', help: 'UTF-8 text file or folder of .txt files (default: the built-in corpus)' },
  encoding: {
    type: 'string',
    help: 'how --data is read: utf8 refuses binary or invalid UTF-8; utf8-lossy, latin1 read anything',
    default: 'utf8',
    choices: TEXT_ENCODINGS,
  },
  'vocab-size': { type: 'int', help: 'tokens in all: 256 bytes + merges + special tokens', default: 4096 },
  out: { type: 'string', help: 'directory to write vocab.json, merges.txt and tokenizer.json into' },
  pretokenizer: { type: 'string', help: "'gpt2', 'none', or a regular expression", default: 'gpt2' },
  special: { type: 'string', help: "comma-separated special tokens ('' for none)", default: '<|endoftext|>' },
  'max-chars': { type: 'int', help: 'train on only the first N characters of the data' },
  'min-frequency': { type: 'int', help: 'stop when the best pair occurs fewer times', default: 1 },
  format: { type: 'string', help: 'files to write', default: 'both', choices: ['both', 'hf', 'json'] },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE = 'llmfs tokenizer train --out DIR [--data FILE] [--vocab-size N] [options]';

async function train(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs('tokenizer train', argv, trainSpecs);
  if (flags.help) {
    console.log(helpText(USAGE, 'train a byte-level BPE tokenizer and save it', trainSpecs));
    return 0;
  }
  if (flags.out === undefined)
    throw new LlmfsError("tokenizer train: --out DIR is required (see 'tokenizer train --help')");
  if (String(flags.out).trim() === '')
    throw new LlmfsError('tokenizer train: --out is empty; give the directory to write into');
  if (positionals.length > 0)
    throw new LlmfsError(
      `tokenizer train: unexpected argument '${positionals[0]}' (give the text as --data FILE)`,
    );
  // Every flag is checked before the data is read and the merges are learned.
  const maxChars = flags['max-chars'] as number | undefined;
  if (maxChars !== undefined && maxChars < 1)
    throw new LlmfsError(`tokenizer train: --max-chars must be a positive integer, got ${maxChars}`);
  const minFrequency = Number(flags['min-frequency']);
  if (minFrequency < 1)
    throw new LlmfsError(`tokenizer train: --min-frequency must be an integer >= 1, got ${minFrequency}`);
  const specials = String(flags.special)
    .split(',')
    .filter((s) => s !== '');
  const vocabSize = Number(flags['vocab-size']);
  if (vocabSize < 256 + specials.length)
    throw new LlmfsError(
      `tokenizer train: --vocab-size must be at least ${256 + specials.length} (256 bytes + ` +
        `${specials.length} special tokens), got ${vocabSize}`,
    );
  const pretokenizer = parsePretokenizer(String(flags.pretokenizer));
  checkOutputDir(String(flags.out), 'tokenizer train: --out');
  const { text, name: source } = readTextSource(flags.data as string | undefined, maxChars, {
    encoding: flags.encoding as TextEncodingName,
  });
  const mb = (utf8Encode(text).length / 1e6).toFixed(2);
  process.stderr.write(`training on ${mb} MB from ${source}\n`);
  const start = performance.now();
  const mergeProgress = jobProgress('merges');
  const tok = trainBpe(text, {
    vocabSize,
    pretokenizer,
    specialTokens: specials,
    minFrequency,
    onProgress: (p) => {
      if (p.phase === 'merge') mergeProgress(p.done, p.total);
    },
  });
  mergeProgress.end(); // the data may run out of pairs before the last merge
  const secs = ((performance.now() - start) / 1000).toFixed(2);
  const formats: SaveFormat[] = flags.format === 'both' ? ['hf', 'json'] : [flags.format as SaveFormat];
  const written = saveTokenizer(tok, String(flags.out), formats);
  const merges = tok.merges?.length ?? 0;
  console.log(
    `trained ${tok.vocabSize} tokens (256 bytes + ${merges} merges + ${specials.length} special) on ${mb} ` +
      `MB in ${secs} s`,
  );
  if (tok.vocabSize < Number(flags['vocab-size']))
    console.log(`note: the data ran out of pairs to merge before reaching ${flags['vocab-size']} tokens`);
  console.log(`wrote ${written.join(', ')}`);
  return 0;
}

export const tokenizerCommand: Command = {
  summary: 'train a BPE tokenizer: llmfs tokenizer train --data FILE --vocab-size N --out DIR',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'train') return train(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      console.log(`usage: ${USAGE}\n\nsub-commands:\n  train  train a byte-level BPE tokenizer and save it`);
      return 0;
    }
    throw new LlmfsError(`tokenizer: unknown sub-command '${sub}' (the only one is 'train')`);
  },
};
