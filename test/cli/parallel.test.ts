// `llmfs parallel`: each scheme trains the same steps as one worker (its losses and weights within
// float tolerance of train()'s), reports its own figure (memory, all-reduces, bubble), draws the
// pipeline's timeline, and refuses impossible or conflicting settings in one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands.js';
import { LlmfsError } from '../../src/errors.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-parallel-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ out: Record<string, unknown>; error: string }> {
  let stdout = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  try {
    await commands.parallel.run([...argv, '--json']);
    return { out: JSON.parse(stdout) as Record<string, unknown>, error: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { out: {}, error: e.message };
  } finally {
    console.log = log;
  }
}

const small = ['--steps', '3', '--max-chars', '20000'];

for (const scheme of ['data', 'zero', 'tensor', 'pipeline'] as const)
  test(`parallel --scheme ${scheme}: the losses and weights of one worker`, async () => {
    const { out, error } = await run(['--scheme', scheme, ...small]);
    assert.equal(error, '');
    const losses = out.losses as number[];
    const one = out.oneWorkerLosses as number[];
    assert.equal(losses.length, 3);
    assert.ok(one[2] < one[0], 'the reference trained');
    assert.ok((out.largestLossGap as number) < 1e-5, `loss gap ${String(out.largestLossGap)}`);
    assert.ok((out.largestWeightGap as number) < 1e-2, `weight gap ${String(out.largestWeightGap)}`);
    if (scheme === 'zero') {
      const m = out.memory as { parameters: number; moments: number };
      assert.equal(m.moments, m.parameters, "ZeRO-1 on 2 workers: half of Adam's two moments each");
    }
    if (scheme === 'data') {
      const m = out.memory as { parameters: number; moments: number };
      assert.equal(m.moments, 2 * m.parameters);
    }
    if (scheme === 'tensor') {
      const c = out.allReduces as { forwardCalls: number; backwardCalls: number };
      assert.deepEqual([c.forwardCalls, c.backwardCalls], [4, 4], 'tiny has 2 blocks: 2 + 2 per block');
    }
    if (scheme === 'pipeline') assert.equal((out.bubble as { predicted: number }).predicted, 1 / 5);
  });

test('parallel --timeline writes the last pipeline step as SVG; bad settings are one line each', async () => {
  const file = join(TMP, 'step.svg');
  const { out } = await run(['--scheme', 'pipeline', '--micro-batches', '2', '--timeline', file, ...small]);
  assert.equal(out.timeline, file);
  const svg = readFileSync(file, 'utf8');
  assert.match(svg, /^<svg/);
  for (const box of ['F1', 'F2', 'B1', 'B2']) assert.ok(svg.includes(`>${box}<`), box);
  const bad = async (argv: string[], pattern: RegExp) => {
    const r = await run([...argv, ...small]);
    assert.match(r.error, pattern);
    assert.ok(!r.error.includes('\n'));
  };
  await bad(['--scheme', 'tensor', '--workers', '3'], /nHead 2 does not divide among 3 workers/);
  await bad(['--scheme', 'data', '--workers', '3'], /--batch-size 8 does not divide among --workers 3/);
  await bad(
    ['--scheme', 'data', '--timeline', file],
    /--timeline draws a pipeline step; add --scheme pipeline/,
  );
  await bad(['--scheme', 'tensor', '--grad-accum', '2'], /--grad-accum is for data and zero/);
  await bad(['--workers', '0'], /--workers must be >= 1/);
});
