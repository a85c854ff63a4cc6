// Timing helpers for the benchmark: warm up, then take the median of repeated runs.

export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Optional free-form note, such as the reference it is compared with. */
  note?: string;
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

export function formatTable(rows: BenchRow[]): string {
  const head = ['suite', 'benchmark', 'value', 'unit', 'note'];
  const body = rows.map((r) => [r.suite, r.name, fmt(r.value), r.unit, r.note ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
