// The lab's Next-token and Models panels against the library in Node. A tiny checkpoint trained by
// the CLI (`llmfs train --out`) is loaded into the page through its folder picker; the bars'
// probabilities under temperature / top-k / top-p equal those of the Node loader's model with the
// library's processors, the greyed tokens are the ones each filter removes, "take the most likely"
// appends the argmax and "sample one" the tokens generate() samples with the same seed; the
// downloaded zip, unpacked by Python's zipfile, loads in Node with equal logits. Bad folders give
// one line; dropped files load like picked ones. The zip the page writes is also checked in Node.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  argmaxRow,
  buildProcessors,
  CharTokenizer,
  generate,
  GPT,
  manualSeed,
  modelToFiles,
  softmaxRow,
  tensor,
  type SamplingOptions,
} from '../../src/index.js';
import { loadModel } from '../../src/io/model-checkpoint.js';
import { toyText } from '../../lab/src/corpus.js';
import { formatSetup, parseSetup, type Setup } from '../../lab/src/setup.js';
import { zipStored } from '../../lab/src/panels/models-zip.js';
import { chromiumMissing } from '../report/chromium.js';
import { buildLab, DIST, launch, openLab, ROOT, serve, type Served } from './harness.js';

const missing = chromiumMissing();
const PYTHON = '/usr/bin/python3';
let served: Served | undefined;
let browser: Browser | undefined;
let work = '';

