// `npm run bench`: runs every benchmark suite and prints one table, then JSON with --json.
// Speed is measured here, never in tests. Machines are noisy: compare ratios within one run.
//   npm run bench                 all suites, table
//   npm run bench -- --json       all suites, table then JSON
//   npm run bench -- matmul       only suites whose name contains 'matmul'

import { suites } from './suites.js';
import type { BenchRow } from './harness.js';
import { formatTable } from './harness.js';
import { useFastBackend } from '../src/kernels/threads/node.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const filters = args.filter((a) => !a.startsWith('--'));

// Model-level suites run on the fast backend, as the CLI does (LLMFS_BACKEND=js for the reference).
const backend = process.env.LLMFS_BACKEND === 'js' ? 'js' : await useFastBackend();
process.stderr.write(`bench: backend ${backend}\n`);

const rows: BenchRow[] = [];
for (const suite of suites) {
  if (filters.length > 0 && !filters.some((f) => suite.name.includes(f))) continue;
  process.stderr.write(`bench: ${suite.name}...\n`);
  rows.push(...(await suite.run()));
}
console.log(formatTable(rows));
if (json) console.log(JSON.stringify({ node: process.versions.node, backend, rows }, null, 2));
