// Runs `llmfs` in-process through main(argv) with stdout and stderr captured, so a test can run
// hundreds of commands without spawning a process for each. An exception that escapes main (one
// that the real CLI would print as a stack trace) is returned as `crash`, never thrown.

import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What escaped main(): the real CLI would print it as a stack trace. */
  crash: unknown;
}

type Write = typeof process.stdout.write;

/** Runs main(argv) with console and the process streams captured (one at a time: not re-entrant). */
export async function runMain(argv: string[]): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const saved = {
    log: console.log,
    error: console.error,
    warn: console.warn,
    out: process.stdout.write,
    err: process.stderr.write,
  };
  const text = (args: unknown[]): string =>
    `${args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ')}\n`;
  console.log = (...a: unknown[]) => void (stdout += text(a));
  console.error = (...a: unknown[]) => void (stderr += text(a));
  console.warn = console.error;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as Write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as Write;
  let code: number | null = null;
  let crash: unknown = undefined;
  try {
    code = await main(argv);
  } catch (err) {
    crash = err ?? new Error('main threw a nullish value');
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    console.warn = saved.warn;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
  return { code, stdout, stderr, crash };
}

/**
 * Why a result is not "exit 0, or exactly one `error: ...` line and exit 1, with no stack
 * trace"; null when it is.
 */
export function badEnding(r: MainResult): string | null {
  if (r.crash !== undefined) {
    const e = r.crash as Error;
    return `uncaught ${e?.name ?? typeof e}: ${e?.message ?? String(e)}\n${e?.stack ?? ''}`;
  }
  const all = `${r.stdout}\n${r.stderr}`;
  if (/^\s+at .+[:(]\d+/m.test(all) || /^(\w*Error|Uncaught)\b/m.test(all))
    return 'a stack trace or raw exception in the output';
  if (r.code === 0) return null;
  if (r.code !== 1) return `exit code ${r.code}`;
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  if (errors.length !== 1) return `${errors.length} 'error:' lines on stderr`;
  if (errors[0].includes('\n') || errors[0].trim() === 'error:') return 'an empty error line';
  return null;
}
