// Preference pairs: the bundled files are what scripts/make-preferences.ts makes, every chosen
// response is the exact answer (checked here by an independent solver), every rejected one is a
// wrong answer of the kind its rule names, held-out prompts are never trained on, and the reader
// takes JSONL and rasbt's JSON array and turns each kind of bad input into one line naming the line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';
import {
  makeInstructionSet,
  readInstructions,
  TASKS,
  type TaskExample,
} from '../../src/data/instructions.js';
import {
  CURT_REPLIES,
  POLITE_INSTRUCTION,
  POLITE_REPLIES,
  WRONG_ANSWERS,
  makeBundledPreferences,
  makePolitePairs,
  makePreferencePairs,
  parsePreferencePairs,
  readPreferencePairs,
  toPreferenceJsonl,
  wrongAnswer,
  type PreferencePair,
} from '../../src/data/preferences.js';

const TRAIN = 'data/preferences/train.jsonl';
const HELD = 'data/preferences/heldout.jsonl';
const trainPairs = readPreferencePairs(TRAIN);
const heldPairs = readPreferencePairs(HELD);

/** The right answer to a task, solved here without the generator's code. */
function solve(task: string, input: string, instruction: string): string {
  switch (task) {
    case 'reverse':
      return input.split('').reverse().join('');
    case 'upper':
      return input.toUpperCase();
    case 'sort':
      return input.split('').sort().join('');
    case 'count':
      return String(input.split(/\s+/).length);
    case 'arithmetic': {
      const [a, op, b] = input.split(' ');
      return String(op === '+' ? Number(a) + Number(b) : Number(a) - Number(b));
    }
    case 'convert': {
      const [v, from] = input.split(' ');
      const k: Record<string, number> = { m: 100, km: 1000, kg: 1000, h: 60, min: 60, L: 1000 };
      return `${Number(v) * k[from]} ${instruction.replace(/^Convert to (.*)\.$/, '$1')}`;
    }
  }
  throw new Error(`no solver for ${task}`);
}
/** The polite-reply kind of a request, read from its words. */
const requestKind = (r: string): 'do' | 'give' | 'tell' =>
  /tell me/i.test(r) ? 'tell' : /(pass|hand|bring|give) me/i.test(r) ? 'give' : 'do';
const promptKey = (p: { instruction?: string; input?: string }): string => `${p.instruction}\u0000${p.input}`;
const tally = (ps: PreferencePair[]): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const p of ps) n[p.task!] = (n[p.task!] ?? 0) + 1;
  return n;
};

test('bundled data/preferences: exactly what scripts/make-preferences.ts makes (seed 15)', () => {
  const made = makeBundledPreferences(
    readInstructions('data/instructions/train.json'),
    readInstructions('data/instructions/heldout.json'),
    15,
  );
  assert.equal(readFileSync(TRAIN, 'utf8'), toPreferenceJsonl(made.train));
  assert.equal(readFileSync(HELD, 'utf8'), toPreferenceJsonl(made.heldOut));
  assert.deepEqual(tally(trainPairs), {
    reverse: 550,
    upper: 550,
    sort: 550,
    count: 550,
    arithmetic: 550,
    convert: 544,
    polite: 300,
  });
  const held = tally(heldPairs);
  for (const task of [...TASKS, 'polite']) assert.equal(held[task], 50, task);
  assert.equal(heldPairs.length, 350);
  // The training pairs are shuffled: the first 100 already hold every task.
  assert.equal(Object.keys(tally(trainPairs.slice(0, 100))).length, 7);
});

test('bundled pairs: chosen is the exact answer, rejected a non-empty wrong one, for every pair', () => {
  const answers = new Map<string, string>();
  for (const f of ['train', 'heldout'])
    for (const e of readInstructions(`data/instructions/${f}.json`)) answers.set(promptKey(e), e.output);
  for (const p of [...trainPairs, ...heldPairs]) {
    const where = `${p.task}: ${p.input}`;
    assert.ok(p.rejected.trim() !== '' && p.rejected !== p.chosen, where);
    if (p.task === 'polite') {
      assert.equal(p.instruction, POLITE_INSTRUCTION);
      assert.ok(POLITE_REPLIES[requestKind(p.input!)].includes(p.chosen), where);
      assert.ok(CURT_REPLIES.includes(p.rejected), where);
    } else {
      const right = solve(p.task!, p.input!, p.instruction!);
      assert.equal(p.chosen, right, where);
      assert.equal(p.chosen, answers.get(promptKey(p)), where);
      assert.notEqual(p.rejected, right, where);
    }
  }
});

