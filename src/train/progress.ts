// Progress lines for long jobs: one bar for all of them, the training line (step, bar, loss,
// validation loss, learning rate, throughput, time left), and the line of any other counted job
// (`merges [###.....] 120/500 24% 3.1s ETA 9s`). Pure formatting, so the CLI (a terminal) and the
// browser lab can both show them.

export interface ProgressState {
  step: number;
  steps: number;
  loss: number;
  valLoss?: number;
  lr: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmtRate(r: number): string {
  return r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0);
}

/** `[#####...]`: `frac` (clamped to [0, 1]) of `width` cells filled. */
export function progressBar(frac: number, width = 24): string {
  const f = Number.isFinite(frac) ? Math.min(1, Math.max(0, frac)) : 0;
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function progressLine(p: ProgressState, width = 24): string {
  const frac = p.steps > 0 ? Math.min(1, p.step / p.steps) : 1;
  const bar = progressBar(frac, width);
  const eta = p.step > 0 ? (p.elapsedSeconds / p.step) * (p.steps - p.step) : NaN;
  const val = p.valLoss === undefined || Number.isNaN(p.valLoss) ? '' : ` val ${p.valLoss.toFixed(4)}`;
  return (
    `step ${String(p.step).padStart(String(p.steps).length)}/${p.steps} ${bar} loss ` +
    `${p.loss.toFixed(4)}${val} lr ${p.lr.toExponential(2)} ${fmtRate(p.tokensPerSecond)} tok/s ETA ` +
    `${formatDuration(eta)}`
  );
}

export interface JobProgress {
  /** What is counted: 'merges', 'windows', 'tokens'. */
  label: string;
  done: number;
  total: number;
  elapsedSeconds: number;
}

/** The progress line of a counted job: `windows [######..] 30/40 75% 2.0s ETA 1s`. */
export function jobProgressLine(p: JobProgress, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const count = `${String(p.done).padStart(String(p.total).length)}/${p.total} ${Math.floor(frac * 100)}%`;
  const eta = p.done > 0 ? (p.elapsedSeconds / p.done) * (p.total - p.done) : NaN;
  const time = `${p.elapsedSeconds.toFixed(1)}s`;
  return `${p.label} ${progressBar(frac, width)} ${count} ${time} ETA ${formatDuration(eta)}`;
}
