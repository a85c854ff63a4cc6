// The exercises in the docs (issue 13): docs/00-start-here.md lists every exercise exactly as the
// catalog has them (scripts/exercise-table.ts), each chapter ends with its exercises, every
// exercise's section is a real heading of its chapter, and the README's learning path links the
// start-here chapter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES } from '../../src/exercises/index.js';
import { exerciseTable } from '../../scripts/exercise-table.js';

const docs = join(import.meta.dirname, '..', '..', 'docs');
const chapterFile = (n: number) =>
  readdirSync(docs).find((f) => f.startsWith(`${String(n).padStart(2, '0')}-`))!;

test('docs/00-start-here.md lists every exercise as the catalog has them', () => {
  const text = readFileSync(join(docs, '00-start-here.md'), 'utf8');
  assert.ok(text.includes(exerciseTable()), 'regenerate with: npx tsx scripts/exercise-table.ts');
});

test('each exercise names a real section of its chapter, and the chapter ends with its exercises', () => {
  for (const e of EXERCISES) {
    const text = readFileSync(join(docs, chapterFile(e.chapter)), 'utf8');
    assert.ok(
      new RegExp(`^#{2,3} ${e.section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(text),
      `${e.id}: no heading '${e.section}' in ${chapterFile(e.chapter)}`,
    );
    const ex = text.slice(text.lastIndexOf('\n## Exercises'));
    assert.ok(
      text.includes('\n## Exercises') && ex.includes(`\`${e.id}\``),
      `${chapterFile(e.chapter)}'s Exercises section lists ${e.id}`,
    );
  }
});

test("the README's learning path starts with docs/00-start-here.md", () => {
  const readme = readFileSync(join(docs, '..', 'README.md'), 'utf8');
  assert.match(readme, /\(docs\/00-start-here\.md\)/);
});
