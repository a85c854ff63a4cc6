// tokenizer.json "decoder": token strings back to text, as a chain in which each step maps a list
// of strings to a list of strings (Hugging Face tokenizers, docs "Decoders"). ByteLevel undoes
// GPT-2's byte alphabet; Llama 2's chain is Replace("▁" -> " "), ByteFallback (<0xNN> runs ->
// UTF-8), Fuse (join), Strip (drop the dummy-prefix space).

import { symbolsToBytes } from '../byte-unicode.js';
import { concatBytes, utf8Decode } from '../bytes.js';
import { type At, arr, child, fail, obj, str, typeOf } from './json-fields.js';
import { patternRegex } from './regex.js';

/** One decoding step; `added` tells whether tokens[i] is an added token. */
export type Decode = (tokens: string[], added: readonly boolean[]) => string[];

const KINDS = ['ByteLevel', 'ByteFallback', 'Fuse', 'Strip', 'Replace', 'Metaspace', 'Sequence'] as const;

/** ByteLevel: runs of ordinary tokens become bytes, then text; added tokens pass through as written. */
const byteLevel: Decode = (tokens, added) => {
  const out: string[] = [];
  let run: Uint8Array[] = [];
  const flush = (): void => {
    if (run.length > 0) out.push(utf8Decode(concatBytes(run)));
    run = [];
  };
  tokens.forEach((t, i) => {
    const bytes = added[i] ? undefined : symbolsToBytes(t);
    if (bytes) run.push(bytes);
    else {
      flush();
      out.push(t);
    }
  });
  flush();
  return out;
};

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** ByteFallback: a run of <0xNN> tokens becomes its UTF-8 text (invalid bytes become U+FFFD). */
const byteFallback: Decode = (tokens) => {
  const out: string[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) out.push(utf8Decode(Uint8Array.from(run)));
    run = [];
  };
  for (const t of tokens) {
    const m = BYTE_TOKEN.exec(t);
    if (m) run.push(parseInt(m[1], 16));
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
};

export function parseDecoder(v: unknown, at: At): Decode | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  switch (typeOf(o, at, KINDS)) {
    case 'ByteLevel':
      return byteLevel;
    case 'ByteFallback':
      return byteFallback;
    case 'Fuse':
      return (tokens) => [tokens.join('')];
    case 'Strip': {
      const content = str(o, 'content', at);
      const [start, stop] = [o.start ?? 0, o.stop ?? 0];
      if (typeof start !== 'number' || typeof stop !== 'number')
        return fail(at, 'start and stop must be numbers');
      return (tokens) =>
        tokens.map((t) => {
          const chars = [...t];
          let a = 0;
          while (a < start && chars[a] === content) a++;
          let b = chars.length;
          while (chars.length - b < stop && b > a && chars[b - 1] === content) b--;
          return chars.slice(a, b).join('');
        });
    }
    case 'Replace': {
      const re = patternRegex(o.pattern, `${at.file}: ${at.path}.pattern`);
      const content = str(o, 'content', at);
      return (tokens) => tokens.map((t) => t.replace(re, () => content));
    }
    case 'Metaspace': {
      // "▁" -> " ", and the first token loses its leading space (the one encoding prepended).
      // HF's Rust decoder drops every "▁" of the first token; we follow @huggingface/tokenizers.
      const rep = str(o, 'replacement', at, '▁');
      const scheme =
        typeof o.prepend_scheme === 'string'
          ? o.prepend_scheme
          : o.add_prefix_space === false
            ? 'never'
            : 'always';
      return (tokens) =>
        tokens.map((t, i) => {
          const s = t.replaceAll(rep, ' ');
          return i === 0 && scheme !== 'never' && s.startsWith(' ') ? s.slice(1) : s;
        });
    }
    default: {
      const list = arr(o, 'decoders', at).map((d, i) => parseDecoder(d, child(child(at, 'decoders'), i)));
      return (tokens, added) => {
        let cur = tokens;
        let flags = added;
        for (const d of list) {
          if (!d) continue;
          const next = d(cur, flags);
          flags = next.length === cur.length ? flags : next.map(() => false);
          cur = next;
        }
        return cur;
      };
    }
  }
}
