// Where every long CLI job shows its progress (stderr, so stdout stays clean for results and
// --json): on a terminal one line redrawn in place; on a file or pipe, one line per tenth done.
// The lines themselves come from train/progress.ts (progressLine, jobProgressLine).

import { jobProgressLine } from '../train/progress.js';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ProgressDisplay {
  private lastTenth = -1;
  private drawn = false;

  constructor(private readonly stream: ProgressSink = process.stderr) {}

  /** Shows `line` for a job `frac` (0 to 1) done; frac >= 1 ends the display. */
  update(line: string, frac: number): void {
    const done = frac >= 1;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
      this.drawn = !done;
      return;
    }
    const tenth = Math.floor(Math.min(1, Math.max(0, frac)) * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends a redrawn line that stopped short of 100% (so later output starts on a new line). */
  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

/** A (done, total) callback; `end()` finishes the line if the job stopped short of its total. */
export type JobProgressReporter = ((done: number, total: number) => void) & { end(): void };

/** Shows `label [###...] done/total percent time ETA` on `stream` at each (done, total) call. */
export function jobProgress(label: string, stream: ProgressSink = process.stderr): JobProgressReporter {
  const display = new ProgressDisplay(stream);
  const start = performance.now();
  const report = (done: number, total: number) => {
    const elapsedSeconds = (performance.now() - start) / 1000;
    display.update(jobProgressLine({ label, done, total, elapsedSeconds }), total > 0 ? done / total : 1);
  };
  return Object.assign(report, { end: () => display.end() });
}
