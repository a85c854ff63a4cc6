#!/usr/bin/env node
// `npm run pretrain-base`: a small BPE GPT pretrained on the bundled corpus in a few minutes on
// two CPU cores, so the fine-tuning chapter (docs/11) runs offline. Two llmfs commands:
//   1. llmfs tokenizer train  -> out/base-tokenizer (byte-level BPE, 2048 tokens)
//   2. llmfs train --tokenizer out/base-tokenizer -> out/base (checkpoint in out/base/best)
// Options: --steps N (default 400), --out DIR (default out/base), --force (retrain).
// A real GPT-2 directory from the hub can be fine-tuned the same way instead.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const llmfs = join(root, 'bin', 'llmfs.mjs');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const steps = flag('steps', '400');
const out = flag('out', 'out/base');
const tokDir = `${out}-tokenizer`;
const force = process.argv.includes('--force');

function run(args) {
  console.log(`$ llmfs ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [llmfs, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (existsSync(join(root, out, 'best')) && !force) {
  console.log(`${out}/best exists already (pass --force to train it again)`);
  process.exit(0);
}
const t0 = Date.now();
run(['tokenizer', 'train', '--out', tokDir, '--vocab-size', '2048']);
run([
  'train',
  '--tokenizer',
  tokDir,
  '--preset',
  'cpu-small',
  '--block-size',
  '128',
  '--steps',
  steps,
  '--lr',
  '3e-3',
  '--eval-interval',
  '100',
  '--eval-batches',
  '4',
  '--out',
  out,
  '--force',
]);
const secs = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`base model: ${out}/best (tokenizer ${tokDir}), ${steps} steps in ${secs} s`);