test('bundled pairs: no held-out prompt is a training prompt; no held-out request action is trained on', () => {
  const seen = new Set(trainPairs.map(promptKey));
  assert.ok(heldPairs.every((p) => !seen.has(promptKey(p))));
  // The polite requests are held out by action: no form of a held-out action is in training.
  const action = (r: string): string =>
    r
      .toLowerCase()
      .replace(/^(can you|could you|would you|please) /, '')
      .replace(/(, please)?[?.]$/, '');
  const trained = new Set(trainPairs.filter((p) => p.task === 'polite').map((p) => action(p.input!)));
  const held = heldPairs.filter((p) => p.task === 'polite').map((p) => action(p.input!));
  assert.equal(new Set(held).size, 10);
  assert.ok(held.every((a) => !trained.has(a)));
  // Every kind of request is held out.
  assert.deepEqual(new Set(held.map(requestKind)), new Set(['do', 'give', 'tell']));
});

/** Positions where two equal-length strings differ. */
const diffs = (a: string, b: string): number[] => [...a].flatMap((c, i) => (c !== b[i] ? [i] : []));
const isDropOf = (short: string, long: string): boolean =>
  short.length === long.length - 1 &&
  [...long].some((_, i) => long.slice(0, i) + long.slice(i + 1) === short);

/** Checks that `text` is the kind of wrong answer `kind` names, independently of the rules. */
function isKind(task: string, kind: string, ex: TaskExample, text: string): boolean {
  const input = ex.input ?? '';
  const right = ex.output;
  const swapped = (): boolean => {
    const d = diffs(text, right);
    return text.length === right.length && d.length === 2 && d[1] === d[0] + 1;
  };
  const words = input.split(' ');
  const [n, unit] = right.split(' ');
  const [m, unit2] = text.split(' ');
  const checks: Record<string, () => boolean> = {
    'reverse/unchanged': () => text === input,
    'reverse/two letters swapped': swapped,
    'reverse/a letter dropped': () => isDropOf(text, right),
    'upper/lower case': () => text === input.toLowerCase(),
    'upper/first word only': () => text === [words[0].toUpperCase(), ...words.slice(1)].join(' '),
    'upper/title case': () => text === words.map((w) => w[0].toUpperCase() + w.slice(1)).join(' '),
    'sort/unchanged': () => text === input,
    'sort/descending': () => text === [...input].sort().reverse().join(''),
    'sort/a pair out of order': swapped,
    'count/off by one': () => Math.abs(Number(text) - Number(right)) === 1 && Number(text) >= 1,
    'arithmetic/off by 1 to 3': () => {
      const d = Math.abs(Number(text) - Number(right));
      return d >= 1 && d <= 3 && Number(text) >= 0;
    },
    'arithmetic/the other operation': () => {
      const [a, op, b] = input.split(' ');
      return Number(text) === (op === '+' ? Math.abs(Number(a) - Number(b)) : Number(a) + Number(b));
    },
    'convert/factor off by 10 or 100': () =>
      unit2 === unit && [10, 100, 0.1, 0.01].some((f) => Math.abs(Number(m) - Number(n) * f) < 1e-9),
    'convert/not converted': () => text === input,
    'convert/wrong unit name': () => m === n && unit2 === input.split(' ')[1],
  };
  return checks[`${task}/${kind}`]();
}

test('wrong answers: each is the mistake its kind names, and every kind of every task is drawn', () => {
  const rng = new Rng(3);
  const used = new Set<string>();
  for (const ex of makeInstructionSet(300, 9)) {
    const { kind, text } = wrongAnswer(ex, rng);
    assert.ok(isKind(ex.task, kind, ex, text), `${ex.task}/${kind}: '${ex.input}' -> '${text}'`);
    assert.ok(text !== ex.output && text.trim() !== '');
    used.add(`${ex.task}/${kind}`);
  }
  const all = Object.entries(WRONG_ANSWERS).flatMap(([t, rules]) =>
    Object.keys(rules).map((k) => `${t}/${k}`),
  );
  assert.deepEqual([...used].sort(), all.sort());
});

