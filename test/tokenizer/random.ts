// Seeded random text and bytes for the tokenizer property tests (mulberry32 PRNG), so every run
// checks the same inputs. Not a test file itself.

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

// Code point ranges, weighted toward what breaks tokenizers: spaces, digits, punctuation, accents,
// combining marks, CJK, emoji with joiners and skin tones, unusual whitespace.
const RANGES: [number, number, number][] = [
  [0x20, 0x7e, 30], // printable ASCII
  [0x09, 0x0d, 6], // tab, newline, vertical tab, form feed, carriage return
  [0x20, 0x20, 10], // extra spaces
  [0x27, 0x27, 3], // apostrophe (contractions)
  [0x00, 0x1f, 2], // control characters
  [0xa0, 0x17f, 8], // Latin-1 and Latin Extended-A
  [0x300, 0x36f, 3], // combining diacritics
  [0x370, 0x4ff, 4], // Greek, Cyrillic
  [0x660, 0x669, 2], // Arabic-Indic digits
  [0x2000, 0x206f, 3], // general punctuation, odd spaces, zero-width joiner
  [0x3000, 0x30ff, 4], // CJK punctuation, ideographic space, kana
  [0x4e00, 0x9fff, 6], // CJK ideographs
  [0xac00, 0xd7a3, 2], // Hangul
  [0xfeff, 0xfeff, 1], // byte order mark
  [0x1f300, 0x1faff, 6], // emoji
  [0x1f3fb, 0x1f3ff, 1], // skin tones
  [0x10000, 0x10ffff, 2], // anything astral
];
const WEIGHT = RANGES.reduce((s, r) => s + r[2], 0);

/** A random code point from the weighted ranges (never a surrogate). */
export function randomCodePoint(r: () => number): number {
  let pick = r() * WEIGHT;
  for (const [lo, hi, w] of RANGES) {
    if ((pick -= w) < 0) return randInt(r, lo, hi);
  }
  return 0x61;
}

/** A well-formed random string of up to maxLen code points. */
export function randomText(r: () => number, maxLen: number): string {
  const n = randInt(r, 0, maxLen);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(randomCodePoint(r));
  return s;
}

/** Like randomText, but about 1 in 20 characters is a lone (unpaired) surrogate. */
export function randomTextWithLoneSurrogates(r: () => number, maxLen: number): string {
  const n = randInt(r, 0, maxLen);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) s += String.fromCharCode(randInt(r, 0xd800, 0xdfff)) + 'x';
    else s += String.fromCodePoint(randomCodePoint(r));
  }
  return s;
}

export function randomBytes(r: () => number, maxLen: number): Uint8Array {
  const n = randInt(r, 0, maxLen);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** The string TextEncoder actually encodes: every lone surrogate replaced by U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
