// Pre-tokenization: the text is cut into chunks before BPE, and merges never cross a chunk
// boundary. GPT-2 cuts with one regular expression (Radford et al. 2019, section 2.2) so that
// "dog", " dog", "dog." and "dog!" share the token "dog" instead of each taking a merge.
// Special tokens (e.g. <|endoftext|>) are cut out before that and never merged.

import { LlmfsError } from '../errors.js';

/**
 * GPT-2's pattern: common English contractions, then an optional space plus a run of letters,
 * of digits, or of other symbols, then whitespace. `\s+(?!\S)` keeps the last space of a run
 * for the next word, so "a   b" becomes "a", "  ", " b".
 */
export const GPT2_PATTERN = [
  String.raw`'s|'t|'re|'ve|'m|'ll|'d`, // contractions
  String.raw` ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+`, // letters, digits, other symbols
  String.raw`\s+(?!\S)|\s+`, // whitespace
].join('|');

/** How text is cut before BPE: GPT-2's regex, no cutting at all, or a custom regex. */
export type Pretokenizer = { type: 'gpt2' } | { type: 'none' } | { type: 'regex'; pattern: string };

/** Parses the CLI/JSON spelling: 'gpt2', 'none', or a regex source. */
export function parsePretokenizer(spec: string): Pretokenizer {
  if (spec === 'gpt2') return { type: 'gpt2' };
  if (spec === 'none') return { type: 'none' };
  compileRegex(spec);
  return { type: 'regex', pattern: spec };
}

export function pretokenizerName(p: Pretokenizer): string {
  return p.type === 'regex' ? p.pattern : p.type;
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'gu');
  } catch (err) {
    throw new LlmfsError(`pre-tokenizer: invalid regular expression /${pattern}/: ${(err as Error).message}`);
  }
}

/** A compiled pre-tokenizer: split(text) returns chunks whose concatenation is exactly `text`. */
export class Splitter {
  private readonly regex: RegExp | null;

  constructor(readonly spec: Pretokenizer) {
    if (spec.type === 'none') this.regex = null;
    else this.regex = compileRegex(spec.type === 'gpt2' ? GPT2_PATTERN : spec.pattern);
  }

  /**
   * Calls `emit` for each chunk, in order. Text the regex does not match (possible with a custom
   * pattern, never with GPT-2's) becomes a chunk of its own, so no input is ever dropped.
   */
  forEach(text: string, emit: (chunk: string) => void): void {
    if (text.length === 0) return;
    const re = this.regex;
    if (re === null) {
      emit(text);
      return;
    }
    re.lastIndex = 0;
    let done = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const s = m[0];
      if (s.length === 0) {
        // An empty match would loop forever; step over one code point.
        re.lastIndex += text.codePointAt(re.lastIndex)! > 0xffff ? 2 : 1;
        continue;
      }
      if (m.index > done) emit(text.slice(done, m.index));
      emit(s);
      done = m.index + s.length;
    }
    if (done < text.length) emit(text.slice(done));
  }

  split(text: string): string[] {
    const out: string[] = [];
    this.forEach(text, (c) => out.push(c));
    return out;
  }
}

/** A piece of text: either ordinary text or exactly one special token. */
export interface Segment {
  text: string;
  special: boolean;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Cuts `text` at every occurrence of the given special tokens. Longer specials are tried first,
 * so a special that is a prefix of another never hides it.
 */
export function splitSpecials(text: string, specials: Iterable<string>): Segment[] {
  const list = [...specials]
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (list.length === 0) return text.length > 0 ? [{ text, special: false }] : [];
  const re = new RegExp(list.map(escapeRegex).join('|'), 'g');
  const out: Segment[] = [];
  let done = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m.index > done) out.push({ text: text.slice(done, m.index), special: false });
    out.push({ text: m[0], special: true });
    done = m.index + m[0].length;
  }
  if (done < text.length) out.push({ text: text.slice(done), special: false });
  return out;
}
