// The one progress display of long CLI jobs: the bar and job line (train/progress.ts), redrawn in
// place on a terminal, a line per tenth on a pipe; the training line keeps its format.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressBar, jobProgressLine, progressLine } from '../../src/train/progress.js';
import { ProgressDisplay, jobProgress } from '../../src/cli/progress.js';

function sink(isTTY: boolean): { write(t: string): void; isTTY: boolean; out: string[] } {
  const out: string[] = [];
  return { isTTY, out, write: (t: string) => void out.push(t) };
}

test('progress bar: the filled share is rounded to whole cells and clamped to [0, 1]', () => {
  assert.equal(progressBar(0.5, 10), '[#####.....]');
  assert.equal(progressBar(0.26, 4), '[#...]');
  assert.equal(progressBar(1.7, 4), '[####]');
  assert.equal(progressBar(-1, 4), '[....]');
  assert.equal(progressBar(NaN, 4), '[....]');
});

test('job line: label, bar, count, percent, time and the time left at the rate so far', () => {
  const windows = jobProgressLine({ label: 'windows', done: 30, total: 40, elapsedSeconds: 6 }, 8);
  assert.equal(windows, 'windows [######..] 30/40 75% 6.0s ETA 2s');
  const merges = jobProgressLine({ label: 'merges', done: 0, total: 5, elapsedSeconds: 0 }, 4);
  assert.equal(merges, 'merges [....] 0/5 0% 0.0s ETA ?');
});

test('training line: unchanged format, drawn with the shared bar', () => {
  const state = { step: 5, steps: 10, loss: 2, lr: 1e-3, tokensPerSecond: 1500, elapsedSeconds: 10 };
  const line = progressLine(state, 4);
  assert.equal(line, 'step  5/10 [##..] loss 2.0000 lr 1.00e-3 1.5k tok/s ETA 10s');
});

test('display on a pipe: one line per new tenth, the last at 100%', () => {
  const s = sink(false);
  const d = new ProgressDisplay(s);
  for (let i = 0; i <= 40; i++) d.update(`n ${i}`, i / 40);
  assert.deepEqual(
    s.out,
    [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40].map((i) => `n ${i}\n`),
  );
});

test('display on a terminal: every update redraws one line; the end moves to a new line', () => {
  const s = sink(true);
  const report = jobProgress('tokens', s);
  report(1, 2);
  report(2, 2);
  assert.equal(s.out.length, 2);
  assert.match(s.out[0], /^\rtokens \[#+\.+\] 1\/2 50% [\d.]+s ETA \S+\x1b\[K$/);
  assert.match(s.out[1], /^\rtokens \[#+\] 2\/2 100% [\d.]+s ETA 0s\x1b\[K\n$/);
  report.end(); // already ended at 100%: nothing more
  assert.equal(s.out.length, 2);
  const t = sink(true);
  const d = new ProgressDisplay(t);
  d.update('half', 0.5);
  d.end();
  assert.deepEqual(t.out, ['\rhalf\x1b[K', '\n']);
});
