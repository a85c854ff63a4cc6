// Preference pairs for alignment (chapter 12): a prompt with a preferred ("chosen") and a
// dispreferred ("rejected") response, the data of DPO (Rafailov et al., 2023) and of a
// Bradley-Terry reward model (Ouyang et al., 2022). Made by rule from the checkable instruction
// tasks (chosen = the exact answer, rejected = a plausible wrong one) and a polite-vs-curt style
// task, and read from JSONL or a JSON array (rasbt's DPO file) with one-line errors.

import type { PreferencePair } from '../train/align/pairs.js';
import { readFileSync } from 'node:fs';
import { Rng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
import { fsReason } from '../io/atomic-write.js';
import { jsonErrorOffset, lineCol, parseJson } from '../tokenizer/json-parse.js';
import type { TaskExample } from './instructions.js';

/**
 * A preference pair. The prompt is either `instruction` (with an optional `input`, put through the
 * prompt template, as in rasbt's DPO data) or `prompt`, raw text used verbatim.
 */
export type { PreferencePair };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.randint(0, xs.length)];
const shuffle = <T>(rng: Rng, xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};
/** `s` with two neighbouring, different characters swapped; undefined if all are the same. */
const swapNeighbours = (s: string, rng: Rng): string | undefined => {
  const at = [...s.slice(1)].flatMap((c, i) => (c !== s[i] ? [i] : []));
  if (at.length === 0) return undefined;
  const i = pick(rng, at);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
};
const dropOne = (s: string, rng: Rng): string => {
  const i = rng.randint(0, s.length);
  return s.slice(0, i) + s.slice(i + 1);
};

/** A rule for a wrong answer, from the input and the right answer; undefined when it has none. */
type WrongRule = (input: string, right: string, rng: Rng) => string | undefined;

/**
 * The kinds of plausible wrong answer per task. One kind is drawn; if its answer equals the right
 * one (a palindrome left unchanged, a sorted word, `x + 0`) another kind is used.
 */
