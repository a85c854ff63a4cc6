// The training loop of `llmfs vision train --task caption|vqa|mixed` (cli/vision-train-vlm.ts):
// the library's trainVlmAsync gives trainVlm's losses exactly (same batches, same steps), stops
// when its signal is aborted, and a real Ctrl-C saves a checkpoint that loads and exits 130.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVlm } from '../../src/io/vlm-checkpoint.js';
import { WordTokenizer } from '../../src/vision/text/word-tokenizer.js';
import { createVlm, trainVlm, trainVlmAsync } from '../../src/vision/vlm/index.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vlm-cli-train-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));
const tok = new WordTokenizer();
const small = ['--d-model', '16', '--n-head', '2', '--n-layer', '1', '--n-embd', '32'];
const smallDecoder = ['--decoder-heads', '2', '--decoder-layers', '1', '--max-text', '40'];

test("trainVlmAsync (the CLI's loop) gives trainVlm's losses exactly, and stops on its signal", async () => {
  const config = {
    vocabSize: tok.vocabSize,
    nEmbd: 16,
    nHead: 2,
    nLayer: 1,
    maxText: 40,
    vit: { dModel: 16, nHead: 2, nLayer: 1 },
  };
  const scenes = { size: 48, minObjects: 1, maxObjects: 4 };
  for (const task of ['caption', 'mixed'] as const) {
    const o = {
      task,
      steps: 4,
      batchSize: 3,
      lr: 3e-3,
      warmupSteps: 1,
      weightDecay: 0.01,
      gradClip: 1,
      seed: 5,
      scenes,
    };
    const want = trainVlm(createVlm(config, 1), tok, o);
    const got = await trainVlmAsync(createVlm(config, 1), tok, o);
    assert.deepEqual(got.losses, want.losses);
    assert.equal(want.losses.length, 4);
    assert.equal(got.stopped, false);
  }
  // Aborted after the second step: two losses, the first two of the full run's.
  const signal = { aborted: false };
  const o = { task: 'caption' as const, steps: 4, batchSize: 2, lr: 1e-3, seed: 0, scenes, signal };
  const full = trainVlm(createVlm(config, 1), tok, { ...o, signal: undefined }).losses;
  const part = await trainVlmAsync(createVlm(config, 1), tok, {
    ...o,
    onStep: (step) => void (step === 2 && (signal.aborted = true)),
  });
  assert.deepEqual(part.losses, full.slice(0, 2));
  assert.equal(part.stopped, true);
});

test('trainVlm: one step trains (no warm-up left to fill), a warm-up as long as the run is one clear line', () => {
  const config = { vocabSize: tok.vocabSize, nEmbd: 16, nHead: 2, nLayer: 1, maxText: 40 };
  const m = createVlm({ ...config, vit: { dModel: 16, nHead: 2, nLayer: 1 } }, 1);
  const scenes = { size: 48 };
  assert.equal(trainVlm(m, tok, { task: 'caption', steps: 1, batchSize: 2, scenes }).losses.length, 1);
  assert.throws(
    () => trainVlm(m, tok, { task: 'caption', steps: 3, warmupSteps: 3, batchSize: 2, scenes }),
    /^LlmfsError: vlm train: warmupSteps must be an integer from 0 to steps - 1 = 2, got 3$/,
  );
});

test('vision train --task caption: Ctrl-C stops after the step, saves a checkpoint that loads, exits 130', async () => {
  // A child process: the signal must reach a real `llmfs` whose loop gives the event loop turns.
  const out = join(TMP, 'interrupted');
  const bin = new URL('../../bin/llmfs.mjs', import.meta.url).pathname;
  const args = ['vision', 'train', '--task', 'caption', '--out', out, '--steps', '5000', '--eval-every', '0'];
  const child = spawn(process.execPath, [bin, ...args, '--eval-count', '2', ...small, ...smallDecoder], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/step \d+\/5000/.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGINT: stopping after this step/);
  const m = /stopped at step (\d+) of 5000/.exec(stdout);
  assert.ok(m, stdout);
  assert.equal(loadVlm(out).training.stepsDone, Number(m[1]));
});
