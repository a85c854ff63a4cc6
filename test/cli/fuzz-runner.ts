// The CLI fuzzer's worker (run by fuzz.test.ts in a child process, so its captured stdout never
// mixes with the test reporter's): builds a sandbox, reads every sub-command's option table from
// its --help, then runs seeded random command lines in-process through main(argv).
// Usage: node --import tsx test/cli/fuzz-runner.ts SEED CASES RESULT.json

import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain, badEnding } from './run-main.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { rng } from '../tokenizer/random.js'; // mulberry32: a failing case replays from its seed

export interface FuzzFailure {
  seed: number;
  index: number;
  argv: string[];
  reason: string;
  stderr: string;
}

interface Option {
  name: string;
  type: 'string' | 'number' | 'int' | 'boolean';
  choices: string[];
}

const ROOT = join(import.meta.dirname, '..', '..');
const HF_TINY = join(ROOT, 'test', 'fixtures', 'hf-gpt2', 'tiny');

/** The sub-commands, as argv prefixes. `start` takes train's options. */
const COMMANDS: string[][] = [
  ['train'],
  ['start'],
  ['generate'],
  ['eval'],
  ['tokenize'],
  ['tokenizer', 'train'],
  ['model', 'info'],
  ['info'],
  ['exercise', 'init'],
  ['exercise', 'list'],
  ['exercise', 'hint'],
  ['exercise', 'solution'],
];

/**
 * Work caps, so no case trains or generates for long: a numeric value above the cap is replaced
 * by the cap (zero, negative and malformed values are kept: they must be refused). Presets are
 * limited to the small ones unless LLMFS_FUZZ_BIG=1 (gpt2-size models take minutes).
 */
const CAPS: Record<string, Record<string, number>> = {
  train: {
    steps: 3,
    'batch-size': 4,
    'grad-accum': 2,
    'eval-batches': 2,
    'block-size': 32,
    'n-layer': 2,
    'n-head': 4,
    'n-kv-head': 4,
    'n-embd': 32,
    'mlp-hidden': 64,
    'max-chars': 4000,
  },
  generate: { 'max-new-tokens': 12, beams: 3, 'num-return-sequences': 3 },
  eval: { 'batch-size': 4 },
  'tokenizer train': { 'vocab-size': 600, 'max-chars': 4000 },
};
CAPS.start = CAPS.train;
/** Flags always given first (a fuzzed flag later on the line overrides them, within the caps). */
const PREFIX: Record<string, string[]> = {
  train: [
    '--preset',
    'tiny',
    '--steps',
    '2',
    '--eval-interval',
    '1',
    '--eval-batches',
    '1',
    '--max-chars',
    '3000',
  ],
  'tokenizer train': ['--max-chars', '4000', '--vocab-size', '300'],
};
PREFIX.start = PREFIX.train;
const SMALL_PRESETS = ['tiny', 'cpu-small', 'seq2seq-small'];

/** Every option of a command, read from its --help table. */
async function optionTable(cmd: string[]): Promise<Option[]> {
  const help = await runMain([...cmd, '--help']);
  const out: Option[] = [];
  for (const line of help.stdout.split('\n')) {
    const m = /^ {2}--([\w-]+)(?: <(\w+)>)?\s{2,}(.*)$/.exec(line);
    if (!m) continue;
    const choices = /\[([\w|.-]+)\]/.exec(m[3]);
    out.push({
      name: m[1],
      type: (m[2] ?? 'boolean') as Option['type'],
      choices: choices ? choices[1].split('|') : [],
    });
  }
  return out;
}

interface Sandbox {
  dir: string;
  run: string;
  pristine: string;
  paths: string[];
}

function makeSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-fuzz-'));
  const text = 'It was the best of times, it was the worst of times; café, naïve, 🙂.\n'.repeat(40);
  writeFileSync(join(dir, 'text.txt'), text);
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'binary.bin'), readFileSync(process.execPath).subarray(0, 4096));
  writeFileSync(join(dir, 'latin1.txt'), Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b, 0x0a]));
  writeFileSync(join(dir, 'nul.txt'), 'text\u0000with a NUL\n');
  writeFileSync(join(dir, 'hugeline.txt'), 'word '.repeat(4000));
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'folder', 'a.txt'), text.slice(0, 500));
  writeFileSync(join(dir, 'folder', 'b.txt'), 'more text here.\n');
  mkdirSync(join(dir, 'emptyfolder'));
  writeFileSync(join(dir, 'afile'), 'not a directory');
  mkdirSync(join(dir, 'readonly'));
  chmodSync(join(dir, 'readonly'), 0o555);
  writeFileSync(join(dir, 'bad.json'), '{"model_type": ');
  // Every path a case may name is inside the sandbox (a case may train into any of them).
  cpSync(HF_TINY, join(dir, 'hf'), { recursive: true });
  return {
    dir,
    run: join(dir, 'run'),
    pristine: join(dir, '.pristine-run'),
    paths: [
      'text.txt',
      'empty.txt',
      'binary.bin',
      'latin1.txt',
      'nul.txt',
      'hugeline.txt',
      'folder',
      'emptyfolder',
      'missing.txt',
      'missing/dir',
      'afile',
      'afile/under',
      'readonly/x',
      'bad.json',
      'run',
      'run/best',
      'run/last',
      'nanmodel',
      'tok',
      'tok/tokenizer.json',
      'hf',
      '',
      '.',
    ],
  };
}

/** A digest of every file under `dir` (names and bytes), to tell whether a case changed it. */
function snapshot(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      h.update(`missing ${d}\n`);
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      h.update(`${p}\n`);
      if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const INTS = [
  '0',
  '-1',
  '-5',
  '1',
  '2',
  '3',
  '7',
  '64',
  '1e12',
  '99999999999',
  '1.5',
  'abc',
  '',
  'NaN',
  '-0',
];
const NUMBERS = [
  '0',
  '-1',
  '0.5',
  '1e-3',
  '2',
  '0.999',
  '1.0001',
  '1e30',
  '-1e30',
  'Infinity',
  'abc',
  '',
  'NaN',
];
const TEXTS = [
  '',
  'The',
  'a,b',
  '(',
  '[a-',
  '\\n',
  'é🙂',
  '<|endoftext|>',
  'x'.repeat(3000),
  'h.0,wte',
  'zzz',
];
const PATH_FLAGS = new Set(['data', 'file', 'model', 'out', 'init', 'tokenizer', 'encoding']);

function valueFor(cmdKey: string, opt: Option, paths: string[], r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let v: string;
  if (opt.name === 'preset' && process.env.LLMFS_FUZZ_BIG !== '1')
    v = pick([...SMALL_PRESETS.filter((p) => opt.choices.includes(p)), '', 'bogus']);
  else if (opt.choices.length > 0) v = pick([...opt.choices, ...opt.choices, '', 'bogus']);
  else if (opt.type === 'int') v = pick(INTS);
  else if (opt.type === 'number') v = pick(NUMBERS);
  else if (PATH_FLAGS.has(opt.name))
    v = pick([...paths, ...(opt.name === 'tokenizer' || opt.name === 'encoding' ? ['char', 'gpt2'] : [])]);
  else v = pick(TEXTS);
  const cap = CAPS[cmdKey]?.[opt.name];
  if (cap !== undefined && Number(v) > cap) v = String(cap);
  if (cmdKey === 'eval' && opt.name === 'stride' && Number(v) > 0 && Number(v) < 8) v = '8';
  return v;
}

/** One random command line for `cmd` from its option table. */
function makeCase(cmd: string[], table: Option[], paths: string[], r: () => number): string[] {
  const key = cmd.join(' ');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const argv = [...cmd, ...(PREFIX[key] ?? [])];
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n && table.length > 0; i++) {
    const opt = pick(table);
    if (opt.name === 'help') continue; // --help is exit 0 and covered once per command
    if (opt.type === 'boolean') {
      argv.push(pick([`--${opt.name}`, `--no-${opt.name}`, `--${opt.name}=false`, `--${opt.name}=maybe`]));
      continue;
    }
    const v = valueFor(key, opt, paths, r);
    argv.push(...(r() < 0.2 ? [`--${opt.name}=${v}`] : [`--${opt.name}`, v]));
  }
  const extra = r();
  if (extra < 0.08) argv.push('stray');
  else if (extra < 0.14) argv.push(pick(['--bogus', '--bogus=1', '-x', '-h', '--', '--=']));
  else if (extra < 0.18 && table.length > 0) argv.push(`--${pick(table).name.replace(/^help$/, 'data')}`);
  // Generation and evaluation need a model; give one most of the time (a random path otherwise).
  if ((key === 'generate' || key === 'eval') && !argv.includes('--model') && r() < 0.8)
    argv.splice(cmd.length, 0, '--model', pick(['run/best', 'hf', 'run/last', 'nanmodel']));
  if (key === 'tokenizer train' && !argv.some((a) => a.startsWith('--out')) && r() < 0.8)
    argv.splice(cmd.length, 0, '--out', pick(['tok', 'run', 'afile', 'readonly/t', 'newtok']));
  if ((key === 'train' || key === 'start') && r() < 0.6) {
    // Point most trainings at the pre-made run (which a failing case must leave untouched).
    argv.splice(cmd.length, 0, '--out', pick(['run', 'run', 'afile', 'readonly/r', 'afile/r', 'new-run']));
    if (r() < 0.3) argv.push('--resume');
  }
  if ((key === 'train' || key === 'start') && !argv.includes('--data') && r() < 0.7)
    argv.splice(
      cmd.length,
      0,
      '--data',
      pick(['text.txt', 'folder', 'binary.bin', 'latin1.txt', 'hugeline.txt']),
    );
  if (key === 'tokenize' && r() < 0.5) argv.push('--text', pick(TEXTS));
  return argv;
}

