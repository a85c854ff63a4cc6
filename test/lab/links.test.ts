// The lab links in the docs (chapter 19's "shareable links"): every `lab/dist/index.html?...` link
// in docs/*.md and the README names a panel the page has, a setup that parses to itself (no value
// the page would silently replace by its default), and only keys some panel reads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETUP, parseSetup } from '../../lab/src/setup.js';

const root = join(import.meta.dirname, '..', '..');
const panelsDir = join(root, 'lab', 'src', 'panels');
const panelSources = readdirSync(panelsDir)
  .map((f) => readFileSync(join(panelsDir, f), 'utf8'))
  .join('\n');
const html = readFileSync(join(root, 'lab', 'index.html'), 'utf8');

function labLinks(): { file: string; query: string }[] {
  const files = [
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
    'README.md',
  ];
  const out: { file: string; query: string }[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/lab\/dist\/index\.html(\?[^)\s`]*)/g)) out.push({ file, query: m[1]! });
  }
  return out;
}

test('docs: every lab link names a real panel, a valid setup and keys the panels read', () => {
  const links = labLinks();
  assert.ok(links.length >= 5, `chapters 2, 4, 7, 8 and 14 link the lab (found ${links.length})`);
  for (const { file, query } of links) {
    const q = new URLSearchParams(query);
    const panel = q.get('panel');
    if (panel !== null)
      assert.ok(
        html.includes(`<section id="${panel}"`),
        `${file}: ?panel=${panel} is not a panel of the page`,
      );
    const setup = parseSetup(query);
    for (const [key, value] of q) {
      if (key === 'panel') continue;
      if (key in DEFAULT_SETUP) {
        const parsed = String(setup[key as keyof typeof setup]);
        assert.equal(
          parsed,
          value,
          `${file}: ${key}=${value} is not a valid setup value (the page uses ${parsed})`,
        );
      } else {
        assert.ok(panelSources.includes(`'${key}'`), `${file}: no panel reads the key '${key}'`);
      }
    }
  }
});
