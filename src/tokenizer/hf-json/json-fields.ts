// Field readers for tokenizer.json (the Hugging Face tokenizers serialization): each fault is one
// line naming the file and the JSON path, e.g. "tokenizer.json: model.merges[3]: ...".

import { LlmfsError } from '../../errors.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where we are in the file, for messages: the file name and a JSON path. */
export interface At {
  file: string;
  path: string;
}

export const child = (at: At, key: string | number): At => ({
  file: at.file,
  path: typeof key === 'number' ? `${at.path}[${key}]` : at.path ? `${at.path}.${key}` : key,
});

export function fail(at: At, message: string): never {
  throw new LlmfsError(`${at.file}: ${at.path}: ${message}`);
}

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 60) ?? 'nothing';

export function obj(v: unknown, at: At): Obj {
  return isObj(v) ? v : fail(at, `expected an object, got ${show(v)}`);
}

export function str(o: Obj, key: string, at: At, fallback?: string): string {
  const v = o[key] ?? fallback;
  return typeof v === 'string' ? v : fail(child(at, key), `expected a string, got ${show(v)}`);
}

export function bool(o: Obj, key: string, at: At, fallback: boolean): boolean {
  const v = o[key] ?? fallback;
  return typeof v === 'boolean' ? v : fail(child(at, key), `expected true or false, got ${show(v)}`);
}

export function arr(o: Obj, key: string, at: At): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : fail(child(at, key), `expected an array, got ${show(v)}`);
}

/** A component's "type" field, checked against the kinds we implement. */
export function typeOf(o: Obj, at: At, supported: readonly string[]): string {
  const t = o.type;
  if (typeof t === 'string' && supported.includes(t)) return t;
  return fail(child(at, 'type'), `${show(t)} is not supported (supported: ${supported.join(', ')})`);
}
