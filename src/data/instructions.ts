// A generated instruction set whose answers can be checked exactly (chapter 11): six small tasks
// (reverse a word, upper-case a phrase, sort letters, count words, small arithmetic, unit
// conversions), made by a seeded generator so the same seed gives the same set, and a reader for
// Alpaca-format JSON ([{ instruction, input, output }], Taori et al., 2023) with clear errors.

import { readFileSync } from 'node:fs';
import { Rng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { parseJson } from '../tokenizer/json-parse.js';
import type { InstructionExample } from '../train/instruct/template.js';

/** An example of the generated set: Alpaca's fields plus the task it tests. */
export interface TaskExample extends InstructionExample {
  task: string;
}

export const TASKS = ['reverse', 'upper', 'sort', 'count', 'arithmetic', 'convert'] as const;
export type TaskName = (typeof TASKS)[number];

// Short common words (a few letters each, so answers stay a handful of tokens).
const WORDS = (
  'apple bread chair dance eagle flame grape house light money night ocean paper queen river ' +
  'stone table water zebra cloud green happy jolly lemon mouse plant robin smile tiger voice ' +
  'wheat yacht brick candy dream frost ghost honey juice knife lucky maple noble olive pearl ' +
  'quiet radio sugar train urban vivid world young amber blaze coral dusty ember fancy giant ' +
  'cat dog sun moon tree bird fish rain snow star book door road hand milk salt wind fire ' +
  'king lamp rose ship wolf bell coin desk frog goat hill iron kite leaf nest owl pond ring'
).split(' ');

type Maker = (rng: Rng) => { instruction: string; input: string; output: string };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.randint(0, xs.length)];
/** A word of the list, or (half the time) 3 to 5 random letters, so there are thousands of inputs. */
const word = (rng: Rng): string =>
  rng.random() < 0.5
    ? pick(rng, WORDS)
    : Array.from({ length: rng.randint(3, 6) }, () => String.fromCharCode(97 + rng.randint(0, 26))).join('');
const phrase = (rng: Rng, lo: number, hi: number): string =>
  Array.from({ length: rng.randint(lo, hi + 1) }, () => pick(rng, WORDS)).join(' ');

const UNITS: [string, string, number][] = [
  ['m', 'cm', 100],
  ['km', 'm', 1000],
  ['kg', 'g', 1000],
  ['h', 'min', 60],
  ['min', 's', 60],
  ['L', 'mL', 1000],
];

const MAKERS: Record<TaskName, Maker> = {
  reverse: (rng) => {
    const w = word(rng);
    return { instruction: 'Reverse the word.', input: w, output: [...w].reverse().join('') };
  },
  upper: (rng) => {
    const p = phrase(rng, 1, 3);
    return { instruction: 'Write the phrase in upper case.', input: p, output: p.toUpperCase() };
  },
  sort: (rng) => {
    const w = word(rng);
    return {
      instruction: 'Sort the letters in alphabetical order.',
      input: w,
      output: [...w].sort().join(''),
    };
  },
  count: (rng) => {
    const p = phrase(rng, 1, 7);
    return { instruction: 'Count the words.', input: p, output: String(p.split(' ').length) };
  },
  arithmetic: (rng) => {
    const a = rng.randint(0, 50);
    const b = rng.randint(0, 50);
    const op = pick(rng, ['+', '-'] as const);
    const [x, y] = op === '-' && b > a ? [b, a] : [a, b]; // answers are never negative
    return { instruction: 'Compute.', input: `${x} ${op} ${y}`, output: String(op === '+' ? x + y : x - y) };
  },
  convert: (rng) => {
    const [from, to, k] = pick(rng, UNITS);
    const v = rng.randint(1, 100);
    return { instruction: `Convert to ${to}.`, input: `${v} ${from}`, output: `${v * k} ${to}` };
  },
};

