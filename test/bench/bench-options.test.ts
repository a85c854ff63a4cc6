// The bench's command line, its JSON report and the PyTorch columns, without timing anything:
// the suites are never run here (a filter that matches no suite leaves only the header and JSON).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchArgsError, parseBenchArgs } from '../../bench/options.js';
import {
  checkReport,
  compareReports,
  groupByBenchmark,
  writeJsonAtomic,
  type BenchReport,
} from '../../bench/report.js';
import { attachPytorch, pytorchRows, slowBlas, type TorchFigures } from '../../bench/pytorch.js';
import { formatTable, type BenchRow } from '../../bench/harness.js';

test('bench args: --threads takes one count or a comma list, in order, without repeats', () => {
  assert.deepEqual(parseBenchArgs(['--threads', '2']).threads, [2]);
  assert.deepEqual(parseBenchArgs(['--threads', '1,2']).threads, [1, 2]);
  assert.deepEqual(parseBenchArgs(['--threads=2,1,2']).threads, [2, 1]);
  assert.equal(parseBenchArgs(['--threads', '1']).threadsFrom, 'flag');
  const none = parseBenchArgs([]);
  assert.equal(none.threads, null);
  assert.equal(none.threadsFrom, 'default');
});

test('bench args: a bad thread count is an error naming the flag and the value', () => {
  for (const bad of ['0', '1.5', 'two', '1,,2', '-1']) {
    assert.throws(
      () => parseBenchArgs(['--threads', bad]),
      (e: unknown) =>
        e instanceof BenchArgsError && e.message.includes('--threads') && e.message.includes(bad),
    );
  }
  assert.throws(() => parseBenchArgs(['--threads']), /--threads needs a value/);
  assert.throws(() => parseBenchArgs(['--threads', '--json']), /--threads needs a value/);
  assert.throws(() => parseBenchArgs(['--thread', '2']), /unknown flag '--thread'/);
});

test('bench args: LLMFS_THREADS sets the counts unless --threads does; a bad value warns', () => {
  const env = parseBenchArgs([], { LLMFS_THREADS: '1,2' });
  assert.deepEqual(env.threads, [1, 2]);
  assert.equal(env.threadsFrom, 'env');
  assert.deepEqual(parseBenchArgs(['--threads', '2'], { LLMFS_THREADS: '1' }).threads, [2]);
  const bad = parseBenchArgs([], { LLMFS_THREADS: 'many' });
  assert.equal(bad.threads, null);
  assert.equal(bad.warnings.length, 1);
  assert.match(bad.warnings[0], /LLMFS_THREADS.*'many'.*one thread per core/);
});

test('bench args: --json prints to stdout, --json x.json and --json=x write a file', () => {
  const bare = parseBenchArgs(['--json']);
  assert.equal(bare.jsonStdout, true);
  assert.equal(bare.jsonPath, null);
  // a bare --json before a filter keeps its old meaning: JSON on stdout, the filter a filter
  const filtered = parseBenchArgs(['--json', 'matmul']);
  assert.equal(filtered.jsonStdout, true);
  assert.deepEqual(filtered.filters, ['matmul']);
  const file = parseBenchArgs(['--json', 'out/run.json', 'training']);
  assert.equal(file.jsonPath, 'out/run.json');
  assert.equal(file.jsonStdout, false);
  assert.deepEqual(file.filters, ['training']);
  assert.equal(parseBenchArgs(['--json=run1']).jsonPath, 'run1');
  assert.throws(() => parseBenchArgs(['--json=']), /needs a file name/);
});

test('bench args: --compare takes a file, --pytorch is a switch, the rest are filters', () => {
  const o = parseBenchArgs(['generate', '--compare', 'old.json', '--pytorch', 'training']);
  assert.equal(o.comparePath, 'old.json');
  assert.equal(o.pytorch, true);
  assert.deepEqual(o.filters, ['generate', 'training']);
  assert.equal(parseBenchArgs([]).pytorch, false);
  assert.throws(() => parseBenchArgs(['--compare']), /--compare needs a value/);
});

const rows: BenchRow[] = [
  { suite: 'training', name: 'tiny step', value: 10, unit: 'ms', threads: 1, pytorchKey: 'train:tiny' },
  {
    suite: 'generate',
    name: 'gpt2 64, KV cache',
    value: 20,
    unit: 'tokens/s',
    threads: 1,
    pytorchKey: 'generate:gpt2 64 cache',
  },
  { suite: 'training', name: 'tiny step', value: 8, unit: 'ms', threads: 2, pytorchKey: 'train:tiny' },
  {
    suite: 'generate',
    name: 'gpt2 64, KV cache',
    value: 30,
    unit: 'tokens/s',
    threads: 2,
    pytorchKey: 'generate:gpt2 64 cache',
  },
];

function report(rs: BenchRow[]): BenchReport {
  return {
    schema: 1,
    date: '2026-01-01T00:00:00.000Z',
    commit: 'abc1234',
    node: '24.0.0',
    simd: 'relaxed',
    threads: [1, 2],
    cores: 2,
    backends: [
      { threads: 1, backend: 'wasm-relaxed' },
      { threads: 2, backend: 'wasm-relaxed x2 threads' },
    ],
    pytorch: { skipped: 'not asked (--pytorch)' },
    rows: rs,
  };
}