/** Unpacks `zip` into `dir` with Python's zipfile (an outside reader of the format). */
function unzip(zip: string, dir: string): void {
  const r = spawnSync(PYTHON, ['-m', 'zipfile', '-e', zip, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python zipfile: ${r.stderr}`);
}

/** The next-token logits of `model` after `prompt`, as generate() computes them (float64). */
function logitsAfter(model: GPT, ids: number[]): Float64Array {
  const r = generate(model, ids, { maxNewTokens: 1, keepLogits: true });
  return Float64Array.from(r.logits![0]);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'llmfs-lab-nt-'));
  if (missing) return;
  // A tiny char-level model trained by the CLI on the lab's reversal text.
  writeFileSync(join(work, 'rev.txt'), toyText('reversal', 1337));
  const cli = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/llmfs.mjs'),
      'train',
      ...['--data', join(work, 'rev.txt'), '--preset', 'tiny', '--steps', '120', '--lr', '0.003'],
      ...[
        '--eval-interval',
        '120',
        '--eval-batches',
        '2',
        '--out',
        join(work, 'run'),
        '--quiet',
        '--no-cache',
      ],
    ],
    { encoding: 'utf8', cwd: work },
  );
  assert.equal(cli.status, 0, `llmfs train: ${cli.stderr}`);
  await buildLab();
  served = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.close();
});

test('models: the zip the page writes, unpacked by Python, loads in Node with the same logits', () => {
  const tok = CharTokenizer.fromCorpus('abcdefgh>\n');
  manualSeed(9);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 });
  const files = modelToFiles(model, tok);
  const zip = zipStored(Object.fromEntries(Object.entries(files).map(([f, b]) => [`ckpt/${f}`, b])));
  writeFileSync(join(work, 'page.zip'), zip);
  unzip(join(work, 'page.zip'), join(work, 'unzipped'));
  const loaded = loadModel(join(work, 'unzipped', 'ckpt'));
  const ids = tensor([tok.encode('abc>cb')]);
  assert.deepEqual(loaded.model.forward(ids).logits.toList(), model.forward(ids).logits.toList());
  assert.equal(loaded.tokenizer!.decode(loaded.tokenizer!.encode('ab>\n')), 'ab>\n');
});

test(
  'next token: a CLI checkpoint loaded in Chromium gives the probabilities of the library in Node',
  { skip: missing ?? false, timeout: 60_000 },
  async () => {
    const setup: Setup = { ...parseSetup(''), corpus: 'reversal', seed: 7 };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    await page.locator('.models-input').setInputFiles(join(work, 'run'));
    await page.waitForFunction(() => window.lab.models.loaded !== null || window.lab.errors.length > 0);
    assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
    assert.match((await page.textContent('#status')) ?? '', /^loaded run\/last: /, 'the Train panel says so');

    const { model, tokenizer } = loadModel(join(work, 'run', 'last'));
    const tok = tokenizer!;
    /** The page's view once it shows `prompt` under `o`, and Node's distribution for the same. */
    const compare = async (prompt: string, o: SamplingOptions) => {
      const view = await page.waitForFunction(
        (p) => (window.lab.nextToken?.prompt === p ? window.lab.nextToken : null),
        prompt,
      );
      const v = (await view.jsonValue())!;
      const z = logitsAfter(model, tok.encode(prompt));
      const raw = softmaxRow(z);
      const processed = Float64Array.from(z);
      for (const p of buildProcessors(o)) p(processed, { tokens: [], generated: [] });
      const probs = softmaxRow(processed);
      v.ids.forEach((id, i) => {
        assert.ok(Math.abs(v.raw[i] - raw[id]) < 1e-4, `raw p of ${id}: ${v.raw[i]} vs ${raw[id]}`);
        assert.ok(Math.abs(v.probs[i] - probs[id]) < 1e-4, `p of ${id}: ${v.probs[i]} vs ${probs[id]}`);
      });
      return { v, z, probs };
    };

    const prompt = 'abcd>';
    await page.fill('.nt-prompt', prompt);
    const plain = await compare(prompt, {});
    assert.equal(plain.v.ids[0], argmaxRow(plain.z), 'the first bar is the most likely token');
    assert.deepEqual(plain.v.removedBy.filter(Boolean), [], 'no filter: nothing greyed');

    // Temperature 0.7 and top-k 3: the 4th to 20th bars are greyed "top-k", and p matches Node.
    const set = (name: string, value: string) =>
      page.$eval(
        `input[name="${name}"]`,
        (el, v) => {
          (el as HTMLInputElement).value = v;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        },
        value,
      );
    await set('nt.temp', '0.7');
    await set('nt.topk', '3');
    await page.fill('.nt-prompt', 'abcd');
    await page.fill('.nt-prompt', prompt); // a fresh view under the new settings
    const k3 = await compare(prompt, { temperature: 0.7, topK: 3 });
    assert.deepEqual(
      k3.v.removedBy,
      k3.v.ids.map((_, i) => (i < 3 ? null : 'top-k')),
    );
    assert.equal(await page.locator('.nt-col.nt-removed').count(), k3.v.ids.length - 3, 'greyed bars');
    assert.ok(page.url().includes('nt.topk=3') && page.url().includes('nt.temp=0.7'), 'settings in the URL');

    // "take the most likely" appends the argmax; "sample one" twice appends generate()'s draws.
    await page.click('.nt-greedy');
    const greedyText = prompt + tok.decode([argmaxRow(k3.z)]);
    await page.waitForFunction((p) => window.lab.nextToken?.prompt === p, greedyText);
    await page.click('.nt-sample');
    await page.waitForFunction((n) => window.lab.nextToken?.prompt.length === n, greedyText.length + 1);
    await page.click('.nt-sample');
    await page.waitForFunction((n) => window.lab.nextToken?.prompt.length === n, greedyText.length + 2);
    const sampled = generate(model, tok.encode(greedyText), {
      strategy: 'sample',
      seed: setup.seed,
      maxNewTokens: 2,
      temperature: 0.7,
      topK: 3,
    });
    assert.equal(await page.inputValue('.nt-prompt'), greedyText + tok.decode(sampled.ids));

    // The download: a zip of the checkpoint folder, which the Node loader reads with equal logits.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.models-download')]);
    assert.equal(download.suggestedFilename(), 'llmfs-lab-step0.zip');
    await download.saveAs(join(work, 'download.zip'));
    unzip(join(work, 'download.zip'), join(work, 'download'));
    const back = loadModel(join(work, 'download', 'llmfs-lab-step0'));
    const ids = tensor([tok.encode('hgfe>efg')]);
    assert.deepEqual(back.model.forward(ids).logits.toList(), model.forward(ids).logits.toList());
    assert.deepEqual(back.tokenizer!.encode('abc>'), tok.encode('abc>'));

    // The loaded model trains further on the chosen corpus.
    await page.click('#step');
    await page.waitForFunction(() => window.lab.losses.length === 1 && !window.lab.running);
    assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
    await page.close();
    assert.deepEqual(errors, [], 'no console errors');
  },
);

test(
  'models: a folder without weights, or of another model type, gives one line; a foreign corpus, a refusal',
  { skip: missing ?? false, timeout: 30_000 },
  async () => {
    const setup: Setup = { ...parseSetup(''), corpus: 'addition' };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    const noWeights = join(work, 'no-weights');
    mkdirSync(noWeights);
    for (const f of ['config.json', 'tokenizer.json'])
      copyFileSync(join(work, 'run', 'last', f), join(noWeights, f));
    await page.locator('.models-input').setInputFiles(noWeights);
    const modelErrors = () =>
      page.evaluate(() => window.lab.errors.filter((e) => e.startsWith('checkpoint')));
    await page.waitForFunction(() => window.lab.errors.some((e) => e.startsWith('checkpoint no-weights')));
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'config.json'), '{"model_type": "gpt2"}');
    copyFileSync(join(work, 'run', 'last', 'model.safetensors'), join(other, 'model.safetensors'));
    await page.locator('.models-input').setInputFiles(other);
    await page.waitForFunction(() => window.lab.errors.some((e) => e.startsWith('checkpoint other')));
    assert.deepEqual(await modelErrors(), [
      'checkpoint no-weights: model.safetensors: file not found',
      'checkpoint other: config.json: model_type is "gpt2", expected "llmfs-gpt" (for Hugging Face GPT-2 ' +
        'directories use the HF loader)',
    ]);
    const line = await page.textContent('#models .panel-error');
    assert.match(line ?? '', /^checkpoint other: config\.json: model_type is "gpt2"/);
    assert.equal(await page.evaluate(() => window.lab.models.loaded), null, 'the run keeps its model');

    // A model whose char tokenizer lacks the corpus's characters loads, but refuses to train on it.
    await page.locator('.models-input').setInputFiles(join(work, 'run'));
    await page.waitForFunction(() => window.lab.models.loaded !== null);
    assert.match((await page.textContent('.models-status')) ?? '', /cannot train on this corpus/);
    await page.click('#play');
    await page.waitForFunction(() => window.lab.errors.some((e) => e.includes('cannot train')));
    assert.match(
      (await page.textContent('#status')) ?? '',
      /^the loaded model cannot train on this corpus \(char /,
    );
    await page.close();
    assert.deepEqual(errors, [], 'no console errors');
  },
);

test(
  'models: the files of a checkpoint dropped on the panel load as the run model',
  { skip: missing ?? false, timeout: 30_000 },
  async () => {
    const setup: Setup = { ...parseSetup(''), corpus: 'reversal' };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    const dir = join(work, 'run', 'best');
    const files = ['config.json', 'model.safetensors', 'tokenizer.json'].map((name) => ({
      name,
      bytes: [...readFileSync(join(dir, name))],
    }));
    // A drop of loose files (what a file manager sends): no folder entries, so the files are read as-is.
    await page.$eval(
      '.models-drop',
      (el, list) => {
        const dt = new DataTransfer();
        for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      files,
    );
    await page.waitForFunction(() => window.lab.models.loaded !== null || window.lab.errors.length > 0);
    assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
    assert.match((await page.textContent('.models-status')) ?? '', /^loaded checkpoint: 102,784 parameters/);
    await page.close();
    assert.deepEqual(errors, [], 'no console errors');
  },
);
