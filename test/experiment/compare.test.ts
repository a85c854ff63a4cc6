// `llmfs compare` and `llmfs experiment`: each variant is an ordinary run directory (it reloads as
// that variant), the comparison is saved as Markdown, JSON, an SVG of the loss curves and an HTML
// report; variants are defined by config fields that become train flags; bad input is one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommand, experimentCommand, variantFlags } from '../../src/cli/compare.js';
import { LlmfsError } from '../../src/errors.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { VARIANTS } from '../../src/experiment/variants.js';
import { comparisonMarkdown, type Comparison } from '../../src/experiment/compare-report.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-compare-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));
const DATA = join(TMP, 'text.txt');
writeFileSync(DATA, 'the cat sat on the mat. the dog sat on the log. '.repeat(60));
const SHARED = [
  '--data',
  DATA,
  '--preset',
  'tiny',
  '--block-size',
  '16',
  '--n-layer',
  '1',
  '--batch-size',
  '2',
];
const SHORT = ['--steps', '4', '--eval-interval', '2', '--eval-batches', '1', '--no-cache'];

async function run(
  cmd: typeof compareCommand,
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const saved = console.log;
  const savedErr = console.error;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  console.error = () => {};
  try {
    return { code: (await cmd.run(argv)) ?? 0, out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
    console.error = savedErr;
  }
}

test('variants become train flags; every named variant maps to real flags', () => {
  assert.deepEqual(variantFlags({ attention: 'sliding', window: 16 }), [
    '--attention',
    'sliding',
    '--window',
    '16',
  ]);
  assert.deepEqual(variantFlags({ qkNorm: true }), ['--qk-norm']);
  assert.deepEqual(variantFlags({ moeExperts: 4, moeTopK: 2 }), ['--moe-experts', '4', '--moe-top-k', '2']);
  for (const v of VARIANTS) assert.ok(Array.isArray(variantFlags(v.config(64))), v.name);
  assert.throws(() => variantFlags({ bogus: 1 }), /the model field 'bogus' has no llmfs train flag/);
});

test('compare: two variants trained alike, each an ordinary run that reloads as its variant', async () => {
  const out = join(TMP, 'cmp');
  const r = await run(compareCommand, [
    '--variants',
    'full,sliding',
    ...SHARED,
    ...SHORT,
    '--out',
    out,
    '--cost-lengths',
    '16,32',
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Comparison & { html: string };
  assert.deepEqual(
    j.results.map((x) => x.name),
    ['full', 'sliding'],
  );
  for (const x of j.results) {
    assert.ok(x.parameters > 0 && x.tokensPerSecond > 0 && x.peakMemoryMB > 0 && Number.isFinite(x.valLoss));
    assert.deepEqual(
      x.evals.map((e) => e[0]),
      [2, 4],
    );
  }
  // Same data, seed and shape: the same parameter count, different losses (the sliding window bites).
  assert.equal(j.results[0].parameters, j.results[1].parameters);
  assert.equal(loadPretrained(join(out, 'sliding', 'best')).model.config.attention, 'sliding');
  assert.equal(loadPretrained(join(out, 'sliding', 'best')).model.config.window, 4);
  assert.equal(loadPretrained(join(out, 'full', 'best')).model.config.attention, 'full');
  assert.deepEqual(
    j.cost.map((c) => c.points.map((p) => p.T)),
    [
      [16, 32],
      [16, 32],
    ],
  );
  for (const f of ['compare.md', 'compare.json', 'loss-curves.svg', 'compare.html'])
    assert.ok(existsSync(join(out, f)), f);
  assert.equal(readFileSync(join(out, 'compare.md'), 'utf8'), `${comparisonMarkdown(j)}\n`);
  assert.match(readFileSync(j.html, 'utf8'), /class="line-chart"[\s\S]*class="line-chart"/);
});

test('experiment: variants from a file, as config fields', async () => {
  const file = join(TMP, 'exp.json');
  const out = join(TMP, 'exp');
  const train = {
    data: DATA,
    preset: 'tiny',
    'block-size': 16,
    'n-layer': 1,
    'batch-size': 2,
    steps: 2,
    'eval-interval': 2,
    'eval-batches': 1,
    cache: false,
  };
  writeFileSync(file, JSON.stringify({ out, train, variants: { narrow: { nHead: 1 } }, costLengths: [] }));
  const r = await run(experimentCommand, [file]);
  assert.equal(r.code, 0, r.err);
  assert.equal(loadPretrained(join(out, 'narrow', 'best')).model.config.nHead, 1);
  assert.match(r.out, /\| narrow \|/);
});

test('bad input: one clear line each', async () => {
  const out = join(TMP, 'bad');
  const cases: [typeof compareCommand, string[], RegExp][] = [
    [
      compareCommand,
      ['--variants', 'full,dilated', '--out', out],
      /unknown variant 'dilated' \(known: full, sliding/,
    ],
    [compareCommand, ['--variants', 'full,full', '--out', out], /variant 'full' is listed twice/],
    [
      compareCommand,
      ['--variants', 'sliding', '--window', '4', ...SHARED, '--out', out],
      /--window is set by the variant 'sliding'/,
    ],
    [compareCommand, ['--cost-lengths', '16,x', '--out', out], /--cost-lengths must be whole numbers/],
    [compareCommand, ['--variants', 'full', '--bogus', '--out', out], /bogus/],
    [experimentCommand, [join(TMP, 'missing.json')], /does not exist/],
  ];
  writeFileSync(join(TMP, 'garbled.json'), '{"variants": [');
  writeFileSync(join(TMP, 'novariants.json'), '{"train": {}}');
  cases.push([experimentCommand, [join(TMP, 'garbled.json')], /is not valid JSON/]);
  cases.push([experimentCommand, [join(TMP, 'novariants.json')], /needs "variants"/]);
  for (const [cmd, argv, re] of cases) {
    const r = await run(cmd, argv);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.err, re);
  }
});
