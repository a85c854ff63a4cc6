// Mutations for the loader fuzz test: character edits, span deletes and copies, truncation,
// JSON value swaps (weird numbers, types, huge strings) and merges.txt line edits. Seeded.

import { prng } from '../io/helpers.js';

export type Rand = ReturnType<typeof prng>;
export { prng };

const CHARS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '0',
  '9',
  '-',
  'e',
  '.',
  '\\',
  ' ',
  '\n',
  '\r',
  'a',
  'Ġ',
  '\u0000',
  '\ud83d',
  '🙂',
  'é',
  '\t',
  '#',
];
export const WEIRD: unknown[] = [
  0,
  1,
  2,
  3,
  -1,
  1.5,
  1e-300,
  2 ** 21,
  2 ** 31,
  2 ** 53,
  1e20,
  1e308,
  -0,
  '2',
  '',
  'Ġ',
  'gelu_new',
  'gpt2',
  'bpe',
  'char',
  'merges',
  null,
  true,
  false,
  [],
  [0, 1],
  [[1, 2]],
  {},
  { a: 1 },
  'x'.repeat(5000),
  'Ġ'.repeat(300),
  [null],
  ['\ud800'],
];

const spanOf = (text: string, r: Rand): [number, number] => {
  const a = r.int(text.length + 1);
  return [a, Math.min(text.length, a + 1 + r.int(r.next() < 0.8 ? 8 : 200))];
};

/** One text-level edit. */
export function editText(text: string, r: Rand): string {
  const [a, b] = spanOf(text, r);
  switch (r.int(5)) {
    case 0:
      return text.slice(0, a) + r.pick(CHARS) + text.slice(a + 1);
    case 1:
      return text.slice(0, a) + text.slice(b);
    case 2: {
      const c = r.int(text.length + 1);
      return text.slice(0, c) + text.slice(a, b) + text.slice(c);
    }
    case 3:
      return text.slice(0, r.int(text.length + 1));
    default:
      return text.slice(0, a) + r.pick(CHARS) + text.slice(a);
  }
}

/** One edit of a random value inside the JSON document (or the text if it is not JSON). */
export function editJson(text: string, r: Rand): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return editText(text, r);
  }
  const wrap = { root: doc } as Record<string, unknown>;
  // Walk down a random path, then replace, delete or add an entry where we stop.
  let parent: Record<string, unknown> | unknown[] = wrap;
  let key: string | number = 'root';
  for (let depth = 0; depth < 4; depth++) {
    const v: unknown = (parent as Record<string, unknown>)[key as string];
    if (typeof v !== 'object' || v === null || r.next() < 0.25) break;
    const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    if (keys.length === 0) break;
    parent = v as Record<string, unknown>;
    key = r.pick(keys as (string | number)[]);
  }
  const target = parent as Record<string, unknown>;
  const op = r.int(10);
  if (op < 6) target[key as string] = r.pick(WEIRD);
  else if (op < 8 && !Array.isArray(parent)) delete target[key as string];
  else if (Array.isArray(parent)) parent.push(r.pick(WEIRD));
  else
    target[
      r.pick([
        'n_head',
        'n_inner',
        'tie_word_embeddings',
        'activation_function',
        'type',
        'version',
        '<|endoftext|>',
        String(key) + 'x',
      ])
    ] = r.pick(WEIRD);
  const out = JSON.stringify(wrap.root) ?? '';
  // Sometimes repeat a key by text surgery (JSON.stringify cannot), as a hostile file might.
  if (r.next() < 0.05 && out.startsWith('{"'))
    return `{"${out.slice(2, out.indexOf('"', 2))}":0,${out.slice(1)}`;
  return out;
}

/** One edit of merges.txt lines: drop, repeat, swap, corrupt a line, or insert a made-up one. */
export function editLines(text: string, r: Rand): string {
  const lines = text.split('\n');
  const i = r.int(lines.length);
  const j = r.int(lines.length);
  switch (r.int(6)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[j]);
      break;
    case 2:
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    case 3:
      lines[i] = r.pick([
        'a  b',
        'a\tb',
        'a b c',
        ' ',
        'Ġ Ġ\r',
        '#version: 0.2',
        'Ġt he',
        'he Ġt',
        '\ud83d x',
        'x'.repeat(3000) + ' y',
      ]);
      break;
    case 4:
      lines.splice(i, 0, `${r.pick(['Ġ', 'a', 'Ã', 'Ġt', 'zz'])} ${r.pick(['©', 'he', 'Ġ', 'q', ''])}`);
      break;
    default:
      lines.push(...lines.slice(0, r.int(40)));
  }
  return lines.join('\n');
}
