#!/usr/bin/env node
// The `llmfs` command. In this repository (src/ present, tsx installed) it runs the TypeScript
// sources through tsx, so an edit takes effect at once; in an installed package it runs the
// JavaScript that `npm install` built into dist/ (scripts/build.mjs), with plain node.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

async function loadMain() {
  if (existsSync(source)) {
    const tsx = await import('tsx/esm/api').catch(() => null);
    if (tsx) {
      tsx.register();
      return (await import(source.href)).main;
    }
  }
  if (!existsSync(built)) {
    console.error("error: llmfs is not built (dist/ is missing): run 'npm install' in the package folder");
    process.exit(1);
  }
  return (await import(built.href)).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
