import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, heatmapSvg, lineChartSvg, niceTicks } from '../../src/index.js';

test('heatmap: one cell per value, NaN cells grey, labels escaped', () => {
  const svg = heatmapSvg({
    values: [
      [1, NaN],
      [0.25, 0.75],
    ],
    rowLabels: ['<a>', 'b'],
    colLabels: ['x', 'y & z'],
    title: 'attention',
  });
  assert.match(svg, /^<svg[^>]*class="heatmap"[^>]*data-rows="2" data-cols="2"/);
  const cells = svg.match(/<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="[^"]+">/g) ?? [];
  assert.equal(cells.length, 4);
  assert.equal(cells.filter((c) => c.includes('#eeeeee')).length, 1);
  assert.ok(svg.includes('&lt;a&gt;') && svg.includes('y &amp; z') && !svg.includes('<a>'));
  // vmax is the darkest cell, vmin white.
  assert.ok(cells[0].includes('rgb(8,48,107)'));
  assert.ok(cells[2].includes('rgb(255,255,255)'));
});

test('line chart: a path per series, markers, log axis leaves out non-positive points', () => {
  const svg = lineChartSvg({
    series: [
      {
        name: 'a',
        points: [
          [0, 1],
          [1, 10],
          [2, 100],
        ],
      },
      {
        name: 'b',
        points: [
          [0, -1],
          [1, 0],
          [2, 5],
        ],
      },
    ],
    logY: true,
    markers: [{ x: 1, label: 'spike' }],
  });
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /spike/);
  const pathB = svg.match(/<path d="([^"]+)"/g)![1];
  assert.equal((pathB.match(/[ML]/g) ?? []).length, 1); // only (2, 5) is drawable on a log axis
});

test('niceTicks are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 47, 5), [10, 20, 30, 40]);
});

test('renderReport: a self-contained page (no scripts, no external resources) with every item', () => {
  const html = renderReport({
    title: 'T <1>',
    subtitle: 'sub',
    findings: ['loss spikes at step 40'],
    sections: [
      {
        title: 'S',
        items: [
          { kind: 'text', text: 'hello & bye' },
          {
            kind: 'table',
            columns: ['a', 'b'],
            rows: [
              ['x', 1.5],
              ['y', 2],
            ],
            highlight: [1],
          },
          { kind: 'figure', svg: heatmapSvg({ values: [[1]] }), caption: 'c' },
          { kind: 'tokens', tokens: ['a', ' b'], values: [0.5, 1], marked: [false, true] },
          { kind: 'facts', facts: [['k', 'v']] },
        ],
      },
    ],
  });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('T &lt;1&gt;') && html.includes('hello &amp; bye'));
  assert.equal((html.match(/<table class="report-table">/g) ?? []).length, 1);
  assert.match(html, /<tr class="highlight"><td>y<\/td><td>2<\/td><\/tr>/);
  assert.match(html, /<span class="marked"/);
  assert.ok(!/<script|<link|src="http|href="http|@import/.test(html));
});
