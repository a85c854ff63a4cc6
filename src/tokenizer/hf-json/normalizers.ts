// tokenizer.json "normalizer": rewrites text before pre-tokenization (Hugging Face tokenizers,
// docs "Normalizers"). Llama 2 / Mistral v0.1 use Sequence[Prepend("▁"), Replace(" ", "▁")]
// (SentencePiece's dummy prefix and meta-space); Qwen2 uses NFC (Unicode UAX #15).

import { type At, arr, child, obj, str, typeOf } from './json-fields.js';
import { patternRegex } from './regex.js';

export type Normalize = (text: string) => string;

const KINDS = ['NFC', 'NFD', 'NFKC', 'NFKD', 'Prepend', 'Replace', 'Lowercase', 'Sequence'] as const;

/** The normalizer described at `at`, or null for JSON null (no normalization). */
export function parseNormalizer(v: unknown, at: At): Normalize | null {
  if (v === null || v === undefined) return null;
  const o = obj(v, at);
  const type = typeOf(o, at, KINDS);
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (t) => t.normalize(type);
    case 'Prepend': {
      const prefix = str(o, 'prepend', at);
      return (t) => (t.length > 0 ? prefix + t : t); // HF prepends to non-empty text only
    }
    case 'Replace': {
      const re = patternRegex(o.pattern, `${at.file}: ${at.path}.pattern`);
      const content = str(o, 'content', at);
      return (t) => t.replace(re, () => content);
    }
    case 'Lowercase':
      return (t) => t.toLowerCase();
    default: {
      const list = arr(o, 'normalizers', at).map((n, i) =>
        parseNormalizer(n, child(child(at, 'normalizers'), i)),
      );
      return (t) => list.reduce((acc, n) => (n ? n(acc) : acc), t);
    }
  }
}
