// Checks a learner's file for one exercise, in a worker thread: compile (type errors come back as
// file:line rows), import, compare, gradient check, integration. Each check has a time limit; when
// one runs over, the worker is terminated and the row says the function did not return in time,
// so an infinite loop in a learner's code never hangs the tool.

import { Worker } from 'node:worker_threads';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CheckReport, CheckRow } from '../spec.js';
import { CHECK_WORKER, COMPILE_WORKER, FROM_SOURCE, LIBRARY_ENTRY, LIBRARY_TYPES } from './library.js';

export interface CheckFileOptions {
  /** Where compiled modules go (default: `.llmfs/build` beside the file). */
  outDir?: string;
  /** Multiplies every time limit (tests of the time limit shrink it). */
  timeScale?: number;
  /** Limit for compiling and loading the library before the first check, ms (default 60 s). */
  startupLimitMs?: number;
  /** The check worker's heap limit in MB (default 2048). */
  heapLimitMb?: number;
}

interface CompileErrorMsg {
  file: string;
  line: number;
  column: number;
  message: string;
}

type WorkerMessage =
  | { type: 'start'; kind: CheckRow['kind']; name: string; limitMs: number }
  | { type: 'built'; moduleFile: string }
  | { type: 'ready' }
  | { type: 'compile-errors'; errors: CompileErrorMsg[] }
  | { type: 'load-error'; message: string }
  | { type: 'report'; report: CheckReport }
  | { type: 'fatal'; message: string };

const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

/** Runs exercise `id`'s checks on the learner's `file`. Never throws for bad learner code. */
export function checkFile(id: string, file: string, opts: CheckFileOptions = {}): Promise<CheckReport> {
  const scale = opts.timeScale ?? 1;
  const outDir = opts.outDir ?? join(dirname(file), '.llmfs', 'build');
  const tsx = FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : null;
  // Two workers at once: one type-checks and transpiles the file, the other loads the library.
  const compiler = new Worker(COMPILE_WORKER, {
    workerData: { file, outDir, libEntry: LIBRARY_ENTRY, libTypes: LIBRARY_TYPES },
  });
  // A heap limit of its own: a learner's runaway allocation ends the worker, not the tool.
  const worker = new Worker(CHECK_WORKER, {
    workerData: { id, file, libEntry: LIBRARY_ENTRY, tsx },
    resourceLimits: { maxOldGenerationSizeMb: opts.heapLimitMb ?? 2048 },
  });
  const rows: CheckRow[] = [];
  let built: string | null = null;
  let ready = false;
  const go = () => {
    if (built && ready) worker.postMessage({ moduleFile: built });
  };
  let current: { kind: CheckRow['kind']; name: string; limitMs: number } | null = null;
  let timer: NodeJS.Timeout | null = null;

  return new Promise<CheckReport>((resolve) => {
    let settled = false;
    const finish = (report: CheckReport) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      void compiler.terminate();
      void worker.terminate();
      if (built && existsSync(built)) rmSync(built, { force: true });
      resolve(report);
    };
    const fail = (row: CheckRow) => {
      rows.push(row);
      finish({ id, passed: false, checks: rows, message: `${row.name}: ${row.message}` });
    };
    const arm = (limitMs: number, onTimeout: () => void) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onTimeout, limitMs * scale);
    };
    arm(opts.startupLimitMs ?? 60_000, () =>
      fail({
        kind: 'compile',
        name: 'compile',
        passed: false,
        message: 'compiling and loading took over a minute',
      }),
    );
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'built') {
        built = m.moduleFile;
        go();
      } else if (m.type === 'ready') {
        ready = true;
        go();
      } else if (m.type === 'start') {
        current = m;
        arm(m.limitMs, () => {
          const c = current!;
          const what =
            c.kind === 'export'
              ? `loading your file did not finish within ${seconds(c.limitMs * scale)} ` +
                '(a loop at the top level?)'
              : `your function did not return within ${seconds(c.limitMs * scale)} ` +
                '(an infinite loop, or far too slow?)';
          fail({ kind: c.kind === 'export' ? 'export' : c.kind, name: c.name, passed: false, message: what });
        });
      } else if (m.type === 'compile-errors') {
        const first = m.errors[0]!;
        const lines = m.errors
          .slice(0, 5)
          .map((e) => `${basename(e.file)}:${e.line}:${e.column}: ${e.message.split('\n')[0]}`);
        rows.push({ kind: 'compile', name: 'compile', passed: false, message: lines.join('\n') });
        finish({
          id,
          passed: false,
          checks: rows,
          message: `${basename(first.file)}:${first.line}:${first.column}: ${first.message.split('\n')[0]}`,
        });
      } else if (m.type === 'load-error') {
        fail({ kind: 'export', name: 'load your file', passed: false, message: m.message });
      } else if (m.type === 'report') {
        finish(m.report);
      } else if (m.type === 'fatal') {
        fail({
          kind: 'compile',
          name: 'checker',
          passed: false,
          message: `the checker failed: ${m.message}`,
        });
      }
    };
    compiler.on('message', onMessage);
    worker.on('message', onMessage);
    compiler.on('error', (e) =>
      fail({ kind: 'compile', name: 'compile', passed: false, message: `the compiler failed: ${e.message}` }),
    );
    worker.on('error', (e: Error & { code?: string }) => {
      const c = current;
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
        fail({
          kind: c?.kind ?? 'case',
          name: c?.name ?? 'checker',
          passed: false,
          message: 'your function ran out of memory (a list that grows without end?)',
        });
      else
        fail({
          kind: 'compile',
          name: 'checker',
          passed: false,
          message: `the check worker failed: ${e.message}`,
        });
    });
    worker.on('exit', (code) => {
      if (!settled)
        fail({
          kind: current?.kind ?? 'compile',
          name: current?.name ?? 'checker',
          passed: false,
          message:
            `the check stopped (exit code ${code}): ` +
            'did your code call process.exit or run out of memory?',
        });
    });
  });
}
