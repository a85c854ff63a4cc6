// How `llmfs exercise` prints a check: one table row per check (the case, the reference's shape,
// max |Δ|, allclose, the first differing index or what was measured), then one verdict line.

import type { CheckReport, CheckRow, ExerciseSpec } from '../exercises/index.js';

const mark = (r: CheckRow) => (r.passed ? '✓' : '✗');

function fmtDiff(v: number | undefined): string {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  return v === 0 ? '0' : v.toExponential(1);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The table and verdict for `report` (exercise `e`, learner file `file`). */
export function formatReport(e: ExerciseSpec, file: string, report: CheckReport): string {
  const lines: string[] = [
    `${e.id}: ${e.title}`,
    `  file: ${file}   (chapter ${e.chapter}: ${e.section})`,
    '',
  ];
  const compile = report.checks.filter((r) => r.kind === 'compile' || r.kind === 'export');
  for (const r of compile) {
    lines.push(`  ✗ ${r.name === 'compile' ? 'does not compile' : r.name}:`);
    for (const l of (r.message ?? '').split('\n')) lines.push(`      ${l}`);
  }
  const rows = report.checks.filter((r) => r.kind !== 'compile' && r.kind !== 'export');
  if (rows.length > 0) {
    const w = Math.max(5, ...rows.map((r) => r.name.length)) + 2;
    const ws = Math.max(5, ...rows.map((r) => (r.shape ?? '').length)) + 2;
    lines.push(
      `    ${pad('check', w)}${pad('shape', ws)}${pad('max |Δ|', 10)}${pad('allclose', 10)}` +
        'first difference / result',
    );
    for (const r of rows) {
      const close = r.allclose === undefined ? '' : r.allclose ? 'yes' : 'no';
      const detail =
        r.firstDiff ?? (r.kind === 'case' ? (r.passed ? '' : (r.message ?? '')) : (r.message ?? ''));
      lines.push(
        `  ${mark(r)} ${pad(r.name, w)}${pad(r.shape ?? '', ws)}` +
          `${pad(fmtDiff(r.maxAbsDiff), 10)}${pad(close, 10)}${detail}`,
      );
    }
  }
  lines.push('');
  if (report.passed) {
    lines.push(`✓ ${e.id} passed`);
    if (e.compare) lines.push('', `  compare with PyTorch / Hugging Face: ${e.compare}`);
  } else {
    lines.push(`✗ ${e.id} fails: ${report.message ?? 'see above'}`);
    lines.push(`  stuck? llmfs exercise hint ${e.id}`);
  }
  return lines.map((l) => l.trimEnd()).join('\n');
}
