// Takes the picture of the lab's Tokenizer panel (docs/images/22-lab-tokenizer.png): builds the
// lab, serves it with COOP/COEP, lets the panel learn 256 BPE merges on the State of the Union
// text in headless Chromium, steps from merge 40 to the first merge whose token the sentence
// shows, and opens the list of merges.
// Run: node --import tsx scripts/lab-tokenizer-screenshot.ts

import { join } from 'node:path';
import { buildLab, DIST, launch, openLab, ROOT, serve } from '../test/lab/harness.js';
import { formatSetup, parseSetup } from '../lab/src/setup.js';

const OUT = join(ROOT, 'docs/images/22-lab-tokenizer.png');
const FROM = 40;

await buildLab();
const served = await serve(DIST);
const browser = await launch();
try {
  const setup = { ...parseSetup(''), corpus: 'sotu' as const };
  const url = `${served.url}${formatSetup(setup)}&tok.k=${FROM}`;
  const { page, errors } = await openLab(browser, url);
  await page.waitForFunction((k) => window.lab.tokenizer.k === k, FROM, { timeout: 120_000 });
  // Next until the newest merge's token appears in the sentence (its chips are outlined).
  for (let k = FROM + 1; (await page.locator('#tok-chips .tokenizer-new').count()) === 0; k++) {
    await page.click('#tok-next');
    await page.waitForFunction((k) => window.lab.tokenizer.k === k, k);
  }
  await page.click('#tokenizer details summary');
  await page.locator('#tok-list .tokenizer-current').scrollIntoViewIfNeeded();
  await page.locator('#tokenizer').screenshot({ path: OUT });
  if (errors.length > 0)
    throw new Error(`lab-tokenizer-screenshot: the page logged errors: ${errors.join('; ')}`);
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await served.close();
}
