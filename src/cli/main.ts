// Entry point of the `llmfs` command: dispatches to one file per sub-command (see commands.ts).
// User-facing failures (LlmfsError) print one `error:` line and exit 1, never a stack trace.

import { LlmfsError } from '../errors.js';
import { commands } from './commands.js';
import { VERSION } from '../version.js';
import { useBackendFromEnv } from '../kernels/threads/select.js';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
  // fast kernels (wasm SIMD, threads) unless LLMFS_BACKEND=js: docs/10-making-it-fast.md
  await useBackendFromEnv(process.env);
  try {
    return (await command.run(rest)) ?? 0;
  } catch (err) {
    if (err instanceof LlmfsError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return [
    `llmfs ${VERSION}: a GPT built from first principles in TypeScript`,
    '',
    'usage: llmfs <command> [options]      (llmfs <command> --help for its options)',
    '',
    'commands:',
    ...lines,
  ].join('\n');
}
