// The training progress line: step, bar, loss, validation loss, learning rate, throughput and
// time left. Pure formatting, so the CLI (a terminal) and the browser lab can both show it.

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

export function progressLine(p: ProgressState, width = 24): string {
  const frac = p.steps > 0 ? Math.min(1, p.step / p.steps) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = p.step > 0 ? (p.elapsedSeconds / p.step) * (p.steps - p.step) : NaN;
  const val = p.valLoss === undefined || Number.isNaN(p.valLoss) ? '' : ` val ${p.valLoss.toFixed(4)}`;
  return `step ${String(p.step).padStart(String(p.steps).length)}/${p.steps} ${bar} loss ${p.loss.toFixed(4)}${val} lr ${p.lr.toExponential(2)} ${fmtRate(p.tokensPerSecond)} tok/s ETA ${formatDuration(eta)}`;
}