export const WRONG_ANSWERS: Record<string, Record<string, WrongRule>> = {
  reverse: {
    unchanged: (w) => w,
    'two letters swapped': (_, r, rng) => swapNeighbours(r, rng),
    'a letter dropped': (_, r, rng) => dropOne(r, rng),
  },
  upper: {
    'lower case': (p) => p.toLowerCase(),
    'first word only': (p) => p.replace(/^\S+/, (w) => w.toUpperCase()),
    'title case': (p) => p.replace(/\S+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  },
  sort: {
    unchanged: (w) => w,
    descending: (_, r) => [...r].reverse().join(''),
    'a pair out of order': (_, r, rng) => swapNeighbours(r, rng),
  },
  count: {
    // Never 0 or negative: a phrase has at least one word.
    'off by one': (_, r, rng) => String(Number(r) + (Number(r) > 1 && rng.random() < 0.5 ? -1 : 1)),
  },
  arithmetic: {
    'off by 1 to 3': (_, r, rng) => {
      const d = rng.randint(1, 4);
      return String(Number(r) - d >= 0 && rng.random() < 0.5 ? Number(r) - d : Number(r) + d);
    },
    // The set's answers are never negative, so the "wrong" difference is taken as positive too.
    'the other operation': (q) => {
      const [x, op, y] = q.split(' ');
      return String(op === '+' ? Math.abs(Number(x) - Number(y)) : Number(x) + Number(y));
    },
  },
  convert: {
    'factor off by 10 or 100': (_, r, rng) => {
      const [n, unit] = r.split(' ');
      const xs = [Number(n) * 10, Number(n) / 10, Number(n) * 100, Number(n) / 100];
      return `${pick(rng, xs.filter(Number.isInteger))} ${unit}`;
    },
    'not converted': (q) => q,
    // The number converted but the unit not renamed: "2160 h" for 36 h in minutes.
    'wrong unit name': (q, r) => `${r.split(' ')[0]} ${q.split(' ')[1]}`,
  },
};

/** A wrong answer to `ex` and the kind of mistake it is; never empty, never the right answer. */
export function wrongAnswer(ex: TaskExample, rng: Rng): { kind: string; text: string } {
  const rules = WRONG_ANSWERS[ex.task];
  if (rules === undefined)
    throw new LlmfsError(
      `preference pairs: no rule for a wrong answer to task '${ex.task}' ` +
        `(known: ${Object.keys(WRONG_ANSWERS).join(', ')})`,
    );
  const input = ex.input ?? '';
  for (const kind of shuffle(rng, Object.keys(rules))) {
    const text = rules[kind](input, ex.output, rng);
    if (text !== undefined && text.trim() !== '' && text.trim() !== ex.output.trim()) return { kind, text };
  }
  // Only a word of one repeated letter ("aaa") gets here, and only when sorting it.
  if (ex.output.length > 1) return { kind: 'a letter dropped', text: ex.output.slice(1) };
  throw new LlmfsError(`preference pairs: no wrong answer to ${ex.task} '${input}'`);
}

/** One pair per example: chosen = its exact output, rejected = a wrong answer drawn by `seed`. */
export function makePreferencePairs(examples: readonly TaskExample[], seed: number): PreferencePair[] {
  const rng = new Rng(seed);
  return examples.map((ex) => ({
    task: ex.task,
    instruction: ex.instruction,
    input: ex.input ?? '',
    chosen: ex.output,
    rejected: wrongAnswer(ex, rng).text,
  }));
}

// The style task: polite vs curt replies to everyday requests. A request is a form ("Can you
// ...?") around an action ("pass me the salt"); its kind picks the polite replies that fit it.
export type RequestKind = 'do' | 'give' | 'tell';
export const POLITE_INSTRUCTION = 'Reply to the request.';
export const POLITE_REPLIES: Record<RequestKind, readonly string[]> = {
  do: ['Of course, happy to help.', 'Sure, I will do it now.', 'Certainly, right away.'],
  give: ['Sure, here you go.', 'Of course, here it is.', 'Certainly, here you are.'],
  tell: ['Of course, let me check.', 'Sure, one moment please.', 'Happy to help, let me see.'],
};
export const CURT_REPLIES = ['No.', 'Do it yourself.', 'Whatever.', 'Not now.', 'Ask someone else.'];
// Each row: a kind, its verbs and its objects (split at '/'), every verb with every object.
const ACTIONS: [RequestKind, string, string][] = [
  ['do', 'open/close', 'the window/the door/the box/the gate/the curtains/the lid/the drawer'],
  ['do', 'turn on/turn off', 'the light/the radio/the fan/the heater/the lamp/the oven/the tap'],
  ['give', 'pass me/hand me/bring me/give me', 'the salt/the bread/a pen/the book/the water/a cup'],
  ['give', 'pass me/hand me/bring me/give me', 'the map/the key'],
  ['tell', 'tell me', 'the time/the date/the way home/your name/the price/the answer/the score'],
  ['tell', 'tell me', 'the news/the weather/the rules'],
];
const FORMS = ['Can you {a}?', 'Could you {a}?', 'Would you {a}, please?', 'Please {a}.', '{a}, please.'];

export interface PoliteRequest {
  request: string;
  kind: RequestKind;
  action: string;
}

/** Every request of the style task (70 actions in 5 forms), in a fixed order. */
export function politeRequests(): PoliteRequest[] {
  const actions = ACTIONS.flatMap(([kind, verbs, objects]) =>
    verbs.split('/').flatMap((v) => objects.split('/').map((o) => ({ kind, action: `${v} ${o}` }))),
  );
  return actions.flatMap(({ kind, action }) =>
    FORMS.map((f) => {
      const text = f.replace('{a}', action);
      return { request: text[0].toUpperCase() + text.slice(1), kind, action };
    }),
  );
}

/**
 * Polite (chosen) vs curt (rejected) pairs, one per request. A seventh of each kind's actions
 * (10 of 70) are held out with all their forms, so no held-out request, nor its action, is trained on.
 */
export function makePolitePairs(seed: number): { train: PreferencePair[]; heldOut: PreferencePair[] } {
  const rng = new Rng(seed);
  const all = politeRequests();
  const held = new Set<string>();
  for (const kind of Object.keys(POLITE_REPLIES)) {
    const actions = shuffle(rng, [...new Set(all.filter((r) => r.kind === kind).map((r) => r.action))]);
    for (const a of actions.slice(0, Math.round(actions.length / 7))) held.add(a);
  }
  const pair = (r: PoliteRequest): PreferencePair => ({
    task: 'polite',
    instruction: POLITE_INSTRUCTION,
    input: r.request,
    chosen: pick(rng, POLITE_REPLIES[r.kind]),
    rejected: pick(rng, CURT_REPLIES),
  });
  return {
    train: all.filter((r) => !held.has(r.action)).map(pair),
    heldOut: all.filter((r) => held.has(r.action)).map(pair),
  };
}

/**
 * The bundled pairs: one per instruction example of each split, plus the polite pairs; the
 * training pairs shuffled so that any prefix has every task.
 */
export function makeBundledPreferences(
  train: readonly TaskExample[],
  heldOut: readonly TaskExample[],
  seed: number,
): { train: PreferencePair[]; heldOut: PreferencePair[] } {
  const polite = makePolitePairs(seed + 2);
  const trainPairs = [...makePreferencePairs(train, seed), ...polite.train];
  return {
    train: shuffle(new Rng(seed + 3), trainPairs),
    heldOut: [...makePreferencePairs(heldOut, seed + 1), ...polite.heldOut],
  };
}

/** JSONL: one pair per line. */
export function toPreferenceJsonl(pairs: readonly PreferencePair[]): string {
  return pairs.map((p) => `${JSON.stringify(p)}\n`).join('');
}

/** 1-based line on which each element of a top-level JSON array starts (for error messages). */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expecting && !' \t\r\n,]'.includes(c)) {
      lines.push(line);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') expecting = ++depth === 1;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return lines;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Checks one parsed pair; `where` is "file:line". */
function checkPair(raw: unknown, where: string, opts: PairReadOptions = {}): PreferencePair | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(
      `${where}: expected an object {prompt or instruction, chosen, rejected}, got ${typeName(raw)}`,
    );
  const o = raw as Record<string, unknown>;
  for (const k of ['chosen', 'rejected'])
    if (o[k] === undefined)
      throw new LlmfsError(`${where}: no '${k}' field (a pair needs a 'chosen' and a 'rejected' response)`);
  for (const k of ['chosen', 'rejected', 'prompt', 'instruction', 'input', 'task'])
    if (o[k] !== undefined && typeof o[k] !== 'string')
      throw new LlmfsError(`${where}: '${k}' must be a string, got ${typeName(o[k])}`);
  const s = o as { [k: string]: string | undefined };
  if (s.prompt === undefined && s.instruction === undefined)
    throw new LlmfsError(`${where}: no prompt: give 'prompt' (raw text) or 'instruction' (and 'input')`);
  if (s.prompt !== undefined && s.instruction !== undefined)
    throw new LlmfsError(
      `${where}: both 'prompt' and 'instruction': give one (a raw prompt or an instruction)`,
    );
  if (s.prompt !== undefined && s.input !== undefined)
    throw new LlmfsError(`${where}: 'input' goes with 'instruction', not with the raw 'prompt'`);
  for (const k of ['prompt', 'instruction', 'chosen', 'rejected'])
    if (s[k] !== undefined && s[k].trim() === '')
      throw new LlmfsError(`${where}: empty '${k}'${k === 'chosen' || k === 'rejected' ? ' response' : ''}`);
  if (s.chosen!.trim() === s.rejected!.trim()) {
    if (opts.skipIdentical) {
      opts.onSkip?.(where);
      return null;
    }
    throw new LlmfsError(`${where}: identical chosen and rejected responses: the pair teaches nothing`);
  }
  // Fields in the order the generator writes them, so reading and writing a file round-trips.
  const pair: Partial<PreferencePair> = {};
  for (const k of ['task', 'prompt', 'instruction', 'input'] as const) if (s[k] !== undefined) pair[k] = s[k];
  return { ...pair, chosen: s.chosen!, rejected: s.rejected! };
}

