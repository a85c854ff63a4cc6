// Vite's settings for the lab: a relative base, so lab/dist works from any static host and path;
// COOP/COEP headers on the dev and preview servers, so the page is cross-origin isolated and the
// kernels can run threads on a SharedArrayBuffer; workers bundled as ES modules.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Cross-origin isolation: what SharedArrayBuffer (hence wasm threads) needs in a browser. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  resolve: { alias: { 'node:worker_threads': fileURLToPath(new URL('./src/no-node.ts', import.meta.url)) } },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
