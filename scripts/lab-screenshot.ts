// Takes the README's picture of the lab's Train panel (docs/images/22-lab-train.png): builds the
// lab, serves it with COOP/COEP, trains the tiny GPT on the reversal task in headless Chromium
// for a few hundred steps, and screenshots the page. Run: node --import tsx scripts/lab-screenshot.ts

import { join } from 'node:path';
import { buildLab, DIST, launch, openLab, ROOT, serve } from '../test/lab/harness.js';
import { formatSetup, parseSetup } from '../lab/src/setup.js';

const OUT = join(ROOT, 'docs/images/22-lab-train.png');
const STEPS = 400;

await buildLab();
const served = await serve(DIST);
const browser = await launch();
try {
  const setup = { ...parseSetup(''), corpus: 'reversal' as const, steps: STEPS, evalEvery: 25 };
  const { page, errors } = await openLab(browser, served.url + formatSetup(setup));
  await page.click('#play');
  await page.waitForFunction(() => window.lab.done || window.lab.errors.length > 0, undefined, {
    timeout: 180_000,
  });
  await page.waitForTimeout(300); // the chart's last frame
  await page.locator('header').evaluate((h) => h.remove()); // the panel alone, as the others
  await page.locator('#train').screenshot({ path: OUT });
  if (errors.length > 0) throw new Error(`lab-screenshot: the page logged errors: ${errors.join('; ')}`);
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await served.close();
}
