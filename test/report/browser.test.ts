// The HTML reports open from disk in a real headless Chromium (Debian's chromium through
// playwright-core; .ci/run installs it), request nothing from the network, and show their
// pictures and tables: checked in the rendered page, not in the HTML text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, withPage } from './chromium.js';
import { diagnoseGeneration } from '../../src/diagnose/generation.js';
import { generationReport } from '../../src/diagnose/generation-report.js';
import { atomicWriteFile } from '../../src/io/atomic-write.js';
import { renderReport } from '../../src/report/html.js';
import { loopingModel } from '../../src/exercises/catalog/ch14-helpers.js';
import { trainFromArgs } from '../../src/cli/train.js';
import { runDiagnoseRun } from '../../src/cli/diagnose-run.js';
import { inspectCommand } from '../../src/cli/inspect.js';

const missing = chromiumMissing();
const TMP = mkdtempSync(join(tmpdir(), 'llmfs-browser-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

test(
  'diagnose generation report: heatmaps, charts and tables render',
  { skip: missing ?? false },
  async () => {
    const decode = (ids: readonly number[]) => ids.map((i) => 'abcdefgh'[i]).join('');
    const d = diagnoseGeneration(loopingModel(3), [0], { maxNewTokens: 30, decode });
    const file = join(TMP, 'generation.html');
    atomicWriteFile(file, renderReport(generationReport(d, { decode, prompt: [0], subtitle: 'test' })));
    await withPage(file, async (page) => {
      assert.equal(await page.title(), 'Diagnosis of a generation');
      const heatmaps = page.locator('svg.heatmap');
      assert.equal(await heatmaps.count(), 2);
      // Rendered with a real size, and one rect per cell (plus background and colour bar).
      const box = await heatmaps.nth(1).boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, JSON.stringify(box));
      const rows = Number(await heatmaps.nth(1).getAttribute('data-rows'));
      assert.equal(rows, 31);
      assert.ok((await page.locator('svg.line-chart').count()) >= 2);
      const remedies = page.locator('table.report-table').last();
      assert.ok((await remedies.locator('tbody tr').count()) >= 9);
      assert.equal(await remedies.locator('tr.highlight').count(), 1);
      assert.match((await page.locator('.findings').innerText()) ?? '', /cycle of 3 tokens/);
    });
  },
);

test(
  'diagnose run report: curves per layer, findings and tables render',
  { skip: missing ?? false },
  async () => {
    const data = join(TMP, 'text.txt');
    writeFileSync(data, 'the cat sat on the mat. the dog sat on the log. '.repeat(40));
    const out = join(TMP, 'run');
    const flags = [
      '--data',
      data,
      '--preset',
      'tiny',
      '--block-size',
      '16',
      '--n-layer',
      '2',
      '--batch-size',
      '2',
    ];
    const more = ['--steps', '8', '--eval-interval', '4', '--eval-batches', '1', '--diagnostics', '--quiet'];
    await trainFromArgs([...flags, ...more, '--out', out, '--no-cache'], { write: () => {} });
    const file = join(TMP, 'run.html');
    const saved = console.log;
    console.log = () => {};
    try {
      assert.equal(runDiagnoseRun([out, '--report', file]), 0);
    } finally {
      console.log = saved;
    }
    await withPage(file, async (page) => {
      assert.equal(await page.title(), 'Training run health');
      const charts = page.locator('svg.line-chart');
      assert.ok((await charts.count()) >= 6, `${await charts.count()} charts`);
      const box = await charts.first().boundingBox();
      assert.ok(box && box.width > 300 && box.height > 150, JSON.stringify(box));
      // Per-layer curves: one legend entry per parameter group (embeddings, h.0, h.1, head).
      assert.match(await page.locator('body').innerText(), /h\.1/);
      assert.ok((await page.locator('table.report-table').count()) >= 2);
      assert.ok((await page.locator('.findings li').count()) >= 1);
    });
  },
);

test(
  'inspect report: one heatmap per head with token labels, score grids, the lens table',
  { skip: missing ?? false },
  async () => {
    const file = join(TMP, 'inspect.html');
    const saved = console.log;
    console.log = () => {};
    try {
      const argv = [
        '--model',
        'test/fixtures/hf-gpt2/tiny',
        '--prompt',
        'hello world, hello world',
        '--report',
        file,
      ];
      assert.equal(await inspectCommand.run(argv), 0);
    } finally {
      console.log = saved;
    }
    await withPage(file, async (page) => {
      const heatmaps = page.locator('svg.heatmap');
      // The tiny fixture has 2 layers x 4 heads: 8 attention heatmaps, plus the score grids and lens.
      assert.ok((await heatmaps.count()) >= 8 + 5, `${await heatmaps.count()} heatmaps`);
      const first = heatmaps.first();
      const box = await first.boundingBox();
      assert.ok(box && box.width > 80 && box.height > 80, JSON.stringify(box));
      // Token labels (' w' shown as '·w') are drawn as text in the attention heatmaps.
      const labels = await page.locator('svg.heatmap text').allTextContents();
      assert.ok(labels.includes('·w') && labels.includes('or'), labels.slice(0, 10).join('|'));
      assert.ok((await page.locator('table.report-table').count()) >= 2);
    });
  },
);
