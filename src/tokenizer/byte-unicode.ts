// GPT-2's reversible byte <-> Unicode map (Radford et al. 2019; `bytes_to_unicode` in OpenAI's
// encoder.py). Hugging Face vocab.json and merges.txt store each token's bytes as a string in which
// every byte is one printable character: bytes that already print (! to ~, ¡ to ¬, ® to ÿ) stand
// for themselves, the other 68 (control bytes, space, DEL, NBSP, soft hyphen) are shifted to
// U+0100 and up, in byte order. So the space byte 0x20 is written 'Ġ' (U+0120), newline 'Ċ'.

import { LlmfsError } from '../errors.js';

function buildByteToChar(): string[] {
  const map: string[] = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const prints = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCharCode(prints ? b : 256 + shifted++);
  }
  return map;
}

/** BYTE_TO_CHAR[b] is the character GPT-2's files use for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** A byte string in GPT-2's file alphabet, e.g. bytes of " the" -> "Ġthe". */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** Inverse of bytesToSymbols, or undefined if a character is not in the 256-character alphabet. */
export function symbolsToBytes(symbols: string): Uint8Array | undefined {
  const out = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const b = CHAR_TO_BYTE.get(symbols[i]);
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}

/** symbolsToBytes that throws an LlmfsError naming `where` (file and line) on a foreign character. */
export function symbolsToBytesOrThrow(symbols: string, where: string): Uint8Array {
  const bytes = symbolsToBytes(symbols);
  if (!bytes) {
    const bad = [...symbols].find((c) => !CHAR_TO_BYTE.has(c)) ?? '';
    const code = bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    throw new LlmfsError(
      `${where}: token ${JSON.stringify(symbols)} has the character U+${code}, which is not one of GPT-2's ` +
        `256 byte symbols`,
    );
  }
  return bytes;
}
