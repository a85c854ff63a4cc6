// The alignment commands on the tiny HF GPT-2 fixture: `finetune dpo --json` ends with the
// contract's summary (rewardMargin, preferenceAccuracy, and the same for --eval-data);
// `finetune reward` writes a reward model that `llmfs reward` loads and ranks with; `finetune grpo`
// writes the model with its reward and KL curves and per-step log. Bad input (identical or empty
// responses, a prompt longer than the context, a missing file, bad options) is one clear line,
// and a failed command leaves an earlier result in its --out directory untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFinetuneDpo } from '../../src/cli/finetune-dpo.js';
import { runFinetuneReward } from '../../src/cli/finetune-reward.js';
import { runFinetuneGrpo } from '../../src/cli/finetune-grpo.js';
import { LlmfsError } from '../../src/errors.js';
import { rewardCommand } from '../../src/cli/reward.js';
import { finetuneCommand } from '../../src/cli/finetune.js';

/**
 * Runs a command with console.log / console.error captured (not process.stdout: the test runner
 * reports through it); an LlmfsError becomes `error: ...` on stderr and code 1, as in the CLI.
 */
async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = argv;
  const cmd = name === 'reward' ? rewardCommand : finetuneCommand;
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  try {
    return { code: (await cmd.run(rest)) ?? 0, stdout, stderr };
  } catch (err) {
    if (!(err instanceof LlmfsError)) throw err;
    return { code: 1, stdout, stderr: `${stderr}error: ${err.message}\n` };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const dir = mkdtempSync(join(tmpdir(), 'llmfs-align-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const pairs = file(
  'pairs.jsonl',
  jsonl([
    { instruction: 'Compute.', input: '2 + 2', chosen: '4', rejected: '5' },
    { instruction: 'Be kind.', chosen: 'Of course.', rejected: 'No.' },
    { prompt: 'Q: sky? A:', chosen: ' blue', rejected: ' green' },
    { instruction: 'Compute.', input: '3 + 1', chosen: '4', rejected: '2' },
  ]),
);
const heldOut = file(
  'heldout.jsonl',
  jsonl([
    { instruction: 'Compute.', input: '1 + 1', chosen: '2', rejected: '3' },
    { prompt: 'Q: grass? A:', chosen: ' green', rejected: ' red' },
  ]),
);
const template = file('short.txt', 'I: {instruction}\nX: {input}\nA: ');
const quiet = () => undefined;

async function errorOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof LlmfsError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail('expected an error');
}

/** Runs a command; returns its printed lines and the JSON summary at the end. */
async function summary(
  run: (a: string[], o: (s: string) => void, p: (s: string) => void) => Promise<number>,
  argv: string[],
): Promise<{ text: string; json: Record<string, unknown> }> {
  let text = '';
  assert.equal(await run([...argv, '--json'], (s) => (text += `${s}\n`), quiet), 0);
  return { text, json: JSON.parse(text.slice(text.indexOf('\n{') + 1)) as Record<string, unknown> };
}

const dpoOut = join(dir, 'dpo');
const T = ['--template', template];
const DPO = ['--model', FIXTURE, '--data', pairs, '--out', dpoOut, '--steps', '4', '--batch-size', '2', ...T];

test('finetune dpo: the JSON summary has rewardMargin and preferenceAccuracy, also for --eval-data', async () => {
  const { text, json } = await summary(runFinetuneDpo, [
    ...DPO,
    '--eval-data',
    heldOut,
    '--eval-interval',
    '2',
  ]);
  assert.match(
    text,
    /held-out pairs before: loss 0\.6931, rewards chosen 0\.000 rejected 0\.000, margin 0\.000/,
  );
  for (const k of ['rewardMargin', 'preferenceAccuracy']) assert.equal(typeof json[k], 'number', k);
  const ev = json.eval as Record<string, number>;
  assert.equal(typeof ev.rewardMargin, 'number');
  assert.ok(ev.preferenceAccuracy >= 0 && ev.preferenceAccuracy <= 1);
  assert.equal(ev.pairs, 2);
  assert.equal((json.history as unknown[]).length, 2);
  assert.equal(json.steps, 4);
  for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'prompt_template.json'])
    assert.ok(existsSync(join(dpoOut, f)), f);
});

