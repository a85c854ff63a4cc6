// The lab's "Look inside" panel in a real headless Chromium (harness.ts): on the reversal task, the
// heatmap canvases are drawn (none blank) and change between two single steps (and on playing to
// the end); what the panel shows after each step equals the library run in Node for the same seed
// and steps (inspectModel's attention and logit lens, pca2d of wte, the per-layer gradient norms
// before clipping that the training loop's onUpdate hook sees); a head enlarges on click; a typed
// probe goes to the URL; a character outside the vocabulary is one line in the panel; no console
// errors.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  defaultSeqLen,
  groupGradNorms,
  inspectModel,
  parameterGroups,
  pca2d,
  train,
  type InspectData,
} from '../../src/index.js';
import { useFastBackend } from '../../src/kernels/threads/node.js';
import { prepare } from '../../lab/src/corpus.js';
import { buildModel, corpusText, trainSettings } from '../../lab/src/session.js';
import { formatSetup, parseSetup, type Setup } from '../../lab/src/setup.js';
import type { InsideView } from '../../lab/src/worker/inside.js';
import { chromiumMissing } from '../report/chromium.js';
import { buildLab, DIST, launch, openLab, serve, type Served } from './harness.js';

const missing = chromiumMissing();
let served: Served | undefined;
let browser: Browser | undefined;

before(async () => {
  if (missing) return;
  await buildLab();
  served = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.close();
});

/** Each heatmap canvas's pixels: an FNV-1a hash and how many distinct colours it holds. */
function heatmapPixels(page: Page): Promise<{ hash: number; colours: number }[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLCanvasElement>('#inside .inside-grid canvas')).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let hash = 0x811c9dc5;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const rgba = ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
        colours.add(rgba);
        hash = Math.imul(hash ^ rgba, 0x01000193) >>> 0;
      }
      return { hash, colours: colours.size };
    }),
  );
}

async function stepOnce(page: Page, n: number): Promise<InsideView> {
  await page.click('#step');
  await page.waitForFunction((k) => window.lab.inside?.step === k || window.lab.errors.length > 0, n);
  return page.evaluate(() => window.lab.inside!);
}