test('wrong answers: another kind is used when one would give the right answer', () => {
  const ex = (task: string, input: string): TaskExample => ({
    task,
    instruction: '',
    input,
    output: solve(task, input, 'Convert to cm.'),
  });
  const cases = [
    ex('reverse', 'level'), // a palindrome: "unchanged" is right
    ex('reverse', 'aaa'), // nothing to swap either
    ex('sort', 'abc'), // already sorted
    ex('sort', 'aaa'), // sorted, descending and swapped all equal it: a letter is dropped
    ex('upper', 'cat'), // "first word only" is right
    ex('count', 'cat'), // 1: never 0
    ex('arithmetic', '7 + 0'), // the other operation gives 7 too
    ex('arithmetic', '0 - 0'), // never negative
  ];
  for (let seed = 0; seed < 40; seed++) {
    const rng = new Rng(seed);
    for (const c of cases) {
      const { text } = wrongAnswer(c, rng);
      assert.ok(text !== c.output && text !== '', `${c.task} '${c.input}' -> '${text}'`);
      assert.ok(!text.startsWith('-'), 'never negative');
      if (c.task === 'count') assert.equal(text, '2');
    }
  }
  assert.equal(wrongAnswer(cases[3], new Rng(0)).text, 'aa');
  assert.throws(
    () => makePreferencePairs([{ task: 'poem', instruction: 'Write.', output: 'x' }], 0),
    /no rule for a wrong answer to task 'poem' \(known: reverse, upper, sort, count, arithmetic, convert\)/,
  );
});

test('generation is deterministic: the same seed gives the same pairs, another seed other rejected ones', () => {
  const xs = makeInstructionSet(40, 2);
  assert.deepEqual(makePreferencePairs(xs, 5), makePreferencePairs(xs, 5));
  const other = makePreferencePairs(xs, 6);
  assert.ok(other.some((p, i) => p.rejected !== makePreferencePairs(xs, 5)[i].rejected));
  assert.deepEqual(makePolitePairs(1), makePolitePairs(1));
  assert.deepEqual(
    makeBundledPreferences(xs.slice(0, 200), xs.slice(200), 4),
    makeBundledPreferences(xs.slice(0, 200), xs.slice(200), 4),
  );
});

test('reader: JSONL and a JSON array (rasbt format, extra fields ignored) give the same pairs', () => {
  const rasbt = [
    { instruction: 'Reverse the word.', input: 'cat', output: 'tac', rejected: 'cat', chosen: 'tac' },
    { instruction: 'Name a colour.', input: '', output: 'Red.', rejected: 'No.', chosen: 'Red.' },
  ];
  const fromArray = parsePreferencePairs(JSON.stringify(rasbt, null, 4), 'dpo.json');
  const want = rasbt.map(({ instruction, input, chosen, rejected }) => ({
    instruction,
    input,
    chosen,
    rejected,
  }));
  assert.deepEqual(fromArray, want);
  const jsonl = `\n${rasbt.map((r) => JSON.stringify(r)).join('\n\n')}\r\n\n`;
  assert.deepEqual(parsePreferencePairs(jsonl, 'dpo.jsonl'), want);
  // A raw prompt, used verbatim, and a task label; writing and reading back gives the same pairs.
  const raw: PreferencePair[] = [{ prompt: 'Q: 2+2?\nA:', chosen: ' 4', rejected: ' 5', task: 'sum' }];
  assert.deepEqual(parsePreferencePairs(toPreferenceJsonl(raw), 'p.jsonl'), raw);
  assert.deepEqual(parsePreferencePairs(`  ${JSON.stringify(raw)}`, 'p.json'), raw);
  assert.equal(toPreferenceJsonl(heldPairs), readFileSync(HELD, 'utf8'));
});

/** Asserts that parsing `text` fails with one LlmfsError line equal to `message`. */
function rejects(text: string, file: string, message: string): void {
  assert.throws(
    () => parsePreferencePairs(text, file),
    (err: unknown) => {
      assert.ok(err instanceof LlmfsError);
      assert.equal(err.message, message);
      return true;
    },
  );
}
const ok = '{"instruction":"Reverse.","input":"ab","chosen":"ba","rejected":"ab"}';

