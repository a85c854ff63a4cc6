// Writes the bundled preference pairs: data/preferences/train.jsonl and heldout.jsonl. One pair per
// example of data/instructions (chosen = the exact answer, rejected = a rule-made wrong one), plus
// the polite-vs-curt style task; the held-out pairs come from the held-out instructions and from
// requests never trained on. Seed 15. Run: node --import tsx scripts/make-preferences.ts

import { mkdirSync } from 'node:fs';
import { atomicWriteFile } from '../src/io/atomic-write.js';
import { readInstructions } from '../src/data/instructions.js';
import { makeBundledPreferences, toPreferenceJsonl, type PreferencePair } from '../src/data/preferences.js';

const { train, heldOut } = makeBundledPreferences(
  readInstructions('data/instructions/train.json'),
  readInstructions('data/instructions/heldout.json'),
  15,
);
mkdirSync('data/preferences', { recursive: true });
atomicWriteFile('data/preferences/train.jsonl', toPreferenceJsonl(train));
atomicWriteFile('data/preferences/heldout.jsonl', toPreferenceJsonl(heldOut));
const counts = (pairs: PreferencePair[]): string => {
  const n = new Map<string, number>();
  for (const p of pairs) n.set(p.task ?? '', (n.get(p.task ?? '') ?? 0) + 1);
  return [...n].map(([t, k]) => `${t} ${k}`).join(', ');
};
console.log(`wrote ${train.length} training pairs (${counts(train)})`);
console.log(`and ${heldOut.length} held-out pairs (${counts(heldOut)})`);
