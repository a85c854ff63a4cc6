// The vision-language commands end to end with tiny models (seconds): `vision train --task caption`
// and `--task vqa` write checkpoints, `vision eval` scores them (its JSON fields, and the same
// numbers as the library's evaluation), `caption` and `ask` print exactly what the library's
// generate gives for the same picture (greedy and beam), --overlay writes one panel per word drawn
// from the right attention rows, and every bad input is one line (training loop: vlm-cli-train).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { commands } from '../../src/cli/commands.js';
import { LlmfsError } from '../../src/errors.js';
import { readImageFile, writeImageFile } from '../../src/io/image-files.js';
import { loadVlm } from '../../src/io/vlm-checkpoint.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { resizeImage } from '../../src/vision/resize.js';
import { imageToTensor } from '../../src/vision/to-tensor.js';
import { QUESTION_KINDS } from '../../src/vision/scenes/questions.js';
import { WordTokenizer } from '../../src/vision/text/word-tokenizer.js';
import { attentionOverlay, evaluateCaptions, promptIds } from '../../src/vision/vlm/index.js';
import { overlaySize, PANEL_GAP, PANEL_SCALE } from '../../src/cli/vlm-overlay.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vlm-cli-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

type Write = typeof process.stderr.write;

/** `llmfs ...` in-process: console.log and stderr captured, an LlmfsError as exit 1. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; error: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, err: process.stderr.write };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as Write;
  try {
    const code = (await commands[argv[0]].run(argv.slice(1))) ?? 0;
    return { code, stdout, stderr, error: '' };
  } catch (e) {
    if (!(e instanceof LlmfsError)) throw e;
    return { code: 1, stdout, stderr, error: e.message };
  } finally {
    console.log = saved.log;
    process.stderr.write = saved.err;
  }
}

const small = ['--d-model', '16', '--n-head', '2', '--n-layer', '1', '--n-embd', '32'];
const smallDecoder = ['--decoder-heads', '2', '--decoder-layers', '1', '--max-text', '40'];
const tiny = [
  '--steps',
  '60',
  '--batch-size',
  '8',
  '--lr',
  '5e-3',
  '--eval-every',
  '30',
  '--eval-count',
  '3',
];
const captioner = join(TMP, 'caption');
const answerer = join(TMP, 'vqa');
const scene = sceneExample('test', 0);
const picture = join(TMP, 'scene.png');
writeImageFile(picture, scene.image);
const tok = new WordTokenizer();

async function ok(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await run(argv);
  assert.equal(r.code, 0, r.error || r.stderr);
  return r;
}

test('vision train --task caption (prefix) and --task vqa (cross) write checkpoints vision eval scores', async () => {
  const c = await ok([
    'vision',
    'train',
    '--task',
    'caption',
    '--out',
    captioner,
    ...tiny,
    ...small,
    ...smallDecoder,
  ]);
  assert.match(c.stdout, /^saved .*caption: 60 steps in [\d.]+s; last loss [\d.]+\n$/);
  assert.match(c.stderr, /val at step 30 \(3 scenes\): captions exact [\d.]+%, size/);
  const v = await ok([
    'vision',
    'train',
    '--task',
    'vqa',
    '--kind',
    'cross',
    '--out',
    answerer,
    '--quiet',
    ...tiny,
    ...small,
    ...smallDecoder,
  ]);
  assert.equal(v.stderr, '');
  assert.equal(loadVlm(answerer).model.config.kind, 'cross');
  assert.equal(loadVlm(captioner).training.stepsDone, 60);

  const e = JSON.parse((await ok(['vision', 'eval', '--model', captioner, '--count', '4', '--json'])).stdout);
  assert.equal(e.kind, 'prefix');
  assert.equal(e.task, 'caption');
  assert.equal(e.vqa, undefined);
  assert.deepEqual(Object.keys(e.caption.attributeAccuracy), ['size', 'colour', 'shape', 'position']);
  const m = loadVlm(captioner);
  const lib = evaluateCaptions(m.model, m.tokenizer, {
    split: 'test',
    count: 4,
    scenes: { size: 48, ...m.scenes },
  });
  assert.equal(e.caption.exactMatch, lib.exactMatch);
  assert.deepEqual(e.caption.attributeAccuracy, lib.attributeAccuracy);
  const q = JSON.parse(
    (await ok(['vision', 'eval', '--model', answerer, '--split', 'unseen', '--count', '3', '--json'])).stdout,
  );
  assert.equal(q.task, 'vqa');
  assert.equal(q.split, 'unseen');
  assert.equal(typeof q.vqa.accuracy, 'number');
  const kinds = Object.keys(q.vqa.perKind);
  assert.ok(
    kinds.length > 0 && kinds.every((k) => (QUESTION_KINDS as readonly string[]).includes(k)),
    kinds.join(),
  );
  const total = Object.values(q.vqa.perKind as Record<string, { questions: number }>).reduce(
    (s, k) => s + k.questions,
    0,
  );
  assert.equal(total, q.vqa.questions);
  const both = JSON.parse(
    (await ok(['vision', 'eval', '--model', answerer, '--task', 'mixed', '--count', '2', '--json'])).stdout,
  );
  assert.ok(both.caption && both.vqa);
  const text = await ok(['vision', 'eval', '--model', captioner, '--count', '2']);
  assert.match(text.stdout, /\(prefix VLM\) on 2 test scenes[\s\S]*colour +[\d.]+%/);
});

test('caption and ask print what the library generates for the same picture (greedy and beam)', async () => {
  const m = loadVlm(captioner);
  const x = imageToTensor(scene.image);
  const said = (ids: number[]) => `${m.tokenizer.decode(ids)}\n`;
  const greedy = m.model.generate(x, promptIds(tok), { eosId: tok.eosId });
  assert.ok(greedy.length > 0);
  assert.equal((await ok(['caption', '--model', captioner, picture])).stdout, said(greedy));
  const beam = m.model.generate(x, promptIds(tok), { eosId: tok.eosId, strategy: 'beam', beams: 3 });
  const j = JSON.parse(
    (await ok(['caption', '--model', captioner, picture, '--beams', '3', '--json'])).stdout,
  );
  assert.deepEqual(j.ids, beam);
  assert.equal(j.caption, m.tokenizer.decode(beam));
  const a = loadVlm(answerer);
  const question = 'how many circles?';
  const answer = a.model.generate(x, promptIds(tok, question), { eosId: tok.eosId });
  assert.equal(
    (await ok(['ask', '--model', answerer, picture, 'How many circles?'])).stdout,
    `${a.tokenizer.decode(answer)}\n`,
  );
});

test("--overlay: one panel per generated word, each drawn from that word's row of attention", async () => {
  const m = loadVlm(captioner);
  const x = imageToTensor(scene.image);
  const question = 'what shape is the red object?';
  const prompt = promptIds(tok, question);
  const ids = m.model.generate(x, prompt, { eosId: tok.eosId });
  assert.ok(ids.length > 1);
  const out = join(TMP, 'overlay.png');
  await ok(['ask', '--model', captioner, picture, question, '--overlay', out]);
  const png = readImageFile(out);
  assert.deepEqual([png.width, png.height], overlaySize(ids.length, 48));
  // panel i shows row (prompt length - 1 + i): the query that produced word i
  const att = m.model.attentionToPatches(x, [...prompt, ...ids].slice(0, -1)); // (T, 9)
  const N = att.shape[1];
  const side = 48 * PANEL_SCALE;
  for (const i of [0, ids.length - 1]) {
    const row = att.data.subarray((prompt.length - 1 + i) * N, (prompt.length + i) * N);
    const want = attentionOverlay(scene.image, row, 3, 3);
    for (const [px, py] of [
      [2, 2],
      [40, 5],
      [24, 40],
    ]) {
      const got = 3 * (py * PANEL_SCALE * png.width + i * (side + PANEL_GAP) + px * PANEL_SCALE);
      assert.deepEqual(
        [...png.data.subarray(got, got + 3)],
        [...want.data.subarray(3 * (py * 48 + px), 3 * (py * 48 + px) + 3)],
        `panel ${i} (${px}, ${py})`,
      );
    }
  }
});

test('caption / ask: bad pictures, questions and models are one line each', async () => {
  const bad = async (argv: string[], pattern: RegExp) => {
    const r = await run(argv);
    assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stdout}`);
    assert.ok(!r.error.includes('\n'), r.error);
    assert.match(r.error, pattern);
  };
  const corrupt = join(TMP, 'corrupt.png');
  writeFileSync(corrupt, Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
  await bad(['caption', '--model', captioner, corrupt], /corrupt\.png/);
  const jpeg = join(TMP, 'photo.png');
  writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]));
  await bad(['caption', '--model', captioner, jpeg], /JPEG/);
  const small32 = join(TMP, 'small.png');
  const resized = resizeImage(scene.image, 32, 32);
  writeFileSync(small32, encode({ width: 32, height: 32, channels: 3, data: resized.data }));
  await bad(
    ['caption', '--model', captioner, small32, '--on-size-mismatch', 'error'],
    /is 32x32, the model takes 48x48/,
  );
  const r = await ok(['caption', '--model', captioner, small32]);
  assert.match(r.stderr, /^note: .*small\.png is 32x32, resized \(bilinear\) to the model's 48x48/);
  const m = loadVlm(captioner);
  const back = imageToTensor(resizeImage(resized, 48, 48));
  assert.equal(
    r.stdout,
    `${m.tokenizer.decode(m.model.generate(back, promptIds(tok), { eosId: tok.eosId }))}\n`,
  );
  const long = Array.from({ length: 20 }, () => 'how many').join(' ');
  await bad(
    ['ask', '--model', answerer, picture, long],
    /^ask: the question has 40 tokens; this model reads at most 37$/,
  );
  await bad(
    ['ask', '--model', answerer, picture, 'how many hexagons are purple?'],
    /^ask: 'hexagons', 'are' are not in this model's vocabulary/,
  );
  await bad(['ask', '--model', answerer, picture], /^ask: give an image file and a question/);
  await bad(['caption', '--model', answerer], /^caption: give one image file/);
  await bad(['caption', picture], /^caption: --model is required/);
  const cls = join(TMP, 'classifier');
  await ok([
    'vision',
    'train',
    '--out',
    cls,
    '--steps',
    '1',
    '--batch-size',
    '2',
    '--eval-count',
    '2',
    '--quiet',
    '--d-model',
    '8',
    '--n-head',
    '2',
    '--n-layer',
    '1',
  ]);
  await bad(
    ['caption', '--model', cls, picture],
    /^caption: .*classifier holds a classify model \(llmfs-vit\), not a vision-language model/,
  );
  await bad(['ask', '--model', join(TMP, 'nowhere'), picture, 'how many objects?'], /nowhere/);
  await bad(
    ['vision', 'train', '--task', 'caption', '--describe-first', '--out', join(TMP, 'never')],
    /^vision train: --describe-first is for questions \(--task vqa or mixed\), not captions$/,
  );
  await bad(
    [
      'vision',
      'train',
      '--task',
      'vqa',
      '--describe-first',
      '--objects',
      '4',
      '--max-text',
      '30',
      '--out',
      join(TMP, 'never'),
    ],
    /^vision train: a described sequence of \d+ tokens does not fit the model's text window \(maxText 30\)/,
  );
  // The other way round: a classifier's command on a vision-language model names the right one.
  await bad(
    ['vision', 'eval', '--model', captioner, '--image', picture],
    /^vision eval: .* holds a vision-language model, .*use `llmfs caption --model .*` or `llmfs ask/,
  );
});

test('vision train --init: continues from a checkpoint (its shape, kind and weights); shape flags conflict', async () => {
  const out = join(TMP, 'continued');
  // lr 0: the step changes nothing, so the saved weights must be the captioner's exactly.
  const args = ['vision', 'train', '--task', 'vqa', '--init', captioner, '--out', out, '--steps', '2'];
  await ok([...args, '--batch-size', '2', '--lr', '0', '--eval-every', '0', '--eval-count', '1', '--quiet']);
  const before = loadVlm(captioner);
  const after = loadVlm(out);
  assert.deepEqual(after.model.config, before.model.config);
  assert.equal(after.training.init, captioner);
  assert.equal(after.training.task, 'vqa');
  const named = (m: typeof before) => m.model.namedParameters().map(([n, p]) => [n, Array.from(p.data)]);
  assert.deepEqual(named(after), named(before));
  const r = await run([...args.slice(0, -2), '--force', '--d-model', '32', '--kind', 'cross']);
  assert.equal(r.code, 1);
  assert.match(
    r.error,
    /^vision train: --init takes the model's shape from .*caption; drop --kind, --d-model$/,
  );
  const missing = await run([
    'vision',
    'train',
    '--task',
    'vqa',
    '--init',
    join(TMP, 'nowhere'),
    '--out',
    join(TMP, 'never-written'),
  ]);
  assert.match(missing.error, /nowhere/);
  assert.ok(!missing.error.includes('\n'));
});
