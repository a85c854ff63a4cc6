// `llmfs generate` end to end on a checkpoint written by saveModel: streaming text, --json with
// per-token log-probabilities, --show-probs, beam search, --no-cache, seeds, and clear errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '../../src/io/model-checkpoint.js';
import { CharTokenizer } from '../../src/tokenizer/char.js';
import { generate, beamSearch, type BeamSearchOptions } from '../../src/generate/index.js';
import { runGenerate } from '../../src/cli/generate.js';
import { randomGpt } from './models.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz .,\n');
let dir = '';
let ckpt = '';
const model = randomGpt(11, { vocabSize: tok.vocabSize, blockSize: 48 });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmfs-generate-'));
  ckpt = join(dir, 'ckpt');
  saveModel(ckpt, model, { tokenizer: tok });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...argv: string[]): string {
  let s = '';
  assert.equal(
    runGenerate(argv, (x) => (s += x)),
    0,
  );
  return s;
}

test('cli: generate streams the prompt and its greedy continuation, as the library generates it', () => {
  const expected = generate(model, tok.encode('the cat'), {
    maxNewTokens: 12,
    decode: (ids) => tok.decode(ids),
  });
  assert.equal(expected.text.length, 12);
  assert.equal(
    run('--model', ckpt, '--prompt', 'the cat', '--max-new-tokens', '12'),
    `the cat${expected.text}\n`,
  );
  assert.equal(
    run('--model', ckpt, '--prompt', 'the cat', '--max-new-tokens', '12', '--no-cache'),
    `the cat${expected.text}\n`,
  );
});

test('cli: --json prints ids, text and per-token log-probabilities', () => {
  const j = JSON.parse(
    run(
      '--model',
      ckpt,
      '--prompt',
      'a b',
      '--max-new-tokens',
      '6',
      '--strategy',
      'sample',
      '--temperature',
      '1.5',
      '--top-k',
      '8',
      '--seed',
      '3',
      '--json',
    ),
  );
  const lib = generate(model, tok.encode('a b'), {
    maxNewTokens: 6,
    strategy: 'sample',
    temperature: 1.5,
    topK: 8,
    seed: 3,
  });
  assert.deepEqual(j.ids, lib.ids);
  assert.equal(j.text, tok.decode(lib.ids));
  assert.deepEqual(j.promptIds, tok.encode('a b'));
  assert.equal(j.strategy, 'sample');
  assert.equal(j.tokens.length, 6);
  j.tokens.forEach((t: { logprob: number; id: number; top: unknown[] }, i: number) => {
    assert.equal(t.id, lib.ids[i]);
    assert.ok(Math.abs(t.logprob - lib.tokens[i].logprob) < 1e-12);
    assert.equal(t.top.length, 3);
  });
  // The same seed gives the same sample; sampling flags alone select the sample strategy.
  const again = JSON.parse(
    run(
      '--model',
      ckpt,
      '--prompt',
      'a b',
      '--max-new-tokens',
      '6',
      '--temperature',
      '1.5',
      '--top-k',
      '8',
      '--seed',
      '3',
      '--json',
    ),
  );
  assert.deepEqual(again.ids, j.ids);
});

