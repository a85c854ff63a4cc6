// Takes the pictures of the lab's Next-token and Models panels (docs/images/22-lab-next-token.png,
// 22-lab-models.png): builds the lab, serves it with COOP/COEP, trains the tiny GPT on the reversal
// task in headless Chromium for a few hundred steps, sets a prompt and top-k, and screenshots each
// panel; the Models panel after loading a checkpoint the CLI trained.
// Run: node --import tsx scripts/lab-next-token-screenshot.ts

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLab, DIST, launch, openLab, ROOT, serve } from '../test/lab/harness.js';
import { formatSetup, parseSetup } from '../lab/src/setup.js';
import { toyText } from '../lab/src/corpus.js';

const NEXT = join(ROOT, 'docs/images/22-lab-next-token.png');
const MODELS = join(ROOT, 'docs/images/22-lab-models.png');
const STEPS = 600;

// A checkpoint for the Models picture: the CLI's tiny model after a few steps on the same task.
const work = mkdtempSync(join(tmpdir(), 'llmfs-lab-shot-'));
writeFileSync(join(work, 'rev.txt'), toyText('reversal', 1337));
const cli = spawnSync(
  process.execPath,
  [
    join(ROOT, 'bin/llmfs.mjs'),
    'train',
    '--data',
    join(work, 'rev.txt'),
    '--preset',
    'tiny',
    '--steps',
    '60',
  ],
  { encoding: 'utf8', cwd: work, env: { ...process.env }, input: '' },
);
if (cli.status !== 0) throw new Error(`llmfs train: ${cli.stderr}`);

await buildLab();
const served = await serve(DIST);
const browser = await launch();
try {
  const setup = { ...parseSetup(''), corpus: 'reversal' as const, steps: STEPS, evalEvery: 50 };
  const query = `${formatSetup(setup)}&panel=next-token&nt.prompt=${encodeURIComponent('gfeab>baef')}&nt.topp=0.8`;
  const { page, errors } = await openLab(browser, served.url + query);
  await page.click('#play');
  await page.waitForFunction(() => window.lab.done || window.lab.errors.length > 0, undefined, {
    timeout: 180_000,
  });
  await page.waitForFunction(() => window.lab.nextToken?.step === window.lab.losses.length);
  await page.locator('#next-token').screenshot({ path: NEXT });

  await page.goto(served.url + `${formatSetup(setup)}&panel=models`);
  await page.waitForFunction(() => window.lab?.backend !== '');
  await page.locator('.models-input').setInputFiles(join(work, 'out', 'train'));
  await page.waitForFunction(() => window.lab.models.loaded !== null || window.lab.errors.length > 0);
  await page.locator('#models').screenshot({ path: MODELS });
  if (errors.length > 0 || (await page.evaluate(() => window.lab.errors.length)) > 0)
    throw new Error(`lab-next-token-screenshot: the page logged errors: ${errors.join('; ')}`);
  console.log(`wrote ${NEXT} and ${MODELS}`);
} finally {
  await browser.close();
  await served.close();
}
