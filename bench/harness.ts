// Timing helpers for the benchmark: warm up, then take the median of repeated runs.

export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Optional free-form note, such as the reference it is compared with. */
  note?: string;
  /** The kernel thread count the row was measured at (bench/run.ts sets it). */
  threads?: number;
  /**
   * The PyTorch figure this row is measured against, as bench/pytorch.ts names it: 'train:<preset>'
   * (ms per step) or 'generate:<key of scripts/bench-pytorch.py>' (tokens/s).
   */
  pytorchKey?: string;
  /** PyTorch's figure at the same thread count, and ours / PyTorch (bench/pytorch.ts fills it). */
  pytorch?: { value: number; ratio: number };
}

export interface Suite {
  name: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

/** Median wall time in milliseconds of `fn`, after `warmup` untimed calls. */
export function timeMs(
  fn: () => void,
  opts: { warmup?: number; repeats?: number; minMs?: number } = {},
): number {
  const warmup = opts.warmup ?? 2;
  const repeats = opts.repeats ?? 5;
  const minMs = opts.minMs ?? 200;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < repeats || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if (times.length >= 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * The table: a threads column when rows carry a thread count, and PyTorch's figure with the ratio
 * ours / PyTorch when any row has one (in the row's unit: below 1 is faster for ms, above 1 is
 * faster for tokens/s).
 */
export function formatTable(rows: BenchRow[]): string {
  const withThreads = rows.some((r) => r.threads !== undefined);
  const withTorch = rows.some((r) => r.pytorch !== undefined);
  const cols: { head: string; right?: boolean; cell: (r: BenchRow) => string }[] = [
    { head: 'suite', cell: (r) => r.suite },
    { head: 'benchmark', cell: (r) => r.name },
  ];
  if (withThreads) cols.push({ head: 'threads', right: true, cell: (r) => String(r.threads ?? '') });
  cols.push({ head: 'value', right: true, cell: (r) => fmt(r.value) }, { head: 'unit', cell: (r) => r.unit });
  if (withTorch) {
    cols.push(
      { head: 'PyTorch', right: true, cell: (r) => (r.pytorch ? fmt(r.pytorch.value) : '') },
      { head: 'ours/PyTorch', right: true, cell: (r) => (r.pytorch ? `${r.pytorch.ratio.toFixed(2)}x` : '') },
    );
  }
  cols.push({ head: 'note', cell: (r) => r.note ?? '' });
  return textTable(
    cols.map((c) => c.head),
    rows.map((r) => cols.map((c) => c.cell(r))),
    cols.map((c) => c.right === true),
  );
}

/** Columns padded to their widest cell; `right` columns (numbers) are right-aligned. */
export function textTable(head: string[], body: string[][], right: boolean[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A figure with three significant digits or so (integers from 100 up). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
