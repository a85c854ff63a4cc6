// `npm run bench`: runs every benchmark suite and prints a header (Node version, wasm SIMD
// flavour, thread counts) and one table; JSON to stdout or a file for comparing commits.
// Speed is measured here, never in tests. Machines are noisy: compare ratios within one run.
//   npm run bench                          all suites, one thread per core
//   npm run bench -- matmul                only suites whose name contains 'matmul'
//   npm run bench -- --threads 1,2         every suite at 1 and then 2 kernel threads
//   LLMFS_THREADS=1 npm run bench          the same as --threads 1
//   npm run bench -- --json                the table, then the JSON on stdout
//   npm run bench -- --json out.json       the JSON written to out.json (temp file + rename)
//   npm run bench -- --compare old.json    ratios new/old per row against an earlier --json file
//   npm run bench -- --pytorch             PyTorch at the same thread counts, ours/PyTorch columns
// The flags are parsed in options.ts; LLMFS_BACKEND=js runs the reference kernels (one thread).

import { spawnSync } from 'node:child_process';
import { suites } from './suites.js';
import type { BenchRow } from './harness.js';
import { formatTable } from './harness.js';
import { BenchArgsError, parseBenchArgs, type BenchOptions } from './options.js';
import {
  compareReports,
  formatComparison,
  groupByBenchmark,
  readReport,
  writeJsonAtomic,
  type BenchReport,
} from './report.js';
import { attachPytorch, pytorchRows, runPytorch, slowBlas, torchMissing } from './pytorch.js';
import { createNodeWasmBackend, defaultThreads } from '../src/kernels/threads/node.js';
import { wasmSupported, type WasmBackend } from '../src/kernels/wasm/backend.js';
import { resetBackend, setBackend } from '../src/kernels/backend.js';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** A usage error: one line, exit code 2, no stack. */
function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof BenchArgsError)) throw err;
  fail(err.message);
}
for (const w of opts.warnings) log(`warning: ${w}`);
let old: BenchReport | null = null;
try {
  if (opts.comparePath !== null) old = readReport(opts.comparePath); // before the timed work
} catch (err) {
  fail(`bench: ${(err as Error).message}`);
}

const cores = defaultThreads();
const useJs = process.env.LLMFS_BACKEND === 'js' || !wasmSupported();
if (useJs && opts.threads !== null)
  log('warning: the reference JS kernels run on one thread; thread counts ignored');
const counts = useJs ? [1] : (opts.threads ?? [cores]);
for (const t of counts)
  if (t > cores) log(`warning: ${t} threads on ${cores} cores: the threads share cores, figures drop`);

const date = new Date().toISOString();
const backends: BenchReport['backends'] = [];
let simd: BenchReport['simd'] = 'none';
const rows: BenchRow[] = [];
for (const threads of counts) {
  // Model-level suites run on the fast backend, as the CLI does (LLMFS_BACKEND=js for the reference).
  let be: WasmBackend | null = null;
  if (!useJs) {
    be = await createNodeWasmBackend({ threads });
    setBackend(be);
    simd = be.simd;
    if (be.threads !== threads) log(`warning: asked for ${threads} threads, the pool started ${be.threads}`);
  }
  const backend = be?.name ?? 'js';
  backends.push({ threads, backend });
  log(`backend ${backend}`);
  for (const suite of suites) {
    if (opts.filters.length > 0 && !opts.filters.some((f) => suite.name.includes(f))) continue;
    log(`${suite.name} (${threads} thread${threads > 1 ? 's' : ''})...`);
    for (const r of await suite.run()) rows.push({ ...r, threads });
  }
  be?.close();
  resetBackend();
}

// PyTorch after ours, never at the same time: the two would share the cores.
let pytorch: BenchReport['pytorch'];
let torchLine: string;
if (!opts.pytorch) {
  pytorch = { skipped: 'not asked (--pytorch)' };
  torchLine = 'PyTorch: not run (--pytorch adds ours/PyTorch at the same thread counts)';
} else if (!rows.some((r) => r.pytorchKey !== undefined)) {
  pytorch = { skipped: 'no selected suite has a PyTorch counterpart' };
  torchLine = 'PyTorch: not run (only the training and generate suites have PyTorch counterparts)';
} else {
  const missing = torchMissing();
  if (missing !== null) {
    pytorch = { skipped: missing };
    torchLine = `PyTorch: skipped, ${missing} (the rest of the bench does not need it)`;
  } else {
    log(`scripts/bench-pytorch.py --threads ${counts.join(',')}...`);
    try {
      const f = runPytorch(counts);
      attachPytorch(rows, f);
      rows.push(...pytorchRows(f));
      pytorch = { torch: f.torch, blas: f.blas };
      torchLine =
        `PyTorch ${f.torch} at ${counts.join(', ')} thread(s), BLAS ${f.blas}` +
        (slowBlas(f) ? ' (the reference BLAS: slow, so the ratios flatter us; install OpenBLAS)' : '');
    } catch (err) {
      pytorch = { skipped: (err as Error).message };
      torchLine = `PyTorch: skipped, ${(err as Error).message}`;
    }
  }
}

const report: BenchReport = {
  schema: 1,
  date,
  commit: gitCommit(),
  node: process.versions.node,
  simd,
  threads: counts,
  cores,
  backends,
  pytorch,
  rows: groupByBenchmark(rows),
};

const simdText = {
  relaxed: 'relaxed SIMD',
  simd: 'plain SIMD (no relaxed SIMD)',
  none: 'none (reference JS kernels)',
};
const from = { flag: '--threads', env: 'LLMFS_THREADS', default: 'one per core' }[opts.threadsFrom];
console.log(
  [
    `llm-from-scratch bench, ${report.commit ?? 'no git commit'}, ${date}`,
    `Node ${report.node} · wasm ${simdText[simd]} · threads ${counts.join(', ')} ` +
      `(${useJs ? 'reference kernels' : from}; ${cores} cores) · ${backends.map((b) => b.backend).join(', ')}`,
    torchLine,
    '',
  ].join('\n'),
);
console.log(formatTable(report.rows));
if (old) console.log(`\n${formatComparison(compareReports(old, report), opts.comparePath!)}`);
if (opts.jsonPath !== null) {
  writeJsonAtomic(opts.jsonPath, report);
  log(`JSON written to ${opts.jsonPath}`);
}
if (opts.jsonStdout) console.log(JSON.stringify(report, null, 2));

function gitCommit(): string | null {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  return head.stdout.trim() + (dirty.stdout.trim() !== '' ? '+dirty' : '');
}
