// The lab's Tokenizer panel and BPE as the Train panel's tokenizer. In Node: the lab learns the
// merges (and counts) of the library's fast trainer, and a BPE setup's tokens are trainBpe's. In
// Chromium: the panel learns merges on the Train panel's text, its chips at step k are the
// encoding of trainBpe stopped after k merges, "next" merges a pair in the sentence (fewer tokens,
// the pair as one chip), the URL keeps k, a typed sentence or a typed text to learn from is
// followed; and training with tokenizer=bpe in the page gives the losses of Node's train() on
// trainBpe's tokens for the same seed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import {
  splitTrainVal,
  toTokenArray,
  train,
  trainBpe,
  type EvalInfo,
  type StepInfo,
} from '../../src/index.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';
import { learnMerges, prepare } from '../../lab/src/corpus.js';
import { buildModel, corpusText, trainSettings } from '../../lab/src/session.js';
import { formatSetup, parseSetup, type Setup } from '../../lab/src/setup.js';
import { visible } from '../../lab/src/panels/tokenizer-view.js';
import { chromiumMissing } from '../report/chromium.js';
import { buildLab, DIST, launch, openLab, ROOT, serve, type Served } from './harness.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SOTU = readFileSync(join(ROOT, 'lab/src/presets/sotu.txt'), 'utf8');
const missing = chromiumMissing();
let served: Served | undefined;
let browser: Browser | undefined;

before(async () => {
  if (missing) return;
  await buildLab();
  served = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.close();
});

test('setup: tokenizer and merges round-trip through the query string; bad values fall back', () => {
  const s = parseSetup('?corpus=sotu&tokenizer=bpe&merges=300');
  assert.deepEqual([s.tokenizer, s.merges], ['bpe', 300]);
  assert.deepEqual(parseSetup(formatSetup(s)), s);
  const bad = parseSetup('?tokenizer=wordpiece&merges=0');
  assert.deepEqual([bad.tokenizer, bad.merges], [parseSetup('').tokenizer, parseSetup('').merges]);
  assert.equal(parseSetup('?merges=1001').merges, parseSetup('').merges, 'at most 1000 merges');
});

test("the lab learns the fast trainer's merges and pair counts, on every corpus", () => {
  for (const corpus of ['sotu', 'reversal', 'addition'] as const) {
    const text = corpusText({ ...parseSetup(''), corpus }, SOTU);
    const lab: unknown[] = [];
    const merges = learnMerges(text, 40, (m) => lab.push(m));
    const fast: unknown[] = [];
    const reference = trainBpe(text, { vocabSize: 256 + 40, onMerge: (m) => fast.push(m) });
    assert.deepEqual(merges, reference.merges, corpus);
    assert.deepEqual(lab, fast, `${corpus}: counts`);
  }
});

test("prepare with tokenizer=bpe: the tokens are trainBpe's encoding, vocabulary 256 + merges", () => {
  const text = corpusText({ ...parseSetup(''), corpus: 'addition' }, '');
  const { tokenizer, data } = prepare(text, { tokenizer: 'bpe', merges: 50 });
  const reference = trainBpe(text, { vocabSize: 256 + 50 });
  assert.equal(tokenizer.vocabSize, 306);
  const ids = reference.encode(text);
  assert.deepEqual([...data.train, ...data.val], ids);
  assert.ok(ids.length < text.length, `${ids.length} tokens for ${text.length} characters`);
});

/** The token ids the page's chips show. */
async function chips(page: import('playwright-core').Page): Promise<{ ids: number[]; text: string[] }> {
  return page.$$eval('#tok-chips .tokenizer-chip', (els) => ({
    ids: els.map((e) => Number((e as HTMLElement).dataset.id)),
    text: els.map((e) => e.textContent ?? ''),
  }));
}

