// tokenizer.json "post_processor": what encode adds around the model's ids (Hugging Face
// tokenizers, docs "Post-processors"). TemplateProcessing's "single" template is a list of
// special tokens and the sequence $A: Llama 3's is [<|begin_of_text|>, $A], Llama 2's [<s>, $A].
// ByteLevel only adjusts character offsets, which we do not track, so it adds nothing.

import { type At, arr, child, fail, obj, typeOf, isObj } from './json-fields.js';

/** Ids of the tokens placed before and after the sequence. */
export interface Template {
  before: number[];
  after: number[];
}

const KINDS = ['TemplateProcessing', 'ByteLevel', 'Sequence'] as const;

function templateOf(o: Record<string, unknown>, at: At): Template {
  const specials = obj(o.special_tokens ?? {}, child(at, 'special_tokens'));
  const t: Template = { before: [], after: [] };
  let seen = false;
  const single = arr(o, 'single', at);
  single.forEach((item, i) => {
    const a = child(child(at, 'single'), i);
    const it = obj(item, a);
    if (isObj(it.Sequence)) {
      if (it.Sequence.id !== 'A') fail(a, 'the single template may only hold sequence "A"');
      seen = true;
    } else if (isObj(it.SpecialToken)) {
      const name = it.SpecialToken.id;
      const entry = typeof name === 'string' ? specials[name] : undefined;
      const ids = isObj(entry) ? entry.ids : undefined;
      if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0))
        fail(a, `special token ${JSON.stringify(name)} has no ids in special_tokens`);
      (seen ? t.after : t.before).push(...(ids as number[]));
    } else fail(a, 'expected {"Sequence": ...} or {"SpecialToken": ...}');
  });
  if (!seen) fail(child(at, 'single'), 'the template never places the sequence $A');
  return t;
}

/** The ids the post-processor adds, or null if it adds none. */
export function parsePostProcessor(v: unknown, at: At): Template | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  switch (typeOf(o, at, KINDS)) {
    case 'TemplateProcessing':
      return templateOf(o, at);
    case 'ByteLevel':
      return null;
    default: {
      const parts = arr(o, 'processors', at).map((p, i) =>
        parsePostProcessor(p, child(child(at, 'processors'), i)),
      );
      const t: Template = { before: [], after: [] };
      for (const p of parts) {
        if (!p) continue;
        t.before = [...p.before, ...t.before];
        t.after = [...t.after, ...p.after];
      }
      return parts.some((p) => p) ? t : null;
    }
  }
}
