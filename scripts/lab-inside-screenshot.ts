// Takes the docs' picture of the lab's "Look inside" panel (docs/images/22-lab-inside.png): builds
// the lab, serves it with COOP/COEP, trains the tiny GPT on the reversal task in headless Chromium
// for a few hundred steps, enlarges one head and screenshots the panel.
// Run: node --import tsx scripts/lab-inside-screenshot.ts

import { join } from 'node:path';
import { buildLab, DIST, launch, openLab, ROOT, serve } from '../test/lab/harness.js';
import { formatSetup, parseSetup } from '../lab/src/setup.js';

const OUT = join(ROOT, 'docs/images/22-lab-inside.png');
const STEPS = 1000;

await buildLab();
const served = await serve(DIST);
const browser = await launch();
try {
  const setup = { ...parseSetup(''), corpus: 'reversal' as const, steps: STEPS, evalEvery: 50 };
  const query = new URLSearchParams(formatSetup(setup));
  query.set('panel', 'inside'); // the Look inside panel alone, under a compact Train panel
  const { page, errors } = await openLab(browser, `${served.url}?${query.toString()}`);
  await page.click('#play');
  await page.waitForFunction(() => window.lab.done || window.lab.errors.length > 0, undefined, {
    timeout: 180_000,
  });
  await page.waitForFunction((n) => window.lab.inside?.step === n, STEPS);
  await page.click('#inside canvas[data-head="1.0"]');
  await page.waitForTimeout(300);
  await page.locator('#inside').screenshot({ path: OUT });
  if (errors.length > 0)
    throw new Error(`lab-inside-screenshot: the page logged errors: ${errors.join('; ')}`);
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await served.close();
}
