// The bench's JSON report: what ran (Node version, wasm SIMD flavour, thread counts, commit) and
// every row, written atomically so a file from an interrupted run is never half a report. Two
// reports from different commits compare row by row (`--compare old.json`): new / old.

import { renameSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import type { BenchRow } from './harness.js';
import { fmt, textTable } from './harness.js';

export interface BenchReport {
  /** Bumped when a field changes meaning. */
  schema: 1;
  /** ISO time the run started. */
  date: string;
  /** `git rev-parse --short HEAD`, with '+dirty' for uncommitted changes; null outside git. */
  commit: string | null;
  /** process.versions.node. */
  node: string;
  /** The wasm SIMD build in use: relaxed (fused multiply-add), plain 128-bit SIMD, or none (js). */
  simd: 'relaxed' | 'simd' | 'none';
  /** Thread counts the suites ran at, in order. */
  threads: number[];
  /** Cores the machine reports (os.availableParallelism). */
  cores: number;
  /** The backend installed at each thread count, as its name reads. */
  backends: { threads: number; backend: string }[];
  /** PyTorch's version and BLAS when --pytorch ran it; why not otherwise. */
  pytorch: { torch: string; blas: string } | { skipped: string };
  rows: BenchRow[];
}

/** Checks that `x` has a report's shape; the message names the first field that does not. */
export function checkReport(x: unknown, what = 'report'): BenchReport {
  const fail = (m: string): never => {
    throw new Error(`${what}: ${m} (not a file written by npm run bench -- --json)`);
  };
  if (typeof x !== 'object' || x === null) return fail('not a JSON object');
  const r = x as Record<string, unknown>;
  if (r.schema !== 1) fail(`schema is ${JSON.stringify(r.schema)}, expected 1`);
  for (const k of ['date', 'node', 'simd'] as const)
    if (typeof r[k] !== 'string') fail(`field '${k}' is not a string`);
  if (!['relaxed', 'simd', 'none'].includes(r.simd as string)) fail(`simd is '${String(r.simd)}'`);
  if (!Array.isArray(r.threads) || !r.threads.every((t) => Number.isInteger(t) && t >= 1))
    fail("field 'threads' is not a list of thread counts");
  if (!Array.isArray(r.rows)) return fail("field 'rows' is not a list");
  r.rows.forEach((row: unknown, i: number) => {
    const o = row as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) fail(`row ${i} is not an object`);
    if (typeof o.suite !== 'string' || typeof o.name !== 'string' || typeof o.unit !== 'string')
      fail(`row ${i} lacks suite, name or unit`);
    if (typeof o.value !== 'number') fail(`row ${i} (${String(o.name)}) has no numeric value`);
  });
  return x as BenchReport;
}

/** Writes JSON to a temporary file beside `path`, then renames it over `path` (atomic on POSIX). */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function readReport(path: string): BenchReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--compare ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`--compare ${path}: not valid JSON`);
  }
  return checkReport(parsed, `--compare ${path}`);
}

/**
 * Rows in table order: rows of the same benchmark at different thread counts side by side, in
 * the order the benchmarks first appeared.
 */
export function groupByBenchmark(rows: BenchRow[]): BenchRow[] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const k = `${r.suite}\u0000${r.name}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].flat();
}

export interface Comparison {
  suite: string;
  name: string;
  threads?: number;
  unit: string;
  old: number;
  now: number;
  /** now / old. */
  ratio: number;
}

/**
 * Pairs rows by suite, name and thread count (a row of an old report without thread counts pairs
 * with the same benchmark at any count). Rows in only one report are counted, not paired.
 */
export function compareReports(
  old: BenchReport,
  now: BenchReport,
): { pairs: Comparison[]; onlyNew: number; onlyOld: number } {
  const key = (r: BenchRow, withThreads: boolean) =>
    `${r.suite}\u0000${r.name}\u0000${withThreads ? (r.threads ?? '') : ''}`;
  const oldHasThreads = old.rows.some((r) => r.threads !== undefined);
  const byKey = new Map(old.rows.map((r) => [key(r, oldHasThreads), r]));
  const used = new Set<string>();
  const pairs: Comparison[] = [];
  let onlyNew = 0;
  for (const r of now.rows) {
    const k = key(r, oldHasThreads);
    const o = byKey.get(k);
    if (!o || o.unit !== r.unit) {
      onlyNew++;
      continue;
    }
    used.add(k);
    pairs.push({
      suite: r.suite,
      name: r.name,
      threads: r.threads,
      unit: r.unit,
      old: o.value,
      now: r.value,
      ratio: r.value / o.value,
    });
  }
  return { pairs, onlyNew, onlyOld: [...byKey.keys()].filter((k) => !used.has(k)).length };
}

export function formatComparison(c: ReturnType<typeof compareReports>, oldName: string): string {
  const body = c.pairs.map((p) => [
    p.suite,
    p.name,
    String(p.threads ?? ''),
    fmt(p.old),
    fmt(p.now),
    p.unit,
    Number.isFinite(p.ratio) ? `${p.ratio.toFixed(2)}x` : String(p.ratio),
  ]);
  const table = textTable(['suite', 'benchmark', 'threads', 'old', 'new', 'unit', 'new/old'], body, [
    false,
    false,
    true,
    true,
    true,
    false,
    true,
  ]);
  const unpaired =
    c.onlyNew + c.onlyOld > 0
      ? `\n(${c.onlyNew} rows only in this run, ${c.onlyOld} only in ${oldName})`
      : '';
  return `compared with ${oldName} (new/old: below 1 is faster for ms, above 1 for tokens/s and GFLOP/s)\n${table}${unpaired}`;
}
