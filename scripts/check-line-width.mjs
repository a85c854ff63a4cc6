// Fails when a line in src/ is wider than the formatter's print width (.prettierrc.json). Prettier
// wraps code but leaves long comments and strings alone; this catches those. Part of
// `npm run format:check`, which CI runs.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const width = JSON.parse(readFileSync(join(root, '.prettierrc.json'), 'utf8')).printWidth;

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.generated.ts')) yield p;
  }
}

const long = [];
for (const file of files(join(root, 'src'))) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if ([...line].length > width)
        long.push(`${relative(root, file)}:${i + 1}: ${[...line].length} characters`);
    });
}
for (const l of long) console.error(l);
if (long.length > 0) {
  console.error(`${long.length} line(s) in src/ are wider than ${width} characters`);
  process.exit(1);
}
console.log(`line width: every line in src/ fits in ${width} characters`);