/**
 * `perTask` distinct examples of each task (fewer if the task has fewer distinct ones), in a
 * seeded order. Duplicates (same instruction and input) are dropped, so no example is in both
 * the training and the held-out split.
 */
export function makeInstructionSet(perTask: number, seed: number): TaskExample[] {
  const rng = new Rng(seed);
  const out: TaskExample[] = [];
  for (const task of TASKS) {
    const seen = new Set<string>();
    for (let tries = 0; seen.size < perTask && tries < perTask * 50; tries++) {
      const ex = MAKERS[task](rng);
      const key = `${ex.instruction}\u0000${ex.input}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ task, ...ex });
    }
  }
  return out;
}

/** Splits each task's examples: the last `heldOutPerTask` of a seeded shuffle are held out. */
export function splitHeldOut(
  examples: readonly TaskExample[],
  heldOutPerTask: number,
  seed: number,
): { train: TaskExample[]; heldOut: TaskExample[] } {
  const rng = new Rng(seed);
  const train: TaskExample[] = [];
  const heldOut: TaskExample[] = [];
  for (const task of new Set(examples.map((e) => e.task))) {
    const xs = examples.filter((e) => e.task === task);
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rng.randint(0, i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    const cut = Math.max(0, xs.length - heldOutPerTask);
    train.push(...xs.slice(0, cut));
    heldOut.push(...xs.slice(cut));
  }
  // Interleave the tasks in the training split, so any prefix of it has all of them.
  for (let i = train.length - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    [train[i], train[j]] = [train[j], train[i]];
  }
  return { train, heldOut };
}

/**
 * Up to `perTask` examples of each task that are in none of `exclude` (same instruction and input):
 * fresh prompts for reinforcement learning, which must not be the prompts supervised tuning
 * memorised. A task with no unused example left (unit conversions: all 594 are in the bundled
 * splits) contributes none.
 */
export function freshExamples(exclude: readonly TaskExample[], perTask: number, seed: number): TaskExample[] {
  const key = (e: { instruction: string; input?: string }) => `${e.instruction}\u0000${e.input ?? ''}`;
  const used = new Set(exclude.map(key));
  const out: TaskExample[] = [];
  const pool = makeInstructionSet(perTask * 4, seed);
  for (const task of TASKS)
    out.push(...pool.filter((e) => e.task === task && !used.has(key(e))).slice(0, perTask));
  return out;
}

/** Alpaca JSON, one example per line: compact in the repository, readable in a diff. */
export function toAlpacaJson(examples: readonly InstructionExample[]): string {
  return `[\n${examples.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`;
}

/**
 * Reads Alpaca-format JSON: an array of objects with string `instruction` and `output` and an
 * optional string `input` (other fields, such as `task`, are kept). Errors name the example.
 */
export function parseInstructions(text: string, file: string): TaskExample[] {
  const raw = parseJson(text, file);
  if (!Array.isArray(raw))
    throw new LlmfsError(`${file}: expected a JSON array of {instruction, input, output} objects`);
  if (raw.length === 0) throw new LlmfsError(`${file}: the data set is empty (no examples)`);
  return raw.map((r: unknown, i) => {
    const o = r as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new LlmfsError(`${file}: example ${i} is not an object`);
    for (const k of ['instruction', 'output'])
      if (typeof o[k] !== 'string')
        throw new LlmfsError(`${file}: example ${i} has no string '${k}' field (Alpaca format)`);
    if (o.input !== undefined && typeof o.input !== 'string')
      throw new LlmfsError(`${file}: example ${i}: 'input' must be a string`);
    return {
      task: typeof o.task === 'string' ? o.task : 'all',
      instruction: o.instruction as string,
      input: (o.input as string | undefined) ?? '',
      output: o.output as string,
    };
  });
}

export function readInstructions(file: string): TaskExample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LlmfsError(`${file}: cannot read the instruction data (no such file?)`);
  }
  return parseInstructions(text, file);
}
