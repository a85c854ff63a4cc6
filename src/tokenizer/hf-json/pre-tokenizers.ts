// tokenizer.json "pre_tokenizer": cuts normalized text into words; BPE never merges across them
// (Hugging Face tokenizers, docs "Pre-tokenizers"). ByteLevel writes each word's UTF-8 bytes in
// GPT-2's byte alphabet (Radford et al. 2019); Split cuts with a regex (Llama 3, Qwen2); Metaspace
// turns spaces into "▁" (Kudo & Richardson 2018, SentencePiece).

import { bytesToSymbols } from '../byte-unicode.js';
import { utf8Encode } from '../bytes.js';
import { GPT2_PATTERN } from '../pretokenize.js';
import { type At, type Obj, arr, bool, child, fail, obj, str, typeOf } from './json-fields.js';
import { patternRegex } from './regex.js';

/**
 * Words in, words out. `first` is true when words[0] starts the input text (Metaspace's "first"
 * prepend scheme adds "▁" only there, as HF checks the split's original offset is 0).
 */
export type PreTokenize = (words: readonly string[], first: boolean) => string[];

const KINDS = ['ByteLevel', 'Split', 'Metaspace', 'Sequence'] as const;
type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly Behavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/** Pieces of `text`, each marked as a match of `re` or not; together they are exactly `text`. */
function findMatches(text: string, re: RegExp): [string, boolean][] {
  const out: [string, boolean][] = [];
  let done = 0;
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    if (m.index > done) out.push([text.slice(done, m.index), false]);
    out.push([m[0], true]);
    done = m.index + m[0].length;
  }
  if (done < text.length) out.push([text.slice(done), false]);
  return out;
}

/** HF's SplitDelimiterBehavior applied to marked pieces (a "delimiter" is a match). */
export function splitBy(text: string, re: RegExp, behavior: Behavior, invert = false): string[] {
  const pieces = findMatches(text, re).map(([s, m]): [string, boolean] => [s, m !== invert]);
  if (behavior === 'MergedWithNext') {
    // HF folds from the end: a delimiter joins the piece after it unless that one is a delimiter.
    const rev: string[] = [];
    let nextIsDelim = false;
    for (let i = pieces.length - 1; i >= 0; i--) {
      const [s, isDelim] = pieces[i];
      if (isDelim && !nextIsDelim && rev.length > 0) rev[rev.length - 1] = s + rev[rev.length - 1];
      else rev.push(s);
      nextIsDelim = isDelim;
    }
    return rev.reverse().filter((s) => s.length > 0);
  }
  const out: string[] = [];
  pieces.forEach(([s, isDelim], i) => {
    const prevIsDelim = i > 0 && pieces[i - 1][1];
    if (behavior === 'Removed') {
      if (!isDelim) out.push(s);
    } else if (behavior === 'MergedWithPrevious' && isDelim && !prevIsDelim && out.length > 0) {
      out[out.length - 1] += s;
    } else if (behavior === 'Contiguous' && i > 0 && isDelim === prevIsDelim) {
      out[out.length - 1] += s;
    } else out.push(s);
  });
  return out.filter((s) => s.length > 0);
}

function byteLevel(o: Obj, at: At): PreTokenize {
  const addPrefixSpace = bool(o, 'add_prefix_space', at, true);
  const re = bool(o, 'use_regex', at, true) ? new RegExp(GPT2_PATTERN, 'gu') : null;
  return (words) =>
    words.flatMap((w) => {
      const text = addPrefixSpace && !w.startsWith(' ') ? ` ${w}` : w;
      const parts = re ? splitBy(text, re, 'Isolated') : [text];
      return parts.map((p) => bytesToSymbols(utf8Encode(p)));
    });
}

function metaspace(o: Obj, at: At): PreTokenize {
  const rep = str(o, 'replacement', at, '▁');
  if ([...rep].length !== 1)
    fail(child(at, 'replacement'), `must be one character, got ${JSON.stringify(rep)}`);
  // Older files say add_prefix_space (true = "always"); newer ones prepend_scheme.
  const legacy =
    o.add_prefix_space === undefined ? 'always' : bool(o, 'add_prefix_space', at, true) ? 'always' : 'never';
  const scheme = str(o, 'prepend_scheme', at, legacy);
  if (!['always', 'first', 'never'].includes(scheme))
    fail(child(at, 'prepend_scheme'), `must be "always", "first" or "never", got ${JSON.stringify(scheme)}`);
  const split = bool(o, 'split', at, true);
  const repRe = new RegExp(rep.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'gu');
  return (words, first) =>
    words.flatMap((w, i) => {
      let t = w.replaceAll(' ', rep);
      const prepend = scheme === 'always' || (scheme === 'first' && first && i === 0);
      if (prepend && !t.startsWith(rep)) t = rep + t;
      return split ? splitBy(t, repRe, 'MergedWithNext') : [t];
    });
}

/** The pre-tokenizer described at `at`, or null for JSON null (the whole text is one word). */
export function parsePreTokenizer(v: unknown, at: At): PreTokenize | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  switch (typeOf(o, at, KINDS)) {
    case 'ByteLevel':
      return byteLevel(o, at);
    case 'Metaspace':
      return metaspace(o, at);
    case 'Split': {
      const re = patternRegex(o.pattern, `${at.file}: ${at.path}.pattern`);
      const behavior = str(o, 'behavior', at) as Behavior;
      if (!BEHAVIORS.includes(behavior))
        fail(child(at, 'behavior'), `${JSON.stringify(behavior)} is not one of ${BEHAVIORS.join(', ')}`);
      const invert = bool(o, 'invert', at, false);
      return (words) => words.flatMap((w) => splitBy(w, re, behavior, invert));
    }
    default: {
      const list = arr(o, 'pretokenizers', at).map((p, i) =>
        parsePreTokenizer(p, child(child(at, 'pretokenizers'), i)),
      );
      return (words, first) => list.reduce<string[]>((acc, p) => (p ? p(acc, first) : acc), [...words]);
    }
  }
}
