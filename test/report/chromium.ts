// Opens an HTML file in a real headless Chromium (Debian's `chromium`, which .ci/run installs)
// through playwright-core (which gives it a fresh temporary profile). Without the browser: in CI an error (the install step failed), on a
// developer's machine `null`, and the caller skips with the reason.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.LLMFS_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set LLMFS_CHROMIUM)`;
  if (process.env.CI) throw new Error(`browser tests: ${why}`);
  return why;
}

/** Loads `file` (from disk, no server, no network) and runs `fn` on the page. */
export async function withPage<T>(file: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) failed.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const out = await fn(page);
    if (failed.length > 0) throw new Error(`the report requested ${failed.join(', ')}`);
    return out;
  } finally {
    await browser.close();
  }
}
