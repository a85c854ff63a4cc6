// The HTML reports open from disk in a real headless Chromium (Debian's chromium through
// playwright-core; .ci/run installs it), request nothing from the network, and show their
// pictures and tables: checked in the rendered page, not in the HTML text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing, withPage } from './chromium.js';
import { diagnoseGeneration } from '../../src/diagnose/generation.js';
import { generationReport } from '../../src/diagnose/generation-report.js';
import { atomicWriteFile } from '../../src/io/atomic-write.js';
import { renderReport } from '../../src/report/html.js';
import { loopingModel } from '../../src/exercises/catalog/ch14-helpers.js';

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