/** Runs `cases` seeded cases; `onCase` hears each command line before it runs (to name a hang). */
export async function fuzz(
  seed: number,
  cases: number,
  onCase: (index: number, argv: string[]) => void = () => {},
): Promise<{ failures: FuzzFailure[]; ran: number; ok: number; refused: number; slow: string[] }> {
  const box = makeSandbox();
  const cwd = process.cwd();
  process.chdir(box.dir);
  // Seed the sandbox: a finished run and a saved tokenizer.
  for (const argv of [
    ['train', '--data', 'text.txt', ...PREFIX.train, '--out', 'run', '--quiet'],
    ['tokenizer', 'train', '--data', 'text.txt', '--vocab-size', '280', '--out', 'tok'],
  ]) {
    const r = await runMain(argv);
    if (r.code !== 0) throw new Error(`fuzz setup: ${argv.join(' ')} failed: ${r.stderr}`);
  }
  // A checkpoint whose weights went NaN (as after a diverged run).
  cpSync(join(box.run, 'best'), 'nanmodel', { recursive: true });
  const weights = readSafetensorsFile('nanmodel/model.safetensors').tensors;
  Object.values(weights)[0].data[0] = NaN;
  writeSafetensorsFile('nanmodel/model.safetensors', weights);
  cpSync(box.run, box.pristine, { recursive: true });
  const before = snapshot(box.run);
  const tables = new Map<string, Option[]>();
  for (const cmd of COMMANDS)
    tables.set(cmd.join(' '), await optionTable(cmd.includes('start') ? ['train'] : cmd));
  const failures: FuzzFailure[] = [];
  const slow: string[] = [];
  let ok = 0;
  let refused = 0;
  const r = rng(seed);
  const exit = process.exit;
  try {
    for (let index = 0; index < cases; index++) {
      const cmd = COMMANDS[Math.floor(r() * COMMANDS.length)];
      const argv = makeCase(cmd, tables.get(cmd.join(' '))!, box.paths, r);
      onCase(index, argv);
      process.exit = ((code?: number) => {
        throw new Error(`process.exit(${code}) called inside a command`);
      }) as typeof process.exit;
      const t0 = performance.now();
      const res = await runMain(argv);
      const ms = performance.now() - t0;
      process.exit = exit;
      if (ms > 1000) slow.push(`${Math.round(ms)} ms: ${argv.join(' ').slice(0, 200)}`);
      if (res.code === 0) ok++;
      else refused++;
      const after = snapshot(box.run);
      let reason = badEnding(res);
      if (reason === null && res.code !== 0 && after !== before)
        reason = 'failed, yet modified the run directory it was pointed at';
      if (reason !== null) failures.push({ seed, index, argv, reason, stderr: res.stderr.slice(-2000) });
      if (after !== before) {
        rmSync(box.run, { recursive: true, force: true });
        cpSync(box.pristine, box.run, { recursive: true });
      }
    }
  } finally {
    process.exit = exit;
    process.chdir(cwd);
    chmodSync(join(box.dir, 'readonly'), 0o755);
    rmSync(box.dir, { recursive: true, force: true });
  }
  return { failures, ran: cases, ok, refused, slow };
}

if (process.argv[1] === import.meta.filename) {
  const [seed, cases, out] = process.argv.slice(2);
  const result = await fuzz(Number(seed), Number(cases), (index, argv) =>
    writeFileSync(`${out}.current`, JSON.stringify({ index, argv })),
  );
  writeFileSync(out, JSON.stringify(result, null, 1));
  process.exit(0);
}