test(
  "the tokenizer panel: step k shows trainBpe-after-k-merges' tokens; next merges a pair; the URL keeps k",
  { skip: missing ?? false, timeout: 60_000 },
  async () => {
    const sentence = 'Fellow-Citizens, the commerce of the nation has prospered.';
    const N = 80;
    const full = trainBpe(SOTU, { vocabSize: 256 + N });
    const encodeK = (k: number): number[] => trainBpe(SOTU, { vocabSize: 256 + k }).encode(sentence);
    // A step k0 past the first few whose next merge joins a pair of the sentence.
    let k0 = 20;
    while (encodeK(k0 + 1).length === encodeK(k0).length) k0++;
    const [left, right, result] = full.merges![k0];

    const url =
      served!.url +
      formatSetup({ ...parseSetup(''), corpus: 'sotu' }) +
      `&tok.merges=${N}&tok.k=${k0}&tok.text=${encodeURIComponent(sentence)}`;
    const { page, errors } = await openLab(browser!, url);
    await page.waitForFunction((k) => window.lab.tokenizer.learned > 0 && window.lab.tokenizer.k === k, k0);
    assert.equal(await page.evaluate(() => window.lab.tokenizer.learned), N);
    const at = await chips(page);
    assert.deepEqual(at.ids, encodeK(k0), `the chips at step ${k0} are the encoding with ${k0} merges`);
    assert.equal(at.text.join(''), visible(sentence), 'the chips spell the sentence');

    await page.click('#tok-next');
    await page.waitForFunction((k) => window.lab.tokenizer.k === k, k0 + 1);
    const next = await chips(page);
    assert.deepEqual(next.ids, encodeK(k0 + 1), `the chips at step ${k0 + 1}`);
    assert.ok(next.ids.length < at.ids.length, 'the merge leaves fewer tokens');
    const merged = visible(full.piece(left) + full.piece(right));
    const i = next.ids.indexOf(result);
    assert.ok(i >= 0 && next.text[i] === merged, `the pair ${JSON.stringify(merged)} is one chip`);
    assert.equal(await page.locator('#tok-chips .tokenizer-new').first().textContent(), merged);
    assert.match((await page.textContent('#tok-merge')) ?? '', new RegExp(`merge ${k0 + 1}:`));
    assert.match(page.url(), new RegExp(`[?&]tok\\.k=${k0 + 1}(&|$)`), 'the URL keeps k');

    // The link reproduces the view; the first step is one token per byte.
    await page.goto(page.url());
    await page.waitForFunction(
      (k) => window.lab.tokenizer.learned > 0 && window.lab.tokenizer.k === k,
      k0 + 1,
    );
    assert.deepEqual((await chips(page)).ids, encodeK(k0 + 1), 'after a reload, the same step');
    await page.click('#tok-first');
    await page.waitForFunction(() => window.lab.tokenizer.k === 0);
    assert.deepEqual((await chips(page)).ids, [...new TextEncoder().encode(sentence)]);

    // Another sentence, typed: its chips follow (and the link keeps it).
    const typed = 'the people of the States';
    await page.fill('#tok-sentence', typed);
    await page.click('#tok-last');
    await page.waitForFunction(
      (s) => window.lab.tokenizer.sentence === s && window.lab.tokenizer.k === 80,
      typed,
    );
    assert.deepEqual((await chips(page)).ids, full.encode(typed));
    assert.equal(new URL(page.url()).searchParams.get('tok.text'), typed);
    assert.equal(new URL(page.url()).searchParams.get('tok.k'), null, 'the last step is the default');

    // Text typed in the panel is learned from instead of the Train panel's.
    const own = 'low lower lowest newer newest wider widest '.repeat(3);
    await page.fill('#tok-corpus', own);
    await page.dispatchEvent('#tok-corpus', 'change');
    const small = trainBpe(own, { vocabSize: 256 + N });
    await page.waitForFunction((n) => window.lab.tokenizer.learned === n, small.merges!.length);
    await page.waitForFunction(() => window.lab.tokenizer.k === window.lab.tokenizer.learned);
    assert.ok(small.merges!.length < N, 'a short text runs out of pairs before N merges');
    assert.deepEqual((await chips(page)).ids, small.encode(typed));
    await page.close();
    assert.deepEqual(errors, [], 'no console errors');
  },
);

test(
  "training with tokenizer=bpe in the page gives the losses of train() in Node on trainBpe's tokens",
  { skip: missing ?? false, timeout: 60_000 },
  async (t) => {
    const setup: Setup = {
      ...parseSetup(''),
      corpus: 'addition',
      tokenizer: 'bpe',
      merges: 60,
      steps: 6,
      evalEvery: 3,
      sampleEvery: 3,
      seed: 7,
    };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    assert.equal(await page.inputValue('select[name=tokenizer]'), 'bpe');
    assert.ok(await page.isVisible('input[name=merges]'), 'the merges field shows with BPE');
    await page.waitForFunction(() =>
      /tokens in the vocabulary/.test(document.querySelector('#status')!.textContent!),
    );
    const status = (await page.textContent('#status')) ?? '';
    await page.click('#step');
    await page.waitForFunction(() => window.lab.losses.length === 1 && !window.lab.running);
    await page.click('#play');
    await page.waitForFunction(() => window.lab.done || window.lab.errors.length > 0);
    const lab = await page.evaluate(() => window.lab);
    // Choosing char in the form resets the run with one token per character; the field hides.
    await page.selectOption('select[name=tokenizer]', 'char');
    await page.waitForFunction(() =>
      /\b1[0-9] tokens in the vocabulary/.test(document.body.textContent ?? ''),
    );
    assert.ok(!(await page.isVisible('input[name=merges]')), 'no merges field with char');
    await page.close();
    assert.deepEqual(lab.errors, []);
    assert.deepEqual(errors, [], 'no console errors');

    // Node: the library's fast trainer, its tokens, and train() with the page's settings.
    await useFastBackend();
    const text = corpusText(setup, '');
    const tok = trainBpe(text, { vocabSize: 256 + setup.merges });
    assert.match(status, new RegExp(`${tok.vocabSize} tokens in the vocabulary`));
    const data = splitTrainVal(toTokenArray(tok.encode(text), tok.vocabSize), 0.1);
    const model = buildModel(setup, tok.vocabSize);
    const steps: StepInfo[] = [];
    const evals: EvalInfo[] = [];
    train(model, data, trainSettings(setup), { onStep: (s) => steps.push(s), onEval: (e) => evals.push(e) });
    assert.equal(lab.losses.length, setup.steps);
    const worst = Math.max(...lab.losses.map((loss, i) => Math.abs(loss - steps[i].loss)));
    t.diagnostic(`largest difference of a step's loss, page vs Node (BPE): ${worst.toExponential(2)}`);
    lab.losses.forEach((loss, i) =>
      assert.ok(Math.abs(loss - steps[i].loss) < 1e-4, `step ${i + 1}: page ${loss}, Node ${steps[i].loss}`),
    );
    assert.ok(steps[0].loss > 5, `the first loss ${steps[0].loss} is near ln(${tok.vocabSize})`);
    assert.deepEqual(
      lab.evals.map((e) => e.step),
      evals.map((e) => e.step),
    );
    lab.evals.forEach((e, i) =>
      assert.ok(Math.abs(e.valLoss - evals[i].valLoss) < 1e-4, `val loss at ${e.step}: ${e.valLoss}`),
    );
  },
);
