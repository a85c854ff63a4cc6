// Oniguruma (the regex engine of Rust's `tokenizers`) to JavaScript `u`-mode RegExp, for the
// constructs Llama 3 and Qwen2 split patterns use. `\s` is Unicode White_Space in Oniguruma (JS's
// own \s adds U+FEFF and lacks U+0085), and `(?i:...)` groups (not in Node 20's RegExp) become
// explicit ASCII case classes: (?i:'s) -> '[sS]; ^ $ are line anchors, . excludes only \n, \w is
// Unicode. What we cannot carry over exactly (\G, \b, atomic groups, possessive quantifiers,
// inline flags) is refused by name.

import { LlmfsError } from '../../errors.js';

// Oniguruma's Unicode word characters (what \w means there; JS's \w is ASCII only).
const WORD = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}`;

/** Escapes whose meaning differs, written as JS; the same inside a character class. */
const ESCAPES: Readonly<Record<string, string>> = {
  s: String.raw`\p{White_Space}`,
  S: String.raw`\P{White_Space}`,
  d: String.raw`\p{Nd}`,
  D: String.raw`\P{Nd}`,
  w: WORD,
};

/** Outside a class only: anchors (^ and $ are line anchors in Oniguruma, \n lines only). */
// Outside a class Oniguruma also counts the Latin-1 digits ² ³ ¹ ¼ ½ ¾ as word characters.
const WORD_OUTSIDE = String.raw`${WORD}\u00B2\u00B3\u00B9\u00BC-\u00BE`;
const OUTSIDE: Readonly<Record<string, string>> = {
  w: `[${WORD_OUTSIDE}]`,
  W: `[^${WORD_OUTSIDE}]`,
  A: String.raw`(?<![\s\S])`,
  z: String.raw`(?![\s\S])`,
};
const LINE_START = String.raw`(?:(?<![\s\S])|(?<=\n))`;
const LINE_END = String.raw`(?:(?=\n)|(?![\s\S]))`;
const REFUSED = 'GbBZhHKXRW';

const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
const bothCases = (c: string): string => `${c.toLowerCase()}${c.toUpperCase()}`;

/** Reads one escape at `i` (pattern[i] === '\\'); returns its source text and length. */
function escapeAt(p: string, i: number): string {
  const m = /^\\(?:[pP]\{[^}]*\}|x\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|.)/su.exec(p.slice(i));
  return m ? m[0] : '\\';
}

export function onigurumaToJs(pattern: string): string {
  const refuse = (what: string): never => {
    throw new LlmfsError(`regex /${pattern}/: ${what} has no exact JavaScript equivalent; not supported`);
  };
  let out = '';
  const ciStack: boolean[] = [false]; // is each open group case-insensitive
  let i = 0;
  while (i < pattern.length) {
    const ci = ciStack[ciStack.length - 1];
    const c = pattern[i];
    if (c === '\\') {
      const e = escapeAt(pattern, i);
      const k = e[1];
      if (e.length === 2 && REFUSED.includes(k) && OUTSIDE[k] === undefined) refuse(`\\${k}`);
      if (k === 'x' && e[2] === '{') out += `\\u{${e.slice(3, -1)}}`;
      else out += OUTSIDE[k] ?? ESCAPES[k] ?? e;
      i += e.length;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      if (pattern[j] === ']') {
        cls += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '[') refuse('a nested character class');
        if (pattern[j] === '\\') {
          const e = escapeAt(pattern, j);
          if (e.length === 2 && REFUSED.includes(e[1])) refuse(`\\${e[1]} in a class`);
          cls += ESCAPES[e[1]] ?? e;
          j += e.length;
        } else if (ci && isLetter(pattern[j]) && pattern[j + 1] === '-' && isLetter(pattern[j + 2] ?? '')) {
          const [a, b] = [pattern[j], pattern[j + 2]];
          cls += `${a.toLowerCase()}-${b.toLowerCase()}${a.toUpperCase()}-${b.toUpperCase()}`;
          j += 3;
        } else {
          cls += ci && isLetter(pattern[j]) ? bothCases(pattern[j]) : pattern[j];
          j++;
        }
      }
      if (j >= pattern.length) refuse('an unclosed [');
      out += `${cls}]`;
      i = j + 1;
    } else if (c === '(') {
      const rest = pattern.slice(i);
      if (rest.startsWith('(?i:')) {
        ciStack.push(true);
        out += '(?:';
        i += 4;
      } else if (/^\((?:\?[:=!]|\?<[=!])/.test(rest)) {
        const head = /^\((?:\?[:=!]|\?<[=!])/.exec(rest)![0];
        ciStack.push(ci);
        out += head;
        i += head.length;
      } else if (rest.startsWith('(?')) {
        return refuse(`the group ${JSON.stringify(rest.slice(0, 4))}`);
      } else {
        ciStack.push(ci);
        out += '(';
        i++;
      }
    } else if (c === ')') {
      if (ciStack.length > 1) ciStack.pop();
      out += ')';
      i++;
    } else if ((c === '+' || c === '*' || c === '?' || c === '}') && pattern[i + 1] === '+') {
      refuse('a possessive quantifier');
    } else {
      // Oniguruma's . excludes only \n (JS's also \r, U+2028, U+2029).
      const plain = c === '.' ? '[^\\n]' : c === '^' ? LINE_START : c === '$' ? LINE_END : c;
      out += ci && isLetter(c) ? `[${bothCases(c)}]` : plain;
      i++;
    }
  }
  return out;
}

/** Compiles an Oniguruma pattern as a global, Unicode JS RegExp; a bad one is one line. */
export function compileOniguruma(pattern: string, where: string): RegExp {
  const source = onigurumaToJs(pattern);
  try {
    return new RegExp(source, 'gu');
  } catch (err) {
    throw new LlmfsError(`${where}: regex /${pattern}/ does not compile: ${(err as Error).message}`);
  }
}

/** A tokenizer.json pattern: {"String": s} (literal) or {"Regex": r}. */
export function patternRegex(pattern: unknown, where: string): RegExp {
  const p = pattern as Record<string, unknown> | null;
  if (p && typeof p === 'object' && typeof p.String === 'string')
    return new RegExp(p.String.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'gu');
  if (p && typeof p === 'object' && typeof p.Regex === 'string') return compileOniguruma(p.Regex, where);
  throw new LlmfsError(
    `${where}: pattern must be {"String": ...} or {"Regex": ...}, got ${JSON.stringify(p)}`,
  );
}
