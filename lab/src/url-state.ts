// The page's whole state in its query string, shared by every panel: the Train panel's setup
// (setup.ts) and each panel's own keys (a probe sentence, a prompt, a sampling setting, the
// merge step shown), so a link reproduces what the reader sees. Writes replace the history
// entry, so the back button leaves the lab rather than undoing each keystroke.

import { DEFAULT_SETUP, formatSetup, type Setup } from './setup.js';

const SETUP_KEYS = new Set<string>(Object.keys(DEFAULT_SETUP));

function current(): URLSearchParams {
  return new URLSearchParams(location.search);
}

/** A panel's value for `key`, or null when the URL has none. */
export function getParam(key: string): string | null {
  return current().get(key);
}

const listeners: ((url: string) => void)[] = [];

/** Called with the new URL after every change (the Train panel's "link to this setup"). */
export function onUrlChange(cb: (url: string) => void): void {
  listeners.push(cb);
}

function write(q: URLSearchParams): void {
  const str = q.toString();
  const url = `${location.pathname}${str ? `?${str}` : ''}${location.hash}`;
  history.replaceState(null, '', url);
  for (const cb of listeners) cb(url);
}

/** Sets panel keys (null or a value equal to `defaults[key]` removes the key: links stay short). */
export function setParams(
  values: Record<string, string | null>,
  defaults: Record<string, string> = {},
): void {
  const q = current();
  for (const [key, value] of Object.entries(values)) {
    if (SETUP_KEYS.has(key)) throw new Error(`lab: '${key}' belongs to the Train panel's setup`);
    if (value === null || value === defaults[key]) q.delete(key);
    else q.set(key, value);
  }
  write(q);
}

/** Writes the Train panel's setup, keeping every panel's own keys. */
export function setSetup(s: Setup): void {
  const q = current();
  for (const key of SETUP_KEYS) q.delete(key);
  for (const [key, value] of new URLSearchParams(formatSetup(s))) q.set(key, value);
  write(q);
}
