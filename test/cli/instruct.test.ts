// The instruction-tuning commands on the tiny HF GPT-2 fixture: `llmfs finetune instruct` writes
// a model with its template, `llmfs chat` (stdin piped) answers each line in that template, and
// `llmfs generate --instruction` gives the same greedy answer; bad input is one `error:` line.
// Commands run in-process with an output callback (capturing process.stdout would also capture
// the test runner's own report).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runChat } from '../../src/cli/chat.js';
import { runGenerate } from '../../src/cli/generate.js';
import { runFinetuneInstruct } from '../../src/cli/finetune-instruct.js';
import { LlmfsError } from '../../src/errors.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const dir = mkdtempSync(join(tmpdir(), 'llmfs-instruct-'));
const template = join(dir, 'short.txt');
writeFileSync(template, 'I: {instruction}\nX: {input}\nA: ');
const data = join(dir, 'data.json');
writeFileSync(
  data,
  JSON.stringify([
    { task: 'reverse', instruction: 'rev', input: 'abc', output: 'cba' },
    { task: 'count', instruction: 'count', input: 'a b', output: '2' },
    { task: 'count', instruction: 'count', output: '0' },
  ]),
);
const out = join(dir, 'tuned');

/** The one-line message a command fails with (the CLI prints it as `error: ...`). */
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

const quiet = () => undefined;
const finetune = (argv: string[]) => runFinetuneInstruct(argv, quiet, quiet);
const generateText = (argv: string[]) => {
  let text = '';
  runGenerate(argv, (s) => (text += s));
  return text;
};

test('finetune instruct: tunes the fixture, scores before and after, writes weights, tokenizer and template', async () => {
  let text = '';
  const argv = ['--model', FIXTURE, '--data', data, '--score', data, '--template', template, '--out', out];
  const more = ['--steps', '3', '--batch-size', '2', '--eval-interval', '3', '--max-new-tokens', '4'];
  const code = runFinetuneInstruct([...argv, ...more], (s) => (text += `${s}\n`), quiet);
  assert.equal(code, 0);
  assert.match(text, /exact match before: reverse \d+\.\d%, count \d+\.\d%, overall \d+\.\d%/);
  assert.match(text, /exact match after : reverse/);
  for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'prompt_template.json'])
    assert.ok(existsSync(join(out, f)), f);
  const saved = JSON.parse(readFileSync(join(out, 'prompt_template.json'), 'utf8'));
  assert.equal(saved.prompt_input, 'I: {instruction}\nX: {input}\nA: ');
  assert.equal(saved.prompt_no_input, 'I: {instruction}\nA: ');
});

test("chat (stdin piped) answers each line in the model's template; generate --instruction agrees", async () => {
  let text = '';
  const code = await runChat(
    ['--model', out, '--max-new-tokens', '6'],
    Readable.from(['rev\n/input abc\nrev\n']),
    (s) => (text += s),
    false,
  );
  assert.equal(code, 0);
  const answers = text.split('\n');
  assert.equal(answers.length, 3); // two answers and the final newline
  const g = generateText(['--model', out, '--instruction', 'rev', '--input', 'abc', '--max-new-tokens', '6']);
  assert.equal(g, `I: rev\nX: abc\nA: ${answers[1]}\n`);
});

test('chat as a process: stdin piped in, end of input ends it with exit code 0', () => {
  const script =
    "import { chatCommand } from './src/cli/chat.ts'; process.exitCode = await chatCommand.run(process.argv.slice(1));";
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--model', out, '--max-new-tokens', '3'],
    { input: 'count\n\n/quit\nrev\n', encoding: 'utf8', cwd: process.cwd() },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 2); // one answer (the blank line is skipped, /quit ends it)
});

test('bad input: each a one-line error', async () => {
  assert.match(await errorOf(() => finetune(['--model', FIXTURE, '--out', out])), /--data is required/);
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '[]');
  const args = ['--model', FIXTURE, '--out', join(dir, 'x')];
  assert.match(await errorOf(() => finetune([...args, '--data', empty])), /the data set is empty/);
  const noOut = join(dir, 'no-output.json');
  writeFileSync(noOut, '[{"instruction": "rev", "input": "abc"}]');
  assert.match(
    await errorOf(() => finetune([...args, '--data', noOut])),
    /example 0 has no string 'output' field/,
  );
  // Alpaca's long header does not fit the fixture's 48-token context.
  assert.match(
    await errorOf(() => finetune([...args, '--data', data])),
    /example 0: the prompt alone is \d+ tokens/,
  );
  assert.match(
    await errorOf(() => finetune([...args, '--data', data, '--template', 'nope'])),
    /not a named template/,
  );
  const gen = ['--model', out];
  assert.match(await errorOf(() => generateText([...gen, '--input', 'abc'])), /--input need --instruction/);
  assert.match(
    await errorOf(() => generateText([...gen, '--instruction', 'rev', '--prompt', 'x'])),
    /either --prompt or --instruction/,
  );
});