export interface PairReadOptions {
  /**
   * Drop pairs whose chosen and rejected responses are identical instead of failing (rasbt's DPO
   * file has 6 among its 1,100); `onSkip` is told where each one was.
   */
  skipIdentical?: boolean;
  onSkip?(where: string): void;
}

/**
 * Reads preference pairs from JSONL (one object per line, blank lines skipped) or a JSON array
 * (rasbt's DPO file: instruction, input, chosen, rejected; other fields ignored), told apart by
 * the first non-space character. Every error is one line naming the file and line.
 */
export function parsePreferencePairs(
  text: string,
  file: string,
  opts: PairReadOptions = {},
): PreferencePair[] {
  const body = text.replace(/^\uFEFF/, '');
  const pairs: PreferencePair[] = [];
  const isArray = body.trimStart().startsWith('[');
  if (isArray) {
    const raw = parseJson(body, file) as unknown[];
    const lines = arrayElementLines(body);
    raw.forEach((r, i) => {
      const p = checkPair(r, `${file}:${lines[i]}`, opts);
      if (p) pairs.push(p);
    });
  } else {
    body.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        // V8's reason without its character position (the column says where).
        const reason = (err as Error).message.replace(/,\s*(\.\.\.)?".*$| in JSON at position.*$/s, '');
        const { col } = lineCol(line, Math.max(0, jsonErrorOffset(line)));
        throw new LlmfsError(`${file}:${i + 1}:${col}: invalid JSON (JSONL: one object per line): ${reason}`);
      }
      const p = checkPair(raw, `${file}:${i + 1}`, opts);
      if (p) pairs.push(p);
    });
  }
  if (pairs.length === 0)
    throw new LlmfsError(
      `${file}: no preference pairs (${isArray ? 'an empty JSON array' : 'the file is empty'})`,
    );
  return pairs;
}

/** Reads a preference-pair file (JSONL or a JSON array). */
export function readPreferencePairs(file: string, opts: PairReadOptions = {}): PreferencePair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : fsReason(err);
    throw new LlmfsError(`${file}: cannot read the preference pairs (${why})`);
  }
  return parsePreferencePairs(text, file, opts);
}