test('finetune dpo: LoRA trains adapters and saves a plain merged model', async () => {
  const out = join(dir, 'dpo-lora');
  const { text, json } = await summary(runFinetuneDpo, [
    ...DPO.slice(0, 4),
    ...T,
    '--out',
    out,
    '--steps',
    '2',
    '--lora-r',
    '2',
  ]);
  assert.match(text, /wrote /);
  assert.equal(json.steps, 2);
  assert.ok(existsSync(join(out, 'model.safetensors')));
});

test('finetune dpo: bad pairs, a prompt longer than the context and bad options are one line each', async () => {
  const bad = (name: string, rows: object[]) => [
    '--model',
    FIXTURE,
    '--data',
    file(name, jsonl(rows)),
    '--out',
    dpoOut,
  ];
  const before = statSync(join(dpoOut, 'model.safetensors')).mtimeMs;
  assert.match(
    await errorOf(() =>
      runFinetuneDpo(bad('same.jsonl', [{ prompt: 'Q', chosen: 'a', rejected: 'a' }]), quiet, quiet),
    ),
    /same\.jsonl:1: identical chosen and rejected responses: the pair teaches nothing \(--skip-identical drops/,
  );
  // rasbt's DPO file has a few identical pairs: --skip-identical drops them and says so.
  const mixed = file(
    'mixed.jsonl',
    jsonl([
      { prompt: 'Q', chosen: 'a', rejected: 'a' },
      { prompt: 'Q', chosen: 'a', rejected: 'b' },
    ]),
  );
  let said = '';
  const skipArgs = [
    ...T,
    '--model',
    FIXTURE,
    '--data',
    mixed,
    '--out',
    join(dir, 'dpo-skip'),
    '--steps',
    '1',
  ];
  assert.equal(await runFinetuneDpo([...skipArgs, '--skip-identical'], quiet, (s) => (said += s)), 0);
  assert.match(said, /mixed\.jsonl: dropped 1 pair\(s\) with identical chosen and rejected responses/);
  assert.match(
    await errorOf(() =>
      runFinetuneDpo(bad('empty.jsonl', [{ prompt: 'Q', chosen: '', rejected: 'a' }]), quiet, quiet),
    ),
    /empty\.jsonl:1: .*empty/,
  );
  const long = 'abc '.repeat(30);
  assert.match(
    await errorOf(() =>
      runFinetuneDpo(bad('long.jsonl', [{ prompt: long, chosen: 'a', rejected: 'b' }]), quiet, quiet),
    ),
    /long\.jsonl: pair 1: the prompt alone is \d+ tokens and the model's context is 48/,
  );
  assert.match(
    await errorOf(() =>
      runFinetuneDpo([...DPO.slice(0, 2), '--data', join(dir, 'nope.jsonl'), '--out', dpoOut], quiet, quiet),
    ),
    /nope\.jsonl/,
  );
  assert.match(
    await errorOf(() => runFinetuneDpo([...DPO, '--beta', '0'], quiet, quiet)),
    /--beta must be > 0/,
  );
  assert.match(
    await errorOf(() => runFinetuneDpo([...DPO, '--label-smoothing', '0.5'], quiet, quiet)),
    /--label-smoothing must be in \[0, 0\.5\)/,
  );
  assert.match(await errorOf(() => runFinetuneDpo(['--model', FIXTURE], quiet, quiet)), /--data is required/);
  assert.match(
    await errorOf(() => runFinetuneDpo([...DPO, '--lora-alpha', '4'], quiet, quiet)),
    /--lora-alpha needs --lora-r/,
  );
  // Every failure happened before anything was written: the earlier model is intact.
  assert.equal(statSync(join(dpoOut, 'model.safetensors')).mtimeMs, before);
});

test('finetune reward, then llmfs reward: a reward model that ranks responses', async () => {
  const out = join(dir, 'rm');
  const { text, json } = await summary(runFinetuneReward, [
    ...T,
    '--model',
    FIXTURE,
    '--data',
    pairs,
    '--eval-data',
    heldOut,
    '--out',
    out,
    '--steps',
    '6',
    '--batch-size',
    '2',
    '--eval-interval',
    '3',
  ]);
  assert.match(text, /held-out pairs after: loss \d\.\d{4}, margin -?\d\.\d{3}, pairwise accuracy \d+\.\d%/);
  assert.equal(typeof json.pairwiseAccuracy, 'number');
  assert.equal(typeof (json.eval as Record<string, number>).pairwiseAccuracy, 'number');
  for (const f of ['reward_head.safetensors', 'reward_model.json', 'model.safetensors', 'tokenizer.json'])
    assert.ok(existsSync(join(out, f)), f);
  const r = await runMain([
    'reward',
    '--model',
    out,
    '--instruction',
    'Compute.',
    '--input',
    '2 + 2',
    '--response',
    '4',
    '5',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"4"\s+reward -?\d+\.\d{4}\s+#[12]\n"5"\s+reward -?\d+\.\d{4}\s+#[12]\n/);
  const j = await runMain(['reward', '--model', out, '--prompt', 'Q:', '--response', ' x', '--json']);
  const scores = JSON.parse(j.stdout) as { scores: unknown[] };
  assert.equal(scores.scores.length, 1);
  const e = await runMain(['reward', '--model', join(dir, 'dpo'), '--prompt', 'Q', '--response', 'x']);
  assert.equal(e.code, 1);
  assert.match(
    e.stderr,
    /error: reward: .* has no reward_model\.json; give a directory written by 'llmfs finetune reward.\n/,
  );
  const both = await runMain([
    'reward',
    '--model',
    out,
    '--prompt',
    'Q',
    '--instruction',
    'I',
    '--response',
    'x',
  ]);
  assert.match(both.stderr, /give either --prompt .* or --instruction/);
});

test('finetune grpo: trains on verifiable rewards, logs per step, writes the curves beside the model', async () => {
  const data = file(
    'tasks.json',
    JSON.stringify([
      { task: 'add', instruction: 'Compute.', input: '1 + 1', output: '2' },
      { task: 'add', instruction: 'Compute.', input: '2 + 1', output: '3' },
      { task: 'echo', instruction: 'Echo.', input: 'a', output: 'a' },
    ]),
  );
  const out = join(dir, 'grpo');
  const argv = ['--model', FIXTURE, '--data', data, '--out', out, '--steps', '2', '--group-size', '3', ...T];
  const { text, json } = await summary(runFinetuneGrpo, [
    ...argv,
    '--prompts-per-step',
    '2',
    '--max-new-tokens',
    '3',
    '--score',
    data,
    '--inner-steps',
    '2',
  ]);
  assert.match(text, /exact match before: add \d+\.\d%, echo \d+\.\d%, overall/);
  for (const k of ['meanReward', 'accuracy', 'kl', 'responseLength'])
    assert.equal(typeof json[k], 'number', k);
  assert.equal((json.history as unknown[]).length, 2);
  for (const f of ['rewards.svg', 'kl.svg', 'grpo-log.jsonl', 'model.safetensors', 'prompt_template.json'])
    assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, 'rewards.svg'), 'utf8'), /^<svg/);
  assert.equal(readFileSync(join(out, 'grpo-log.jsonl'), 'utf8').trim().split('\n').length, 2);
  // A trained reward model as the reward (the one the previous test wrote).
  const withRm = await summary(runFinetuneGrpo, [
    ...argv.slice(0, 5),
    join(dir, 'grpo-rm'),
    '--steps',
    '1',
    '--group-size',
    '2',
    '--max-new-tokens',
    '2',
    ...T,
    '--reward',
    join(dir, 'rm'),
  ]);
  assert.ok(Number.isFinite(withRm.json.meanReward as number));
  assert.match(
    await errorOf(() => runFinetuneGrpo([...argv, '--tasks', 'mul'], quiet, quiet)),
    /has no task 'mul'/,
  );
  assert.match(
    await errorOf(() => runFinetuneGrpo([...argv, '--reward', join(dir, 'none')], quiet, quiet)),
    /--reward '.*none' is neither exact-match nor numeric nor a directory/,
  );
  assert.match(
    await errorOf(() => runFinetuneGrpo([...argv, '--group-size', '1'], quiet, quiet)),
    /--group-size must be >= 2/,
  );
  assert.match(
    await errorOf(() => runFinetuneGrpo([...argv, '--clip', '1.5'], quiet, quiet)),
    /clip range must be in \(0, 1\)/,
  );
});

test('llmfs finetune lists the alignment sub-commands', async () => {
  const r = await runMain(['finetune', '--help']);
  for (const s of ['dpo', 'reward', 'grpo']) assert.match(r.stdout, new RegExp(`\\n  ${s} `));
});
