// The two entry points and the shape of src/: the portable entry bundles for a browser (esbuild
// fails on any `node:` import), the Node entry adds what needs Node, no import cycle remains in
// src/, kernels/ imports nothing from tensor/, and the portable layers import no Node module.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { importCycles, importEdges } from '../../scripts/import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PORTABLE = [
  'tensor',
  'kernels',
  'nn',
  'tokenizer',
  'model',
  'train',
  'generate',
  'eval',
  'quant',
  'prune',
  'chat',
  'vision',
];
/** Node-only files inside the portable layers, reached only from the Node entry. */
const NODE_ONLY = new Set(['src/kernels/threads/node.ts', 'src/kernels/threads/worker.mjs']);

test('the portable entry bundles for the browser (esbuild, platform browser) with no Node module', async () => {
  const result = await build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  assert.equal(result.errors.length, 0);
  const inputs = Object.keys(result.metafile!.inputs);
  assert.ok(
    inputs.some((f) => f.endsWith('src/model/gpt.ts')),
    'the bundle holds the model',
  );
  assert.ok(
    !inputs.some((f) => f.startsWith('node:') || f.includes('src/io/files') || f.includes('src/data/')),
  );
});

test('a node: import in the portable entry fails the browser bundle (the check above can fail)', async () => {
  await assert.rejects(
    build({
      stdin: {
        contents: "import { readFileSync } from 'node:fs'; export const x = readFileSync;",
        resolveDir: root,
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    }),
  );
});

test('the Node entry adds checkpoints, HF directories and the fast backend to everything portable', async () => {
  const portable = await import('../../src/index.js');
  const node = await import('../../src/node.js');
  for (const name of Object.keys(portable)) assert.ok(name in node, `${name} is also in the Node entry`);
  for (const name of [
    'loadPretrained',
    'loadHfGpt2',
    'saveHfGpt2',
    'loadModel',
    'saveModel',
    'useFastBackend',
    'defaultCorpus',
    'readImageFile',
    'writeImageFile',
    'loadVlm',
    'loadClassifier',
  ]) {
    assert.equal(
      typeof (node as Record<string, unknown>)[name],
      'function',
      `${name} is exported by the Node entry`,
    );
    assert.ok(!(name in portable), `${name} is not in the portable entry`);
  }
});

test('the portable entry holds the vision layer as one namespace, with classification inside it', async () => {
  const { vision } = await import('../../src/index.js');
  for (const name of [
    'createVlm',
    'trainVlm',
    'trainVlmAsync',
    'ViT',
    'sceneExample',
    'decodePng',
    'imageToTensor',
  ])
    assert.equal(typeof (vision as Record<string, unknown>)[name], 'function', `vision.${name}`);
  assert.equal(typeof vision.classify.trainClassifier, 'function');
});

test('src/ has no import cycle (type-only imports included)', () => {
  const cycles = importCycles(importEdges(root));
  assert.deepEqual(
    cycles.map((c) => c.join(' <-> ')),
    [],
  );
});

test('the cycle finder finds a cycle', () => {
  const cycles = importCycles([
    { from: 'src/a.ts', to: 'src/b.ts', typeOnly: false },
    { from: 'src/b.ts', to: 'src/c.ts', typeOnly: true },
    { from: 'src/c.ts', to: 'src/a.ts', typeOnly: false },
    { from: 'src/c.ts', to: 'src/d.ts', typeOnly: false },
  ]);
  assert.deepEqual(cycles, [['src/a.ts', 'src/b.ts', 'src/c.ts']]);
});

test('kernels/ imports nothing from tensor/, and the portable layers import no Node module', () => {
  const edges = importEdges(root);
  const bad = edges.filter((e) => e.from.startsWith('src/kernels/') && e.to.startsWith('src/tensor/'));
  assert.deepEqual(
    bad.map((e) => `${e.from} -> ${e.to}`),
    [],
  );
  const nodeImports = edges.filter(
    (e) =>
      PORTABLE.some((d) => e.from.startsWith(`src/${d}/`)) &&
      !NODE_ONLY.has(e.from) &&
      (e.to.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'child_process'].includes(e.to)),
  );
  assert.deepEqual(
    nodeImports.map((e) => `${e.from} -> ${e.to}`),
    [],
  );
});
