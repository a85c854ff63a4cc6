// Entry point of the `llmfs` command: dispatches to one file per sub-command (see commands.ts).
// User-facing failures (LlmfsError) print one `error:` line and exit 1, never a stack trace;
// output piped into a reader that stops early (`| head`) ends the command quietly.

import { LlmfsError } from '../errors.js';
import { commands } from './commands.js';
import { VERSION } from '../version.js';
import { useBackendFromEnv } from '../kernels/threads/select.js';

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    // `llmfs help generate` is `llmfs generate --help` (`llmfs help model` covers `model info`)
    [name, rest] = [rest[0], ['--help']];
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`error: unknown command '${name}'\n\n${usage()}`);
    return 1;
  }
  if (rest[0] === '-h') rest = ['--help', ...rest.slice(1)]; // every sub-command: -h is --help
  // fast kernels (wasm SIMD, threads) unless LLMFS_BACKEND=js: docs/10-making-it-fast.md
  await useBackendFromEnv(process.env);
  try {
    return (await command.run(rest)) ?? 0;
  } catch (err) {
    if (err instanceof LlmfsError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    const oom = outOfMemory(err);
    if (oom) {
      console.error(`error: ${name}: ${oom}`);
      return 1;
    }
    throw err;
  }
}

/** Is `stream` closed under us (EPIPE seen)? Long loops that write may check it to stop early. */
export function outputClosed(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.destroyed || stream.writableEnded;
}

let pipeHandlersInstalled = false;

/**
 * A reader that stops early (`llmfs tokenize ... | head`) closes the pipe, and the next write
 * fails with EPIPE. That is not an error of the command: exit at once and quietly, as Unix tools
 * do (0 here, since the reader got what it asked for). Other stream errors propagate as before.
 */
export function exitQuietlyOnClosedPipe(): void {
  if (pipeHandlersInstalled) return;
  pipeHandlersInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

/**
 * The allocation failures of a too-large run (the wasm heap or the JS heap refusing a buffer),
 * as one line with what to change; null for any other error (a bug keeps its stack trace).
 */
function outOfMemory(err: unknown): string | null {
  if (!(err instanceof RangeError)) return null;
  if (!/WebAssembly\.Memory|Array buffer allocation failed|Invalid typed array length/.test(err.message))
    return null;
  return (
    `out of memory (${err.message}); use a smaller --batch-size or --block-size, or a smaller model ` +
    `(llmfs model info --preset NAME shows its size)`
  );
}

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return [
    `llmfs ${VERSION}: a GPT built from first principles in TypeScript`,
    '',
    'usage: llmfs <command> [options]      (llmfs <command> --help or llmfs help <command>: its options)',
    '',
    'commands:',
    ...lines,
  ].join('\n');
}
