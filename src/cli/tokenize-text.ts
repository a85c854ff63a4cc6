// `llmfs tokenize`: shows how a tokenizer cuts a text: the token ids and the piece of text each
// stands for. Encodings: gpt2 (built in), char (characters of a corpus), or a saved tokenizer.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { runTokenizeBin } from './tokenize-bin.js';
import { readTextSource, resolveTokenizer, TEXT_ENCODINGS, type TextEncodingName } from '../io/text-data.js';

const specs = {
  encoding: {
    type: 'string',
    help: 'gpt2, char, or a tokenizer directory / .json file (ours, or a Hugging Face tokenizer.json)',
    default: 'gpt2',
  },
  text: { type: 'string', help: 'the text to tokenize (or give it as arguments)' },
  file: { type: 'string', help: 'read the text to tokenize from this file' },
  'file-encoding': {
    type: 'string',
    help:
      'how --file and --data are read: utf8 refuses binary or invalid UTF-8; utf8-lossy, latin1 read ' +
      'anything (--encoding names the tokenizer here)',
    default: 'utf8',
    choices: TEXT_ENCODINGS,
  },
  json: { type: 'boolean', help: 'print {"ids": [...], "pieces": [...]} as JSON' },
  'allow-special': { type: 'boolean', help: 'recognise special tokens such as <|endoftext|> in the text' },
  'no-template': {
    type: 'boolean',
    help: "tokenizer.json: leave out the post-processor's tokens (e.g. Llama 3's <|begin_of_text|>)",
  },
  data: { type: 'string', help: 'corpus file or folder for --encoding char (default: the built-in corpus)' },
  unk: {
    type: 'boolean',
    help:
      'char only: map unknown characters to <unk> instead of failing (a saved tokenizer keeps the ' +
      'policy it was saved with)',
  },
  'out-bin': {
    type: 'string',
    help:
      "write nanoGPT's token files train.bin + val.bin + meta.json into DIR (text: --file, or the " +
      'bundled corpus)',
  },
  'val-fraction': { type: 'number', help: '--out-bin: share of the tokens put in val.bin', default: 0.1 },
  'max-chars': { type: 'int', help: '--out-bin: use only the first N characters of the text' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const tokenizeCommand: Command = {
  summary: 'encode a text and print its token ids and pieces',
  async run(argv) {
    const { flags, positionals } = parseArgs('tokenize', argv, specs, { positionals: true });
    if (flags.help) {
      console.log(
        helpText(
          'llmfs tokenize [--encoding gpt2|char|PATH] (--text TEXT | --file FILE | TEXT...) | ' +
            '--out-bin DIR [--file FILE] [--max-chars N] [--val-fraction F]',
          tokenizeCommand.summary,
          specs,
        ),
      );
      return 0;
    }
    if (flags['out-bin'] !== undefined)
      return runTokenizeBin({
        outBin: String(flags['out-bin']),
        encoding: String(flags.encoding),
        ...(flags.file === undefined ? {} : { file: String(flags.file) }),
        fileEncoding: flags['file-encoding'] as TextEncodingName,
        ...(flags['max-chars'] === undefined ? {} : { maxChars: flags['max-chars'] as number }),
        valFraction: flags['val-fraction'] as number,
        ...(flags.data === undefined ? {} : { data: String(flags.data) }),
        unk: flags.unk === true,
      });
    const read = { encoding: flags['file-encoding'] as TextEncodingName, flag: '--file-encoding' };
    let text: string;
    if (flags.text !== undefined) text = String(flags.text);
    else if (flags.file !== undefined) text = readTextSource(String(flags.file), undefined, read).text;
    else if (positionals.length > 0) text = positionals.join(' ');
    else
      throw new LlmfsError(
        'tokenize: give the text with --text "...", --file FILE, or as arguments (see \'tokenize --help\')',
      );
    const encoding = String(flags.encoding);
    if (flags.unk === true && encoding !== 'char') {
      // gpt2 is byte-level (no character is unknown); a saved tokenizer's policy is part of it
      const why =
        encoding === 'gpt2'
          ? 'the gpt2 encoding is byte-level, so no character is unknown'
          : `a saved tokenizer keeps the unknown-character policy it was trained with (${encoding})`;
      throw new LlmfsError(`tokenize: --unk applies to --encoding char only: ${why}`);
    }
    if (flags.data !== undefined && encoding !== 'char')
      throw new LlmfsError(
        `tokenize: --data applies to --encoding char only (it is the corpus whose characters form the ` +
          `vocabulary)`,
      );
    const corpus =
      flags.data === undefined ? undefined : readTextSource(String(flags.data), undefined, read).text;
    const tok = await resolveTokenizer(encoding, corpus, { unk: flags.unk === true });
    const ids = tok.encode(text, {
      ...(flags['allow-special'] ? { allowedSpecial: 'all' } : {}),
      addSpecialTokens: flags['no-template'] !== true,
    });
    const pieces = ids.map((id) => tok.piece(id));
    if (flags.json) {
      console.log(JSON.stringify({ encoding, vocabSize: tok.vocabSize, ids, pieces }));
      return 0;
    }
    console.log(
      `${ids.length} tokens for ${[...text].length} characters (${encoding}, vocabulary ${tok.vocabSize})`,
    );
    const width = Math.max(2, ...ids.map((id) => String(id).length));
    ids.forEach((id, i) => console.log(`  ${String(id).padStart(width)}  ${JSON.stringify(pieces[i])}`));
    return 0;
  },
};
