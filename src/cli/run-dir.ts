// A `--model` that names a training run's directory (with best/ and last/ checkpoints inside)
// rather than a checkpoint: an error that names the checkpoint to give instead.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';

/** Throws when `dir` is a run directory (no config.json of its own, but best/ or last/ has one). */
export function checkNotRunDir(command: string, dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory() || existsSync(join(dir, 'config.json'))) return;
  const inside = ['best', 'last'].filter((c) => existsSync(join(dir, c, 'config.json')));
  if (inside.length === 0) return;
  const alt = inside.length > 1 ? ` (or ${join(dir, inside[1])}, the latest)` : '';
  throw new LlmfsError(
    `${command}: ${dir} is a training run's directory, not a checkpoint: give --model ` +
      `${join(dir, inside[0])}${alt}`,
  );
}