test('cli: --show-probs prints one line per token with probability, entropy and alternatives', () => {
  const outText = run('--model', ckpt, '--prompt', 'abc', '--max-new-tokens', '5', '--show-probs');
  const lines = outText.split('\n');
  assert.equal(lines[0], 'prompt: "abc" (3 tokens)');
  assert.match(lines[1], /#\s+token\s+prob\s+entropy\s+top-3 alternatives/);
  for (let i = 0; i < 5; i++)
    assert.match(
      lines[2 + i],
      new RegExp(
        `^\\s+${i}  ".*"\\s+0\\.\\d{3}\\s+\\d\\.\\d{3}  ".*" 0\\.\\d{3}, ".*" 0\\.\\d{3}, ".*" 0\\.\\d{3}$`,
      ),
    );
  assert.match(outText, /\(5 tokens, stopped by length\)\n$/);
});

test('cli: --strategy beam prints n-best hypotheses with scores; --stop cuts the text', () => {
  const args = ['--model', ckpt, '--prompt', 'ab', '--max-new-tokens', '5', '--beams', '3'];
  args.push('--num-return-sequences', '3');
  const j = JSON.parse(run(...args, '--json'));
  assert.equal(j.strategy, 'beam');
  assert.equal(j.hypotheses.length, 3);
  assert.ok(j.hypotheses[0].score >= j.hypotheses[1].score);
  const text = run('--model', ckpt, '--prompt', 'ab', '--max-new-tokens', '5', '--beams', '2');
  assert.match(text, /^#1 {2}score -\d+\.\d{4} {2}logprob -\d+\.\d{4} {2}\(cut at max-new-tokens\)\nab/);
  const full = generate(model, tok.encode('ab'), { maxNewTokens: 20, decode: (ids) => tok.decode(ids) }).text;
  const stop = full.slice(3, 5);
  assert.equal(
    run('--model', ckpt, '--prompt', 'ab', '--max-new-tokens', '20', '--stop', stop),
    `ab${full.slice(0, full.indexOf(stop))}\n`,
  );
});

test('cli: beam flags have HF meanings: --early-stopping, --length-penalty, --num-return-sequences', () => {
  type Row = { ids: number[]; score: number };
  const prompt = tok.encode('ab');
  const eosId = tok.encode(' ')[0];
  const pick = (hs: Row[]) => hs.map((h) => ({ ids: h.ids, score: h.score }));
  const base = ['--model', ckpt, '--prompt', 'ab', '--max-new-tokens', '12', '--beams', '3'];
  base.push('--eos-id', String(eosId));
  const cli = (...extra: string[]) => pick(JSON.parse(run(...base, '--json', ...extra)).hypotheses as Row[]);
  const lib = (o: BeamSearchOptions) =>
    pick(beamSearch(model, prompt, { beams: 3, maxNewTokens: 12, eosId, ...o }));
  assert.deepEqual(cli(), lib({}), 'defaults: HF length penalty 1, early stopping false, one sequence');
  assert.deepEqual(
    cli('--early-stopping', 'never', '--num-return-sequences', '3'),
    lib({ earlyStopping: 'never', numReturnSequences: 3 }),
  );
  assert.deepEqual(
    cli('--early-stopping', 'true', '--length-penalty', '0.5', '--length-penalty-formula', 'gnmt').concat(
      cli('--early-stopping', 'true', '--length-penalty', '0.5', '--num-return-sequences', '2'),
    ),
    lib({ earlyStopping: true, lengthPenalty: 0.5, lengthPenaltyFormula: 'gnmt' }).concat(
      lib({ earlyStopping: true, lengthPenalty: 0.5, numReturnSequences: 2 }),
    ),
  );
  const bad =
    (...extra: string[]) =>
    () =>
      run('--model', ckpt, '--prompt', 'ab', '--beams', '2', ...extra);
  assert.throws(bad('--early-stopping', 'maybe'), /--early-stopping must be one of true, false, never/);
  assert.throws(bad('--num-return-sequences', '3'), /numReturnSequences must be in \[1, 2\]/);
});

test('cli (spawned): bad flags, bad values, a missing or corrupt model directory are one error line each', () => {
  const llmfs = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'generate', ...args], { encoding: 'utf8' });
  const ok = llmfs('--model', ckpt, '--prompt', 'the', '--max-new-tokens', '4');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^the.{4}\n$/s);
  const cases: [string[], RegExp][] = [
    [['--model', ckpt, '--bogus'], /^error: generate: unknown option --bogus/],
    [['--model', ckpt, '--top-p', 'lots'], /^error: generate: --top-p must be a number, got 'lots'/],
    [
      ['--model', ckpt, '--strategy', 'magic'],
      /^error: generate: --strategy must be one of greedy, sample, beam, got 'magic'/,
    ],
    [['--model', ckpt, '--prompt', 'a', '--top-p', '2'], /^error: top-p must be in \(0, 1\], got 2/],
    [
      ['--model', ckpt, '--prompt', 'a', '--max-new-tokens', '100', '--overflow', 'error'],
      /^error: generate: a prompt of 1 tokens plus 100 new tokens needs 100 positions, more than the context window of 48/,
    ],
    [['--model', ckpt, '--prompt', 'A'], /^error: char tokenizer: character "A"/],
    [['--prompt', 'a'], /^error: generate: --model DIR is required/],
    [['--model', join(dir, 'nope'), '--prompt', 'a'], /^error: .*nope.*directory not found/],
    [['--model', join(dir, 'corrupt'), '--prompt', 'a'], /^error: .*corrupt.*model\.safetensors/],
  ];
  mkdirSync(join(dir, 'corrupt'));
  writeFileSync(join(dir, 'corrupt', 'config.json'), readFileSync(join(ckpt, 'config.json')));
  writeFileSync(join(dir, 'corrupt', 'model.safetensors'), new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
  for (const [args, re] of cases) {
    const r = llmfs(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
