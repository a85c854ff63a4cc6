// `llmfs inspect` on the tiny HF GPT-2 fixture (2 layers x 4 heads, context 48): the HTML report
// holds one heatmap per head (or per picked head), the score grids, the induction picture and the
// logit-lens KL map, and its tables; --json carries the data; bad input is one clear line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCommand } from '../../src/cli/inspect.js';
import { LlmfsError } from '../../src/errors.js';

const FIXTURE = 'test/fixtures/hf-gpt2/tiny';
const PROMPT = 'hello world, hello world';
/** Per report: 5 score grids (previous, induction, sink, local, entropy), induction, lens KL. */
const FIXED_HEATMAPS = 7;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const saved = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    return { code: (await inspectCommand.run(argv)) ?? 0, out, err: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, out, err: e.message };
  } finally {
    console.log = saved;
  }
}

const count = (html: string, s: string) => html.split(s).length - 1;

test('the report: a heatmap per head, the score grids, the tables; the terminal summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  try {
    const file = join(dir, 'all.html');
    const r = await run(['--model', FIXTURE, '--prompt', PROMPT, '--report', file]);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(file, 'utf8');
    assert.equal(
      count(html, '<svg xmlns="http://www.w3.org/2000/svg" class="heatmap"'),
      2 * 4 + FIXED_HEATMAPS,
    );
    for (let l = 0; l < 2; l++)
      for (let h = 0; h < 4; h++) assert.ok(html.includes(`layer ${l}, head ${h} (`), `${l}.${h}`);
    assert.equal(count(html, '<table class="report-table"'), 2); // heads, logit lens
    assert.ok(html.includes('<th>induction</th>') && html.includes('<td>block 1</td>'));
    assert.match(r.out, /^head +class +entropy/m);
    assert.equal(count(r.out, '\n1.3 '), 1);
    assert.match(r.out, /most induction-like head: \d\.\d \(score 0\.\d{3} on 24 random tokens/);
    assert.match(r.out, /^block 1 +"/m);
    assert.ok(r.out.includes(`report: ${file}`));
    // --layer 1 --head 2: one attention heatmap; the rest of the report stays.
    const one = join(dir, 'one.html');
    assert.equal(
      (await run(['--model', FIXTURE, '--prompt', PROMPT, '--layer', '1', '--head', '2', '--report', one]))
        .code,
      0,
    );
    const h1 = readFileSync(one, 'utf8');
    assert.equal(count(h1, 'class="heatmap"'), 1 + FIXED_HEATMAPS);
    assert.ok(h1.includes('layer 1, head 2 (') && !h1.includes('layer 0, head 2 ('));
    const layer = join(dir, 'layer.html');
    assert.equal(
      (await run(['--model', FIXTURE, '--prompt', PROMPT, '--layer', '0', '--report', layer])).code,
      0,
    );
    assert.equal(count(readFileSync(layer, 'utf8'), 'class="heatmap"'), 4 + FIXED_HEATMAPS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--json: heads, induction and lens data; patterns only for the picked heads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  try {
    const report = join(dir, 'r.html');
    const r = await run([
      '--model',
      FIXTURE,
      '--prompt',
      PROMPT,
      '--json',
      '--top-k',
      '3',
      '--report',
      report,
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.heads.length, 8);
    assert.equal(j.tokens.length, j.ids.length);
    assert.deepEqual(j.lens.names, ['embeddings', 'block 0', 'block 1']);
    assert.equal(j.lens.top[2][0].length, 3);
    assert.equal(j.induction.R, 24);
    assert.equal(j.induction.ids.length, 48);
    assert.equal(j.attention, undefined);
    assert.equal(j.report, report);
    const picked = JSON.parse(
      (await run(['--model', FIXTURE, '--prompt', PROMPT, '--json', '--head', '3', '--report', report])).out,
    );
    assert.deepEqual(
      picked.attention.map((a: { layer: number; head: number }) => [a.layer, a.head]),
      [
        [0, 3],
        [1, 3],
      ],
    );
    assert.equal(picked.attention[0].pattern.length, j.ids.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is one clear line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  try {
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURE, f), join(dir, f));
    const rep = ['--report', join(dir, 'x.html')];
    const long = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    const cases: [string[], RegExp][] = [
      [
        ['--model', FIXTURE, '--prompt', long, ...rep],
        /the prompt is \d+ tokens, longer than the model's context of 48/,
      ],
      [['--model', dir, '--prompt', 'hello', ...rep], /has no tokenizer, so the prompt cannot be read/],
      [
        ['--model', FIXTURE, '--prompt', PROMPT, '--layer', '2', ...rep],
        /--layer 2 is out of range: this model has layers 0\.\.1/,
      ],
      [
        ['--model', FIXTURE, '--prompt', PROMPT, '--head', '-1', ...rep],
        /--head -1 is out of range: this model has heads 0\.\.3/,
      ],
      [['--model', FIXTURE, '--prompt', '', ...rep], /give the text to look at with --prompt/],
      [['--model', FIXTURE, ...rep], /give the text to look at with --prompt/],
      [['--prompt', 'x', ...rep], /--model is required/],
      [['--model', FIXTURE, '--prompt', PROMPT, '--colour', 'red'], /unknown option --colour/],
      [['--model', FIXTURE, '--prompt', PROMPT, '--seq-len', '25', ...rep], /--seq-len must be in 2\.\.24/],
      [['--model', FIXTURE, '--prompt', PROMPT, '--top-k', '0', ...rep], /--top-k must be >= 1/],
      [['--model', FIXTURE, '--prompt', 'h', ...rep], /at least 2 tokens/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.err, re);
      assert.ok(!r.err.includes('\n'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
