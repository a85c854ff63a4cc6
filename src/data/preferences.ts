// Preference pairs for alignment (chapter 12): a prompt with a preferred ("chosen") and a
// dispreferred ("rejected") response, the data of DPO (Rafailov et al., 2023) and of a
// Bradley-Terry reward model (Ouyang et al., 2022). Made by rule from the checkable instruction
// tasks (chosen = the exact answer, rejected = a plausible wrong one) and a polite-vs-curt style
// task. Reading and writing pair files is preference-file.ts.

import type { PreferencePair } from '../train/align/pairs.js';
import { Rng } from '../tensor/rng.js';
import { LlmfsError } from '../errors.js';
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

// Reading and writing pair files (kept importable from here).
export {
  toPreferenceJsonl,
  parsePreferencePairs,
  readPreferencePairs,
  type PairReadOptions,
} from './preference-file.js';
