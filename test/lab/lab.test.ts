// The lab in a real headless Chromium (Debian's, driven by playwright-core): the built site,
// served with COOP/COEP by a tiny Node server, trains the tiny GPT on the reversal task until the
// validation loss is below the text's unigram entropy (what no model that ignores context can
// reach), with no console error; and a few steps in the page, paused and stepped, give the
// losses of one train() call in Node for the same seed and settings; without cross-origin
// isolation it says so and trains on one thread.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { train, GPT, unigramEntropy, type StepInfo, type EvalInfo } from '../../src/index.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';
import { prepare } from '../../lab/src/corpus.js';
import { buildModel, corpusText, trainSettings } from '../../lab/src/session.js';
import { formatSetup, parseSetup, type Setup } from '../../lab/src/setup.js';
import { chromiumMissing } from '../report/chromium.js';
import { buildLab, DIST, LAB, launch, openLab, serve, type Served } from './harness.js';

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

test('setup: a query string round-trips, and bad values fall back to the defaults', () => {
  const s = parseSetup('?corpus=addition&lr=0.01&steps=50&seed=7&size=cpu-small');
  assert.equal(s.corpus, 'addition');
  assert.equal(s.size, 'cpu-small');
  assert.deepEqual(parseSetup(formatSetup(s)), s);
  const bad = parseSetup('?corpus=nope&lr=-1&steps=2.5&batch=abc');
  assert.deepEqual(bad, parseSetup(''));
});

test(
  'the lab trains the tiny GPT on reversal in Chromium: val loss below the unigram entropy',
  {
    skip: missing ?? false,
    timeout: 90_000,
  },
  async () => {
    const setup: Setup = {
      ...parseSetup(''),
      corpus: 'reversal',
      steps: 600,
      evalEvery: 25,
      sampleEvery: 100,
    };
    const { data, tokenizer } = prepare(corpusText(setup, ''));
    const bound = unigramEntropy(data.val, tokenizer.vocabSize) - 0.15;
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    const backend = await page.evaluate(() => window.lab);
    assert.match(backend.backend, /^wasm-/, 'the page trains on the WebAssembly SIMD kernels');
    assert.ok(backend.isolated && backend.threads > 1, 'served with COOP/COEP, the kernels use threads');
    await page.click('#play');
    // Generous: about 10 s here; this is a check that it learns, not a benchmark.
    await page.waitForFunction(
      (b) => window.lab.errors.length > 0 || window.lab.done || window.lab.evals.some((e) => e.valLoss < b),
      bound,
      { timeout: 60_000 },
    );
    await page.click('#pause');
    const lab = await page.evaluate(() => window.lab);
    assert.deepEqual(lab.errors, []);
    // The chart's reference lines are the library's: ln V and the same unigram entropy.
    assert.ok(lab.floors, 'the chart has its reference lines');
    assert.ok(Math.abs(lab.floors.unigram - (bound + 0.15)) < 1e-9, `unigram line ${lab.floors.unigram}`);
    assert.ok(Math.abs(lab.floors.uniform - Math.log(tokenizer.vocabSize)) < 1e-9);
    const best = Math.min(...lab.evals.map((e) => e.valLoss));
    assert.ok(
      best < bound,
      `val loss ${best} should fall below ${bound.toFixed(3)} (unigram entropy - 0.15)`,
    );
    assert.ok(lab.losses[0] > bound + 0.1, `the first loss ${lab.losses[0]} starts above the bound`);
    const shown = Number(await page.textContent('#stat-step'));
    assert.ok(shown >= lab.evals.at(-1)!.step, 'the step counter shows the progress');
    await page.close();
    assert.deepEqual(errors, [], 'no console errors');
  },
);

test(
  'from a plain host, under a sub-path, without COOP/COEP: the page says so, trains on one thread, resets',
  {
    skip: missing ?? false,
    timeout: 60_000,
  },
  async () => {
    const plain = await serve(LAB, false); // the site at /dist/: the relative base finds its files
    try {
      const setup: Setup = { ...parseSetup(''), corpus: 'addition', steps: 500, sampleEvery: 0 };
      const { page, errors } = await openLab(browser!, `${plain.url}dist/${formatSetup(setup)}`);
      const lab = await page.evaluate(() => window.lab);
      assert.equal(lab.isolated, false);
      assert.equal(lab.threads, 1);
      assert.match((await page.textContent('#backend')) ?? '', /not cross-origin isolated.*one thread/);
      // Reset while training: the old run's last messages never reach the new run's chart.
      await page.click('#play');
      await page.waitForFunction(() => window.lab.losses.length >= 5);
      await page.click('#reset');
      await page.waitForTimeout(500);
      const after = await page.evaluate(() => window.lab);
      assert.deepEqual([after.losses.length, after.running], [0, false], 'reset: a new run, not training');
      await page.click('#step');
      await page.waitForFunction(() => window.lab.losses.length === 1 && !window.lab.running);
      await page.close();
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await plain.close();
    }
  },
);

test(
  'a few steps in the page, stepped, paused and played, give the losses of train() in Node',
  {
    skip: missing ?? false,
    timeout: 60_000,
  },
  async (t) => {
    const setup: Setup = {
      ...parseSetup(''),
      corpus: 'addition',
      steps: 8,
      evalEvery: 4,
      sampleEvery: 3,
      seed: 42,
    };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    await page.click('#step');
    await page.waitForFunction(() => window.lab.losses.length === 1 && !window.lab.running);
    await page.click('#step');
    await page.waitForFunction(() => window.lab.losses.length === 2 && !window.lab.running);
    await page.click('#play');
    await page.waitForFunction(() => window.lab.done || window.lab.errors.length > 0);
    const lab = await page.evaluate(() => window.lab);
    await page.close();
    assert.deepEqual(lab.errors, []);
    assert.deepEqual(errors, [], 'no console errors');

    await useFastBackend();
    const { data, tokenizer } = prepare(corpusText(setup, ''));
    const model: GPT = buildModel(setup, tokenizer.vocabSize);
    const steps: StepInfo[] = [];
    const evals: EvalInfo[] = [];
    train(model, data, trainSettings(setup), { onStep: (s) => steps.push(s), onEval: (e) => evals.push(e) });
    assert.equal(lab.losses.length, 8);
    // The same kernels up to float rounding (the page may use relaxed SIMD's fused multiply-add).
    const worst = Math.max(...lab.losses.map((loss, i) => Math.abs(loss - steps[i].loss)));
    t.diagnostic(`largest difference of a step's loss, page vs Node: ${worst.toExponential(2)}`);
    lab.losses.forEach((loss, i) => {
      assert.ok(Math.abs(loss - steps[i].loss) < 1e-4, `step ${i + 1}: page ${loss}, Node ${steps[i].loss}`);
    });
    assert.deepEqual(
      lab.evals.map((e) => e.step),
      evals.map((e) => e.step),
    );
    lab.evals.forEach((e, i) => {
      assert.ok(
        Math.abs(e.valLoss - evals[i].valLoss) < 1e-4,
        `val loss at ${e.step}: ${e.valLoss}, Node ${evals[i].valLoss}`,
      );
    });
  },
);
