// How long `llmfs exercise check ID` takes, as a learner runs it: a fresh process per check
// (start the CLI, type-check the file, start the worker, load the library, run every check), on
// each exercise's reference solution. Issue 13 asks for under 10 s per exercise on 2 cores.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suite, BenchRow } from './harness.js';
import { EXERCISES, exerciseFile } from '../src/exercises/index.js';

const root = join(import.meta.dirname, '..');

export const exercisesSuite: Suite = {
  name: 'exercises',
  run(): BenchRow[] {
    const ws = join(mkdtempSync(join(tmpdir(), 'llmfs-bench-ex-')), 'ws');
    const llmfs = (...a: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin', 'llmfs.mjs'), ...a], { encoding: 'utf8' });
    try {
      llmfs('exercise', 'init', ws);
      const times: { id: string; ms: number }[] = [];
      for (const e of EXERCISES) {
        copyFileSync(join(root, 'exercises', 'solutions', exerciseFile(e)), join(ws, exerciseFile(e)));
        const t0 = performance.now();
        const r = llmfs('exercise', 'check', e.id, '--workspace', ws);
        const ms = performance.now() - t0;
        if (r.status !== 0)
          throw new Error(`bench: ${e.id}'s solution failed its check:\n${r.stdout}${r.stderr}`);
        times.push({ id: e.id, ms });
      }
      times.sort((a, b) => a.ms - b.ms);
      const median = times[Math.floor(times.length / 2)]!;
      const slowest = times[times.length - 1]!;
      return [
        {
          suite: 'exercises',
          name: `check, median of ${times.length}`,
          value: median.ms / 1000,
          unit: 's',
          note: 'fresh `llmfs exercise check` process',
        },
        { suite: 'exercises', name: 'check, slowest', value: slowest.ms / 1000, unit: 's', note: slowest.id },
        {
          suite: 'exercises',
          name: 'check, fastest',
          value: times[0]!.ms / 1000,
          unit: 's',
          note: times[0]!.id,
        },
      ];
    } finally {
      rmSync(join(ws, '..'), { recursive: true, force: true });
    }
  },
};
