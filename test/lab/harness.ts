// What the lab's browser tests and the screenshot script share: build the lab with Vite, serve
// lab/dist from a tiny static server on 127.0.0.1 with the COOP/COEP headers (so the page is
// cross-origin isolated, as on the dev server), and open it in Debian's headless Chromium.

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from '../report/chromium.js';
import type {} from '../../lab/src/lab-state.js'; // window.lab

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const LAB = join(ROOT, 'lab');
export const DIST = join(LAB, 'dist');

/** Builds lab/ into lab/dist (vite build, quietly). */
export async function buildLab(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(LAB, 'vite.config.ts'), root: LAB, logLevel: 'error' });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on a free port of 127.0.0.1; `isolated` adds the cross-origin isolation headers. */
export async function serve(dir: string, isolated = true): Promise<Served> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        const headers: Record<string, string> = {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        };
        if (isolated) {
          headers['Cross-Origin-Opener-Policy'] = 'same-origin';
          headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        }
        res.writeHead(200, headers).end(body);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('lab server: no port');
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Launches headless Chromium with the project's flags (test/report/chromium.ts). */
export function launch(): Promise<Browser> {
  return chromium.launch({
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
}

/** A page at `url` whose console errors, page errors and failed requests are collected. */
export async function openLab(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.lab?.backend !== '' || window.lab?.errors.length > 0);
  return { page, errors };
}
