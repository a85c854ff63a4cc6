// The edges of the command line (issue 12): the generate command `npm start` prints works as
// printed on a 64-token model, errors come before any output, flags a strategy would ignore and
// ids outside the vocabulary are refused, stray words are refused by every command, -h and
// `llmfs help CMD` work everywhere, and output piped into a reader that stops early (`| head`)
// ends the command quietly. Each failure is exactly one `error: ...` line.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { randomGpt } from '../generate/models.js';
import { commands } from '../../src/cli/commands.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,\n');
let dir = '';
let run = '';
let ckpt = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmfs-edges-'));
  run = join(dir, 'run');
  ckpt = join(run, 'best');
  // a 64-token window, as cpu-small (what `npm start` trains)
  const model = randomGpt(5, { vocabSize: tok.vocabSize, blockSize: 64 });
  saveModel(ckpt, model, { tokenizer: tok });
  saveModel(join(run, 'last'), model, { tokenizer: tok });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function oneErrorLine(r: ReturnType<typeof llmfs>, re: RegExp, what: string): void {
  assert.equal(r.status, 1, `${what}: exit ${r.status}, stdout ${r.stdout}`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout before the error`);
  assert.match(r.stderr, re, what);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
}

test('generate: the command npm start prints works as printed (64 new tokens into a 64-token window)', () => {
  const r = llmfs(
    'generate',
    '--model',
    ckpt,
    '--prompt',
    'The',
    '--strategy',
    'sample',
    '--temperature',
    '0.8',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal([...r.stdout].length, 3 + 64 + 1, 'the prompt, 64 sampled characters and a newline');
  assert.ok(r.stdout.startsWith('The'));
  // --help says what the default does
  assert.match(
    llmfs('generate', '--help').stdout,
    /--overflow <string> .*slide.*nanoGPT.*\(default: slide\)/,
  );
});

test('generate: an error is the only output: the prompt is not echoed before the check', () => {
  oneErrorLine(
    llmfs('generate', '--model', ckpt, '--prompt', 'The', '--overflow', 'error'),
    /^error: generate: a prompt of 3 tokens plus 64 new tokens needs 66 positions, more than the context window of 64/,
    'overflow error',
  );
});

test('generate: flags the strategy would ignore, and an --eos-id outside the vocabulary, are one error line', () => {
  const m = ['--model', ckpt, '--prompt', 'a'];
  const cases: [string[], RegExp][] = [
    [
      ['--strategy', 'greedy', '--temperature', '0.8'],
      /--temperature applies to --strategy sample, not --strategy greedy/,
    ],
    [['--strategy', 'greedy', '--top-k', '5'], /--top-k applies to --strategy sample/],
    [['--strategy', 'beam', '--top-p', '0.9'], /--top-p applies to --strategy sample, not --strategy beam/],
    [
      ['--strategy', 'beam', '--repetition-penalty', '1.2'],
      /--repetition-penalty applies to --strategy greedy or sample/,
    ],
    [['--temperature', '0.8', '--beams', '3'], /--beams applies to --strategy beam, not the sample strategy/],
    [
      ['--num-return-sequences', '2'],
      /--num-return-sequences applies to --strategy beam, not the greedy strategy/,
    ],
    [
      ['--eos-id', String(tok.vocabSize)],
      new RegExp(
        `--eos-id ${tok.vocabSize} is not a token id of this model \\(ids 0\\.\\.${tok.vocabSize - 1}\\)`,
      ),
    ],
    [['--eos-id', '-1'], /--eos-id -1 is not a token id/],
    [['stray'], /^error: generate: unexpected argument 'stray' \(give the text with --prompt/],
  ];
  for (const [args, re] of cases) oneErrorLine(llmfs('generate', ...m, ...args), re, args.join(' '));
  // the same flags with their own strategy are fine
  const ok = llmfs('generate', ...m, '--strategy', 'beam', '--beams', '2', '--max-new-tokens', '3');
  assert.equal(ok.status, 0, ok.stderr);
});

test('generate and model info: a run directory as --model names RUN_DIR/best', () => {
  oneErrorLine(
    llmfs('generate', '--model', run, '--prompt', 'a'),
    new RegExp(
      `^error: generate: .*run is a training run's directory, not a checkpoint: give --model .*run/best \\(or .*run/last`,
    ),
    'generate',
  );
  oneErrorLine(
    llmfs('model', 'info', '--model', run),
    /^error: model info: .*give --model .*run\/best/,
    'model info',
  );
});