test('bench report: rows of one benchmark sit together, in the order the benchmarks came', () => {
  const g = groupByBenchmark(rows);
  assert.deepEqual(
    g.map((r) => `${r.name}@${r.threads}`),
    ['tiny step@1', 'tiny step@2', 'gpt2 64, KV cache@1', 'gpt2 64, KV cache@2'],
  );
});

test('bench report: the JSON written atomically reads back with its shape checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-json-'));
  try {
    const path = join(dir, 'run.json');
    writeJsonAtomic(path, report(rows));
    assert.deepEqual(readdirSync(dir), ['run.json'], 'no temporary file is left behind');
    const back = checkReport(JSON.parse(readFileSync(path, 'utf8')));
    assert.deepEqual(back.threads, [1, 2]);
    assert.equal(back.rows[2].threads, 2);
    assert.throws(() => checkReport({ ...report(rows), schema: 2 }), /schema is 2/);
    assert.throws(() => checkReport({ ...report(rows), simd: 'avx' }), /simd is 'avx'/);
    assert.throws(
      () => checkReport({ ...report(rows), rows: [{ suite: 's', name: 'n', unit: 'ms' }] }),
      /row 0 \(n\) has no numeric value/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench compare: rows pair by suite, name and thread count; ratios are new / old', () => {
  const now = report(rows.map((r) => ({ ...r, value: r.value * 2 })));
  now.rows.push({ suite: 'training', name: 'new row', value: 1, unit: 'ms', threads: 1 });
  const c = compareReports(report(rows), now);
  assert.equal(c.pairs.length, 4);
  assert.ok(c.pairs.every((p) => p.ratio === 2));
  assert.equal(c.pairs[2].threads, 2);
  assert.equal(c.onlyNew, 1);
  assert.equal(c.onlyOld, 0);
});

test('bench pytorch: ratios ours / PyTorch at the same thread count, only for keyed rows', () => {
  const run = (threads: number, ms: number, tps: number) => ({
    threads,
    gemm: { '256': 50 },
    train: { tiny: { ms, tokensPerSecond: 1000 } },
    generate: { 'gpt2 64 cache': tps },
  });
  const f: TorchFigures = {
    torch: '1.13.0',
    blas: '/usr/lib/libblas.so.3',
    runs: { '1': run(1, 5, 10), '2': run(2, 4, 15) },
  };
  const rs = rows.map((r) => ({ ...r }));
  rs.push({ suite: 'training', name: 'no key', value: 3, unit: 'ms', threads: 1 });
  rs.push({
    suite: 'training',
    name: 'tiny step',
    value: 6,
    unit: 'ms',
    threads: 4,
    pytorchKey: 'train:tiny',
  });
  attachPytorch(rs, f);
  assert.deepEqual(rs[0].pytorch, { value: 5, ratio: 2 });
  assert.deepEqual(rs[1].pytorch, { value: 10, ratio: 2 });
  assert.deepEqual(rs[2].pytorch, { value: 4, ratio: 2 });
  assert.deepEqual(rs[3].pytorch, { value: 15, ratio: 2 });
  assert.equal(rs[4].pytorch, undefined, 'a row without a key gets no column');
  assert.equal(rs[5].pytorch, undefined, 'no PyTorch run at 4 threads');
  assert.equal(slowBlas(f), true);
  assert.equal(slowBlas({ ...f, blas: '/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3' }), false);
  assert.equal(pytorchRows(f).length, 6);
  const table = formatTable(rs).split('\n');
  assert.match(table[0], /threads\s+value\s+unit\s+PyTorch\s+ours\/PyTorch/);
  assert.match(table[2], /tiny step\s+1\s+10\.0\s+ms\s+5\.00\s+2\.00x/);
});

test('bench table: no threads or PyTorch columns when no row has them', () => {
  const head = formatTable([{ suite: 's', name: 'n', value: 1, unit: 'ms' }]).split('\n')[0];
  assert.equal(head, 'suite  benchmark  value  unit  note');
});

test('npm run bench: --threads 1,2 and --json file print the header and write the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
  try {
    const path = join(dir, 'out.json');
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(report(rows)));
    // 'no-such-suite' matches no suite: backends start at both counts, nothing is timed
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        'no-such-suite',
        '--threads',
        '1,2',
        '--json',
        path,
        '--compare',
        old,
      ],
      { encoding: 'utf8', env: { ...process.env, LLMFS_BACKEND: 'wasm' }, timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`Node ${process.versions.node.replace(/\./g, '\\.')} · wasm (relaxed|plain) SIMD`),
    );
    assert.match(r.stdout, /threads 1, 2 \(--threads; \d+ cores\)/);
    assert.match(r.stdout, /PyTorch: not run \(--pytorch adds/);
    assert.match(r.stdout, /compared with .*old\.json/);
    const rep = checkReport(JSON.parse(readFileSync(path, 'utf8')));
    assert.deepEqual(rep.threads, [1, 2]);
    assert.equal(rep.node, process.versions.node);
    assert.ok(rep.simd === 'relaxed' || rep.simd === 'simd');
    assert.deepEqual(
      rep.backends.map((b) => b.threads),
      [1, 2],
    );
    assert.deepEqual(rep.pytorch, { skipped: 'not asked (--pytorch)' });
    assert.deepEqual(rep.rows, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
