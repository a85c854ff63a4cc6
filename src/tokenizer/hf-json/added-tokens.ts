// tokenizer.json "added_tokens": tokens matched in the text before anything else runs, so they
// are never split or merged (Hugging Face tokenizers, AddedVocabulary). Tokens with
// "normalized": false are found in the raw text, the others in the normalized text. lstrip and
// rstrip swallow the whitespace beside a match. "special" ones (<|begin_of_text|>, <s>) are
// recognised only when the caller allows them, the project's rule that input cannot forge them.

import { splitSpecials } from '../pretokenize.js';
import { MAX_VOCAB } from '../rules.js';
import { type At, bool, child, fail, obj, str } from './json-fields.js';

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

export function parseAddedTokens(list: unknown, at: At): AddedToken[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return fail(at, 'expected an array');
  return list.map((v, i) => {
    const a = child(at, i);
    const o = obj(v, a);
    const id = o.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_VOCAB)
      fail(child(a, 'id'), `bad id ${JSON.stringify(id)}`);
    const content = str(o, 'content', a);
    if (content.length === 0) fail(child(a, 'content'), 'the empty string is not a token');
    const special = bool(o, 'special', a, false);
    return {
      id,
      content,
      special,
      normalized: bool(o, 'normalized', a, !special),
      lstrip: bool(o, 'lstrip', a, false),
      rstrip: bool(o, 'rstrip', a, false),
    };
  });
}

/** A piece of text: an added token (its entry) or text still to tokenize. */
export interface Section {
  text: string;
  token?: AddedToken;
}

/** Cuts `text` at the given tokens (leftmost, then longest), applying lstrip/rstrip. */
export function splitAdded(text: string, tokens: ReadonlyMap<string, AddedToken>): Section[] {
  const out: Section[] = splitSpecials(text, tokens.keys()).map((s) =>
    s.special ? { text: s.text, token: tokens.get(s.text) } : { text: s.text },
  );
  out.forEach((s, i) => {
    if (!s.token) return;
    if (s.token.lstrip && i > 0 && !out[i - 1].token) out[i - 1].text = out[i - 1].text.trimEnd();
    if (s.token.rstrip && i + 1 < out.length && !out[i + 1].token)
      out[i + 1].text = out[i + 1].text.trimStart();
  });
  return out.filter((s) => s.text.length > 0);
}