// One test per kind of bad input, each asserting the whole message.
const BAD: [string, string, string, string][] = [
  [
    'JSONL: a line that is not JSON',
    `${ok}\nchosen`,
    'p.jsonl',
    "p.jsonl:2:1: invalid JSON (JSONL: one object per line): Unexpected token 'c'",
  ],
  [
    'JSONL: a trailing comma',
    `${ok}\n{"chosen": "a",}`,
    'p.jsonl',
    'p.jsonl:2:16: invalid JSON (JSONL: one object per line): Expected double-quoted property name',
  ],
  [
    'JSONL: a line that is an array',
    `${ok}\n[1]`,
    'p.jsonl',
    'p.jsonl:2: expected an object {prompt or instruction, chosen, rejected}, got an array',
  ],
  [
    'JSONL: a line that is null',
    `${ok}\nnull`,
    'p.jsonl',
    'p.jsonl:2: expected an object {prompt or instruction, chosen, rejected}, got null',
  ],
  [
    'JSON array: an element that is a number',
    `[\n  ${ok},\n\n  3\n]`,
    'p.json',
    'p.json:4: expected an object {prompt or instruction, chosen, rejected}, got number',
  ],
  [
    'no chosen',
    '{"instruction":"a","rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: no 'chosen' field (a pair needs a 'chosen' and a 'rejected' response)",
  ],
  [
    'no rejected',
    `${ok}\n\n{"instruction":"a","chosen":"b"}`,
    'p.jsonl',
    "p.jsonl:3: no 'rejected' field (a pair needs a 'chosen' and a 'rejected' response)",
  ],
  [
    'chosen not a string',
    '{"instruction":"a","chosen":2,"rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: 'chosen' must be a string, got number",
  ],
  [
    'rejected not a string',
    '{"instruction":"a","chosen":"b","rejected":["c"]}',
    'p.jsonl',
    "p.jsonl:1: 'rejected' must be a string, got an array",
  ],
  [
    'input not a string',
    '{"instruction":"a","input":null,"chosen":"b","rejected":"c"}',
    'p.jsonl',
    "p.jsonl:1: 'input' must be a string, got null",
  ],
  [
    'neither prompt nor instruction',
    '{"chosen":"a","rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: no prompt: give 'prompt' (raw text) or 'instruction' (and 'input')",
  ],
  [
    'both prompt and instruction',
    '{"prompt":"q","instruction":"a","chosen":"a","rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: both 'prompt' and 'instruction': give one (a raw prompt or an instruction)",
  ],
  [
    'input with a raw prompt',
    '{"prompt":"q","input":"a","chosen":"a","rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: 'input' goes with 'instruction', not with the raw 'prompt'",
  ],
  ['an empty prompt', '{"prompt":"  ","chosen":"a","rejected":"b"}', 'p.jsonl', "p.jsonl:1: empty 'prompt'"],
  [
    'an empty chosen response',
    '{"instruction":"a","chosen":" \\n","rejected":"b"}',
    'p.jsonl',
    "p.jsonl:1: empty 'chosen' response",
  ],
  [
    'an empty rejected response',
    '{"instruction":"a","chosen":"b","rejected":""}',
    'p.jsonl',
    "p.jsonl:1: empty 'rejected' response",
  ],
  [
    'identical responses (after trimming)',
    '{"instruction":"a","chosen":"Yes.","rejected":" Yes.\\n"}',
    'p.jsonl',
    'p.jsonl:1: identical chosen and rejected responses: the pair teaches nothing',
  ],
  [
    'identical responses in a JSON array',
    `[\n  ${ok},\n  {"instruction":"a","chosen":"b","rejected":"b"}\n]`,
    'p.json',
    'p.json:3: identical chosen and rejected responses: the pair teaches nothing',
  ],
  ['an empty file', '', 'p.jsonl', 'p.jsonl: no preference pairs (the file is empty)'],
  ['a file of blank lines', ' \n\r\n', 'p.jsonl', 'p.jsonl: no preference pairs (the file is empty)'],
  ['an empty JSON array', ' []', 'p.json', 'p.json: no preference pairs (an empty JSON array)'],
];
for (const [name, text, file, message] of BAD)
  test(`reader error, ${name}: ${message}`, () => rejects(text, file, message));

test('reader error, a JSON array that is not JSON: file, line and column of the fault', () => {
  assert.throws(
    () => parsePreferencePairs(`[\n  ${ok},\n  {"chosen": "a",}\n]`, 'p.json'),
    /^LlmfsError: p\.json:3:18: invalid JSON: Expected double-quoted property name/,
  );
  assert.throws(() => parsePreferencePairs(`[${ok}`, 'p.json'), /^LlmfsError: p\.json:1:\d+: invalid JSON/);
});

test('reading a file: a missing file or a directory is one clear line; a file reads like its text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-prefs-'));
  const missing = join(dir, 'none.jsonl');
  assert.throws(() => readPreferencePairs(missing), {
    message: `${missing}: cannot read the preference pairs (no such file)`,
  });
  assert.throws(() => readPreferencePairs(dir), {
    message: `${dir}: cannot read the preference pairs (a directory)`,
  });
  const f = join(dir, 'p.jsonl');
  writeFileSync(f, `\uFEFF${ok}\n`);
  assert.deepEqual(readPreferencePairs(f), [
    { instruction: 'Reverse.', input: 'ab', chosen: 'ba', rejected: 'ab' },
  ]);
});
