// Preference-pair files (chapter 12): writing JSONL, and reading JSONL or a JSON array (rasbt's
// DPO file) with one-line errors naming the file and line. The pairs themselves are made in
// preferences.ts.

import type { PreferencePair } from '../train/align/pairs.js';
import { readFileSync } from 'node:fs';
import { LlmfsError } from '../errors.js';
import { fsReason } from '../io/atomic-write.js';
import { jsonErrorOffset, lineCol, parseJson } from '../tokenizer/json-parse.js';

/** JSONL: one pair per line. */
export function toPreferenceJsonl(pairs: readonly PreferencePair[]): string {
  return pairs.map((p) => `${JSON.stringify(p)}\n`).join('');
}

/** 1-based line on which each element of a top-level JSON array starts (for error messages). */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expecting && !' \t\r\n,]'.includes(c)) {
      lines.push(line);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') expecting = ++depth === 1;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return lines;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Checks one parsed pair; `where` is "file:line". */
function checkPair(raw: unknown, where: string, opts: PairReadOptions = {}): PreferencePair | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LlmfsError(
      `${where}: expected an object {prompt or instruction, chosen, rejected}, got ${typeName(raw)}`,
    );
  const o = raw as Record<string, unknown>;
  for (const k of ['chosen', 'rejected'])
    if (o[k] === undefined)
      throw new LlmfsError(`${where}: no '${k}' field (a pair needs a 'chosen' and a 'rejected' response)`);
  for (const k of ['chosen', 'rejected', 'prompt', 'instruction', 'input', 'task'])
    if (o[k] !== undefined && typeof o[k] !== 'string')
      throw new LlmfsError(`${where}: '${k}' must be a string, got ${typeName(o[k])}`);
  const s = o as { [k: string]: string | undefined };
  if (s.prompt === undefined && s.instruction === undefined)
    throw new LlmfsError(`${where}: no prompt: give 'prompt' (raw text) or 'instruction' (and 'input')`);
  if (s.prompt !== undefined && s.instruction !== undefined)
    throw new LlmfsError(
      `${where}: both 'prompt' and 'instruction': give one (a raw prompt or an instruction)`,
    );
  if (s.prompt !== undefined && s.input !== undefined)
    throw new LlmfsError(`${where}: 'input' goes with 'instruction', not with the raw 'prompt'`);
  for (const k of ['prompt', 'instruction', 'chosen', 'rejected'])
    if (s[k] !== undefined && s[k].trim() === '')
      throw new LlmfsError(`${where}: empty '${k}'${k === 'chosen' || k === 'rejected' ? ' response' : ''}`);
  if (s.chosen!.trim() === s.rejected!.trim()) {
    if (opts.skipIdentical) {
      opts.onSkip?.(where);
      return null;
    }
    throw new LlmfsError(`${where}: identical chosen and rejected responses: the pair teaches nothing`);
  }
  // Fields in the order the generator writes them, so reading and writing a file round-trips.
  const pair: Partial<PreferencePair> = {};
  for (const k of ['task', 'prompt', 'instruction', 'input'] as const) if (s[k] !== undefined) pair[k] = s[k];
  return { ...pair, chosen: s.chosen!, rejected: s.rejected! };
}

export interface PairReadOptions {
  /**
   * Drop pairs whose chosen and rejected responses are identical instead of failing (rasbt's DPO
   * file has 6 among its 1,100); `onSkip` is told where each one was.
   */
  skipIdentical?: boolean;
  onSkip?(where: string): void;
}

/**
 * Reads preference pairs from JSONL (one object per line, blank lines skipped) or a JSON array
 * (rasbt's DPO file: instruction, input, chosen, rejected; other fields ignored), told apart by
 * the first non-space character. Every error is one line naming the file and line.
 */
export function parsePreferencePairs(
  text: string,
  file: string,
  opts: PairReadOptions = {},
): PreferencePair[] {
  const body = text.replace(/^\uFEFF/, '');
  const pairs: PreferencePair[] = [];
  const isArray = body.trimStart().startsWith('[');
  if (isArray) {
    const raw = parseJson(body, file) as unknown[];
    const lines = arrayElementLines(body);
    raw.forEach((r, i) => {
      const p = checkPair(r, `${file}:${lines[i]}`, opts);
      if (p) pairs.push(p);
    });
  } else {
    body.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        // V8's reason without its character position (the column says where).
        const reason = (err as Error).message.replace(/,\s*(\.\.\.)?".*$| in JSON at position.*$/s, '');
        const { col } = lineCol(line, Math.max(0, jsonErrorOffset(line)));
        throw new LlmfsError(`${file}:${i + 1}:${col}: invalid JSON (JSONL: one object per line): ${reason}`);
      }
      const p = checkPair(raw, `${file}:${i + 1}`, opts);
      if (p) pairs.push(p);
    });
  }
  if (pairs.length === 0)
    throw new LlmfsError(
      `${file}: no preference pairs (${isArray ? 'an empty JSON array' : 'the file is empty'})`,
    );
  return pairs;
}

/** Reads a preference-pair file (JSONL or a JSON array). */
export function readPreferencePairs(file: string, opts: PairReadOptions = {}): PreferencePair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : fsReason(err);
    throw new LlmfsError(`${file}: cannot read the preference pairs (${why})`);
  }
  return parsePreferencePairs(text, file, opts);
}
