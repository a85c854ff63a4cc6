// `llmfs tokenize`: shows how a tokenizer cuts a text: the token ids and the piece of text each
// stands for. Encodings: gpt2 (built in), char (characters of a corpus), or a saved tokenizer.

import { readFileSync } from 'node:fs';
import type { Command } from './commands.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { gpt2 } from '../tokenizer/gpt2.js';
import { CharTokenizer } from '../tokenizer/char.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { loadTokenizer } from '../io/tokenizer-files.js';
import { defaultCorpus } from '../data/index.js';

const specs = {
  encoding: { type: 'string', help: "gpt2, char, or a tokenizer directory / .json file", default: 'gpt2' },
  text: { type: 'string', help: 'the text to tokenize (or give it as arguments)' },
  file: { type: 'string', help: 'read the text to tokenize from this file' },
  json: { type: 'boolean', help: 'print {"ids": [...], "pieces": [...]} as JSON' },
  'allow-special': { type: 'boolean', help: 'recognise special tokens such as <|endoftext|> in the text' },
  data: { type: 'string', help: 'corpus for --encoding char (default: the built-in corpus)' },
  unk: { type: 'boolean', help: 'char: map unknown characters to <unk> instead of failing' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

/** Reads a UTF-8 text file for the CLI, with one clear error if it cannot. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmfsError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Resolves --encoding: the built-in gpt2, a char vocabulary from a corpus, or a saved tokenizer. */
export async function resolveEncoding(name: string, opts: { data?: string; unk?: boolean } = {}): Promise<Tokenizer> {
  if (name === 'gpt2') return gpt2();
  if (name === 'char') {
    const corpus = opts.data !== undefined ? readTextFile(opts.data) : defaultCorpus();
    return CharTokenizer.fromCorpus(corpus, opts.unk ? 'unk' : 'error');
  }
  return loadTokenizer(name);
}

export const tokenizeCommand: Command = {
  summary: 'encode a text and print its token ids and pieces',
  async run(argv) {
    const { flags, positionals } = parseArgs('tokenize', argv, specs);
    if (flags.help) {
      console.log(helpText('llmfs tokenize [--encoding gpt2|char|PATH] (--text TEXT | --file FILE | TEXT...)', tokenizeCommand.summary, specs));
      return 0;
    }
    let text: string;
    if (flags.text !== undefined) text = String(flags.text);
    else if (flags.file !== undefined) text = readTextFile(String(flags.file));
    else if (positionals.length > 0) text = positionals.join(' ');
    else throw new LlmfsError("tokenize: give the text with --text \"...\", --file FILE, or as arguments (see 'tokenize --help')");
    const encoding = String(flags.encoding);
    const tok = await resolveEncoding(encoding, { data: flags.data as string | undefined, unk: flags.unk === true });
    const ids = tok.encode(text, flags['allow-special'] ? { allowedSpecial: 'all' } : {});
    const pieces = ids.map((id) => tok.piece(id));
    if (flags.json) {
      console.log(JSON.stringify({ encoding, vocabSize: tok.vocabSize, ids, pieces }));
      return 0;
    }
    console.log(`${ids.length} tokens for ${[...text].length} characters (${encoding}, vocabulary ${tok.vocabSize})`);
    const width = Math.max(2, ...ids.map((id) => String(id).length));
    ids.forEach((id, i) => console.log(`  ${String(id).padStart(width)}  ${JSON.stringify(pieces[i])}`));
    return 0;
  },
};
