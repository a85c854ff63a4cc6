// The PyTorch side of the bench (`--pytorch`): runs scripts/bench-pytorch.py once for every thread
// count, then puts PyTorch's figure beside each row that names one (BenchRow.pytorchKey) at the
// same thread count, with the ratio ours / PyTorch. Never needed: without /usr/bin/python3 and
// torch the bench says so in one line and prints the rest.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchRow } from './harness.js';

const PYTHON = '/usr/bin/python3';
/** Debian's OpenBLAS with OpenMP threads; torch otherwise finds the slow reference libblas. */
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

/** What scripts/bench-pytorch.py measures at one thread count. */
export interface TorchRun {
  threads: number;
  gemm: Record<string, number>;
  train: Record<string, { ms: number; tokensPerSecond: number }>;
  generate: Record<string, number>;
}

export interface TorchFigures {
  torch: string;
  blas: string;
  runs: Record<string, TorchRun>;
}

/** Why PyTorch cannot run here, or null when /usr/bin/python3 imports torch. */
export function torchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch`;
}

/**
 * Runs scripts/bench-pytorch.py at each thread count (one process); throws with its stderr. The
 * uncached generation runs are skipped by default: no row compares with them, and gpt2's takes
 * minutes in eager PyTorch.
 */
export function runPytorch(threads: number[], opts: { cachedOnly?: boolean } = {}): TorchFigures {
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(Math.max(...threads)),
    ...(existsSync(OPENBLAS) ? { LD_LIBRARY_PATH: OPENBLAS } : {}),
  };
  const args = ['scripts/bench-pytorch.py', '--threads', threads.join(',')];
  if (opts.cachedOnly ?? true) args.push('--cached-only');
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env, timeout: 1_800_000 });
  if (r.status !== 0) {
    const why = r.error?.message ?? (r.stderr.trim().split('\n').pop() || `exit code ${r.status}`);
    throw new Error(`scripts/bench-pytorch.py failed: ${why}`);
  }
  return JSON.parse(r.stdout) as TorchFigures;
}

/** A BLAS that is not OpenBLAS/MKL is the reference one: ~6 GFLOP/s, which flatters our ratios. */
export function slowBlas(f: TorchFigures): boolean {
  return !/openblas|mkl|blis/i.test(f.blas);
}

/** PyTorch's figure for a row key at one thread count: 'train:<preset>' or 'generate:<key>'. */
export function torchValue(f: TorchFigures, key: string, threads: number): number | undefined {
  const run = f.runs[String(threads)];
  if (!run) return undefined;
  const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (kind === 'train') return run.train[rest]?.ms;
  if (kind === 'generate') return run.generate[rest];
  return undefined;
}

/** Fills row.pytorch for every row with a key and a thread count PyTorch was measured at. */
export function attachPytorch(rows: BenchRow[], f: TorchFigures): void {
  for (const r of rows) {
    if (r.pytorchKey === undefined || r.threads === undefined) continue;
    const v = torchValue(f, r.pytorchKey, r.threads);
    if (v !== undefined && v > 0) r.pytorch = { value: v, ratio: r.value / v };
  }
}

/** PyTorch's own figures as rows (suite 'pytorch'), for the table and the JSON. */
export function pytorchRows(f: TorchFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const run of Object.values(f.runs)) {
    const threads = run.threads;
    for (const [name, t] of Object.entries(run.train))
      rows.push({ suite: 'pytorch', name: `${name} step (fwd+bwd+AdamW)`, value: t.ms, unit: 'ms', threads });
    for (const [k, tps] of Object.entries(run.generate))
      rows.push({ suite: 'pytorch', name: `generate ${k}`, value: tps, unit: 'tokens/s', threads });
    for (const [n, gf] of Object.entries(run.gemm))
      rows.push({ suite: 'pytorch', name: `gemm ${n}x${n}x${n}`, value: gf, unit: 'GFLOP/s', threads });
  }
  return rows;
}