function near(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: page ${a}, Node ${b}`);
}

test(
  'look inside: the heatmaps are drawn, change with each step, and show what the library computes in Node',
  { skip: missing ?? false, timeout: 90_000 },
  async (t) => {
    // evalEvery 2: Node's onUpdate hook sees step 2's gradients before clipping. Seed 7: steps 1
    // and 2 have gradient norms above the clip (1.108, 1.098), so the panel must undo the clipping.
    const setup: Setup = {
      ...parseSetup(''),
      corpus: 'reversal',
      steps: 40,
      evalEvery: 2,
      sampleEvery: 0,
      seed: 7,
    };
    const { page, errors } = await openLab(browser!, served!.url + formatSetup(setup));
    await page.waitForFunction(() => window.lab.inside?.step === 0 || window.lab.errors.length > 0);
    const views = [await stepOnce(page, 1)];
    const pixels = [await heatmapPixels(page)];
    views.push(await stepOnce(page, 2));
    pixels.push(await heatmapPixels(page));

    // Node: the same model, data and loop; the panel's reading taken between steps, as the worker does.
    await useFastBackend();
    const { data, tokenizer } = prepare(corpusText(setup, ''));
    const model = buildModel(setup, tokenizer.vocabSize);
    const probe = tokenizer.decode(Array.from(data.val.subarray(0, 100))).split('\n')[1];
    const { vocabSize: V, nEmbd: C, blockSize } = model.config;
    const seqLen = Math.min(defaultSeqLen(blockSize), V);
    const label = (id: number) => tokenizer.decode([id]);
    const node: { inspect: InspectData; pca: [number, number][] }[] = [];
    let grads: number[] = [];
    const stop = new AbortController();
    train(model, data, trainSettings(setup), {
      signal: stop.signal,
      onUpdate: (n) => {
        if (n === 2) grads = groupGradNorms(parameterGroups(model));
      },
      onStep: (s) => {
        const inspect = inspectModel(model, tokenizer.encode(probe), label, { topK: 3, seqLen });
        node.push({ inspect, pca: pca2d(model.wte.weight.data, V, C).points });
        if (s.step === 2) stop.abort();
      },
    });

    assert.equal(views[0].probe, probe, 'the default probe is the first whole validation line');
    let worst = 0;
    views.forEach((v, s) => {
      const ref = node[s].inspect;
      assert.deepEqual([v.nLayer, v.nHead, v.tokens], [ref.nLayer, ref.nHead, ref.tokens]);
      ref.patterns.forEach((heads, l) =>
        heads.forEach((A, h) =>
          A.forEach((row, i) =>
            row.forEach((w, j) => {
              worst = Math.max(worst, Math.abs(v.attention[l][h][i][j] - w));
              near(v.attention[l][h][i][j], w, 1e-4, `step ${s + 1} layer ${l} head ${h} [${i}][${j}]`);
            }),
          ),
        ),
      );
      const spread = Math.max(...node[s].pca.flat().map(Math.abs));
      v.pca.points.forEach((p, i) =>
        p.forEach((x, k) =>
          near(x / spread, node[s].pca[i][k] / spread, 1e-4, `step ${s + 1} pca [${i}][${k}]`),
        ),
      );
      ref.lens.top.forEach((layer, l) =>
        layer.forEach((cells, pos) => {
          assert.equal(v.lens.top[l][pos][0].token, cells[0].token, `step ${s + 1} lens ${l} @${pos}`);
          near(v.lens.top[l][pos][0].prob, cells[0].prob, 1e-4, `step ${s + 1} lens prob ${l} @${pos}`);
        }),
      );
    });
    t.diagnostic(`largest attention difference, page vs Node: ${worst.toExponential(2)}`);
    const shown = views[1].grads!;
    assert.deepEqual(shown.names, ['embeddings', 'h.0', 'h.1', 'head']);
    assert.ok(shown.total > 1, `step 2's gradients were clipped (total norm ${shown.total})`);
    shown.norms.forEach((g, i) =>
      near(g / grads[i], 1, 1e-4, `step 2 gradient norm of ${shown.names[i]} (ratio)`),
    );

    assert.equal(pixels[0].length, views[0].nLayer * views[0].nHead, 'one canvas per layer and head');
    for (const [s, px] of pixels.entries())
      px.forEach((c, k) =>
        assert.ok(c.colours >= 3, `step ${s + 1}: canvas ${k} is blank (${c.colours} colours)`),
      );
    pixels[0].forEach((c, k) =>
      assert.notEqual(c.hash, pixels[1][k].hash, `canvas ${k} changed between steps`),
    );

    // Played to the end, the panel follows: its last reading is of the last step.
    await page.click('#play');
    await page.waitForFunction(() => window.lab.inside?.step === 40 || window.lab.errors.length > 0);
    assert.notEqual(await heatmapPixels(page).then((p) => p[0].hash), pixels[1][0].hash);

    // A click enlarges a head; a typed probe is read and kept in the URL; a bad one is one line.
    await page.click('#inside canvas[data-head="1.1"]');
    assert.equal(await page.isVisible('#inside .inside-zoom canvas'), true);
    const zoomWidth = await page.evaluate(
      () => document.querySelector('#inside .inside-zoom canvas')!.clientWidth,
    );
    assert.ok(zoomWidth > 300, `the enlarged head is ${zoomWidth} px wide`);
    await page.fill('#inside input[name=probe]', 'abc>cba');
    await page.press('#inside input[name=probe]', 'Enter');
    await page.waitForFunction(() => window.lab.inside?.probe === 'abc>cba');
    assert.match(page.url(), /[?&]probe=abc%3Ecba/);
    assert.equal((await page.evaluate(() => window.lab.inside!)).attention[0][0].length, 7);
    assert.deepEqual(await page.evaluate(() => window.lab.errors), []);
    assert.deepEqual(errors, [], 'no console errors');
    await page.fill('#inside input[name=probe]', 'abz');
    await page.press('#inside input[name=probe]', 'Enter');
    await page.waitForFunction(() => window.lab.errors.length > 0);
    assert.match(
      (await page.textContent('#inside .panel-error')) ?? '',
      /^look inside: the probe's character "z" is not in this run's vocabulary/,
    );
    await page.close();
  },
);
