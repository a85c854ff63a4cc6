// Bytes and UTF-8: the alphabet of a byte-level tokenizer is the 256 byte values, and text is
// UTF-8 encoded before tokenization (Radford et al. 2019, section 2.2). Portable: no Node APIs.

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF (the default decoder silently drops it), so decoding is exact.
const lossyDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 bytes of a string; a lone surrogate becomes U+FFFD (EF BF BD), as TextEncoder does. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; each invalid sequence becomes U+FFFD instead of throwing. */
export function utf8Decode(bytes: Uint8Array): string {
  return lossyDecoder.decode(bytes);
}

/** A byte string as a JS string with one char per byte (0..255): a cheap, exact Map key. */
export function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Length of the well-formed UTF-8 sequence starting at `i`, or 0 if the byte there cannot start
 * one. The ranges are those of the Unicode standard, table 3-7 (no overlongs, no surrogates).
 */
export function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 === 0xe0) lo = 0xa0;
    if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > bytes.length) return 0;
  if (bytes[i + 1] < lo || bytes[i + 1] > hi) return 0;
  for (let k = 2; k < n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return n;
}

/** A maximal run of bytes that is either all well-formed UTF-8 or all not. */
export interface Utf8Run {
  start: number;
  end: number;
  valid: boolean;
}

/** Splits a byte string into alternating valid and invalid UTF-8 runs covering it exactly. */
export function utf8Runs(bytes: Uint8Array): Utf8Run[] {
  const runs: Utf8Run[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    const valid = n > 0;
    const step = valid ? n : 1;
    const last = runs[runs.length - 1];
    if (last && last.valid === valid) last.end = i + step;
    else runs.push({ start: i, end: i + step, valid });
    i += step;
  }
  return runs;
}

/**
 * A token's bytes as readable text for teaching: valid UTF-8 is shown as text, every other
 * byte as <0xNN> (a token may hold half of a multi-byte character).
 */
export function showBytes(bytes: Uint8Array): string {
  let s = '';
  for (const run of utf8Runs(bytes)) {
    const part = bytes.subarray(run.start, run.end);
    if (run.valid) s += utf8Decode(part);
    else for (const b of part) s += `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  }
  return s;
}
