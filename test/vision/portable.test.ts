// src/vision is portable: it imports no Node module and names no Buffer or process, and its
// entry (with fast-png) bundles for the browser, so the lab can draw and read scenes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { importEdges } from '../../scripts/import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

test('src/vision imports no Node module and uses no Buffer or process', () => {
  const edges = importEdges(root).filter((e) => e.from.startsWith('src/vision/'));
  assert.ok(edges.length > 10, 'the import graph sees src/vision');
  const bad = edges.filter(
    (e) => e.to.startsWith('node:') || e.to.startsWith('src/io/') || e.to.startsWith('src/cli/'),
  );
  assert.deepEqual(
    bad.map((e) => `${e.from} -> ${e.to}`),
    [],
  );
  const files = readdirSync(join(root, 'src/vision'), { recursive: true, encoding: 'utf8' });
  for (const f of files.filter((f) => f.endsWith('.ts'))) {
    const code = readFileSync(join(root, 'src/vision', f), 'utf8');
    assert.ok(!/\bBuffer\b|\bprocess\./.test(code), `src/vision/${f} uses Buffer or process`);
  }
});

test('the vision entry, fast-png included, bundles for the browser with no Node module', async () => {
  const result = await build({
    entryPoints: [join(root, 'src/vision/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  assert.equal(result.errors.length, 0);
  const inputs = Object.keys(result.metafile!.inputs);
  assert.ok(inputs.some((f) => f.includes('node_modules/fast-png/')));
  assert.ok(
    inputs.some((f) => f.includes('node_modules/fflate/esm/browser.js')),
    'the browser build of fflate',
  );
  assert.ok(!inputs.some((f) => f.startsWith('node:')));
});