test('tokenize: --unk is for --encoding char only (a saved tokenizer keeps its own policy)', () => {
  oneErrorLine(
    llmfs('tokenize', '--unk', '--text', 'hi'),
    /^error: tokenize: --unk applies to --encoding char only: the gpt2 encoding is byte-level/,
    'gpt2',
  );
  const saved = join(dir, 'tok.json');
  writeFileSync(saved, JSON.stringify({}));
  oneErrorLine(
    llmfs('tokenize', '--encoding', saved, '--unk', '--text', 'hi'),
    /a saved tokenizer keeps the unknown-character policy/,
    'saved',
  );
  const char = llmfs(
    'tokenize',
    '--encoding',
    'char',
    '--data',
    join(dir, 'corpus.txt'),
    '--unk',
    '--text',
    'ab~',
  );
  assert.equal(char.status, 1); // (the corpus file does not exist: the flag combination itself is accepted)
  writeFileSync(join(dir, 'corpus.txt'), 'abc');
  const ok = llmfs(
    'tokenize',
    '--encoding',
    'char',
    '--data',
    join(dir, 'corpus.txt'),
    '--unk',
    '--json',
    'ab~',
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).ids.length, 3);
});

test('every command that takes no words refuses a stray one, naming it; tokenize takes them', () => {
  const cases: string[][] = [
    ['eval', '--model', ckpt, 'held-out.txt'],
    ['model', 'info', 'gpt2'],
    ['tokenizer', 'train', 'corpus.txt', '--out', join(dir, 'never')],
    ['info', 'extra'],
    ['train', 'my.txt', '--out', join(dir, 'never')],
  ];
  for (const args of cases) {
    const word = args.find((a) => /\.txt$|^gpt2$|^extra$/.test(a))!;
    const name = args[0] === 'model' || args[0] === 'tokenizer' ? `${args[0]} ${args[1]}` : args[0];
    oneErrorLine(
      llmfs(...args),
      new RegExp(`^error: ${name}: unexpected argument '${word.replace('.', '\\.')}'`),
      args.join(' '),
    );
  }
  // the hint names the flag the word was probably meant for
  assert.match(llmfs('model', 'info', 'gpt2').stderr, /\(did you mean --preset gpt2\?\)/);
  assert.match(llmfs('eval', '--model', ckpt, 'held.txt').stderr, /\(did you mean --data held\.txt\?\)/);
  const t = llmfs('tokenize', 'Hello', 'world');
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^2 tokens for 11 characters/);
});

test('every command takes -h, and `llmfs help CMD` prints the same as `llmfs CMD --help`', () => {
  for (const name of Object.keys(commands)) {
    const long = llmfs(name, '--help');
    const short = llmfs(name, '-h');
    const help = llmfs('help', name);
    assert.equal(long.status, 0, `${name} --help: ${long.stderr}`);
    assert.match(long.stdout, /usage: llmfs/, name);
    assert.equal(short.stdout, long.stdout, `${name} -h`);
    assert.equal(help.stdout, long.stdout, `help ${name}`);
  }
  assert.equal(llmfs('model', 'info', '-h').stdout, llmfs('model', 'info', '--help').stdout);
  assert.equal(llmfs('tokenizer', 'train', '-h').stdout, llmfs('tokenizer', 'train', '--help').stdout);
  assert.match(llmfs('tokenizer', 'train', '-h').stdout, /-h, --help/);
});

test('help text: booleans that default to on show --[no-]NAME, and every help says --no-NAME works', () => {
  const gen = llmfs('generate', '--help').stdout;
  assert.match(gen, /--\[no-\]cache\s/);
  assert.match(gen, /switched off with --no-NAME/);
  const r = llmfs('generate', '--model', ckpt, '--prompt', 'ab', '--max-new-tokens', '3', '--no-cache');
  assert.equal(r.status, 0, r.stderr);
});

/** Runs llmfs with stdout read by a reader that closes after the first chunk, as `| head -c N` does. */
function closedEarly(...args: string[]): Promise<{ code: number | null; stderr: string; chunks: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let chunks = 0;
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', () => {
      chunks++;
      child.stdout.destroy();
    });
    child.on('close', (code) => resolve({ code, stderr, chunks }));
  });
}

test('output piped into a reader that stops early ends quietly (EPIPE): tokenize, generate, model info', async () => {
  const big = join(dir, 'big.txt');
  writeFileSync(big, 'hello world, '.repeat(30000));
  const runs = [
    ['tokenize', '--file', big],
    ['generate', '--model', ckpt, '--prompt', 'The', '--max-new-tokens', '3000', '--show-probs'],
    ['model', 'info', '--preset', 'gpt2-xl'],
  ];
  for (const args of runs) {
    const r = await closedEarly(...args);
    assert.equal(r.chunks, 1, args.join(' '));
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, 0, args.join(' '));
  }
});
