// Builds the package's JavaScript: compiles src/ into dist/ with TypeScript (JavaScript plus .d.ts
// types beside it) and copies the plain-JavaScript files (the kernel worker) that tsc does not emit.
// Runs on `npm install` / `npm ci` (the "prepare" script, after build-wasm.mjs), so the package's
// entry points (package.json "exports") are JavaScript a user's plain `node` can import.

import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
// An output folder other than dist/ may be given (test/package/outside.test.ts builds a staging copy).
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});

function copyPlainJs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyPlainJs(p);
    else if (e.name.endsWith('.mjs')) cpSync(p, join(dist, relative(src, p)));
  }
}
copyPlainJs(src);
console.log(`build: wrote ${dist}`);
