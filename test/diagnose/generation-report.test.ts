// The loop analysis and the HTML report of `llmfs diagnose generation`, on a GPT built by hand to
// loop (src/exercises/catalog/ch14-helpers.ts), where every number is known in advance: the loop's period, its
// per-cycle probability, and attention that is exactly uniform.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseGeneration } from '../../src/diagnose/generation.js';
import { generationReport } from '../../src/diagnose/generation-report.js';
import { renderReport } from '../../src/report/html.js';
import { loopingModel } from '../../src/exercises/catalog/ch14-helpers.js';

const decode = (ids: readonly number[]) => ids.map((i) => 'abcdefgh'[i]).join('');

test('a hand-built 3-cycle: the loop, its per-cycle probability, and uniform attention measured as such', () => {
  const model = loopingModel(3);
  const d = diagnoseGeneration(model, [0], { maxNewTokens: 30, decode });
  assert.equal(d.text, 'bca'.repeat(10));
  assert.deepEqual(d.report.loop, { period: 3, start: 0, cycles: 10 });
  // Every step: LayerNorm(e_u) has 1 at u scaled by sqrt(V/(V-1))·..., so p(next) is one fixed value.
  const p = d.cycleProbs;
  assert.equal(p.length, 10);
  for (const v of p) assert.ok(Math.abs(v - p[0]) < 1e-6 && v > 0.5, `cycle probability ${v}`);
  // Uniform attention: each head's mass on the earlier copies equals the uniform baseline.
  const la = d.loopAttention!;
  assert.ok(la.uniform > 0);
  for (const row of la.phase) for (const v of row) assert.ok(Math.abs(v - la.uniform) < 1e-5, `${v}`);
  // The pattern is the last positions of a lower-triangular uniform matrix: row i has 1/(i+1).
  const T = 31;
  const last = la.pattern[la.pattern.length - 1];
  assert.ok(Math.abs(last[0] - 1 / T) < 1e-6);
  assert.ok(Number.isNaN(la.pattern[0][1]));
  // no_repeat_ngram_size breaks a loop by construction, so something is recommended.
  assert.ok(d.recommended !== null);
  assert.equal(d.remedies.find((r) => r.name === 'no_repeat_ngram_size 3')!.report.loop, null);
});

test('uniform baseline: the share of earlier same-phase keys, by hand for period 2', () => {
  const model = loopingModel(2);
  const d = diagnoseGeneration(model, [0], { maxNewTokens: 8, decode, remedies: [] });
  // ids: prompt 0, then 1 0 1 0 1 0 1 0 (loop from absolute position 1, period 2, T = 9).
  // Queries i = 3..8; keys j in [1, i) with j ≡ i + 1 (mod 2): i=3: {2} of 4; i=4: {1,3} of 5;
  // i=5: {2,4} of 6; i=6: {1,3,5} of 7; i=7: {2,4,6} of 8; i=8: {1,3,5,7} of 9.
  const want = (1 / 4 + 2 / 5 + 2 / 6 + 3 / 7 + 3 / 8 + 4 / 9) / 6;
  assert.ok(Math.abs(d.loopAttention!.uniform - want) < 1e-12);
});

test('the report: findings, the remedies table with the recommendation highlighted, heatmaps', () => {
  const model = loopingModel(3);
  const d = diagnoseGeneration(model, [0], { maxNewTokens: 30, decode });
  const r = generationReport(d, { decode, prompt: [0], subtitle: 'a hand-built 3-cycle' });
  assert.match(r.findings![0], /cycle of 3 tokens \("bca"\) repeats 10 times/);
  const html = renderReport(r);
  assert.equal((html.match(/<svg[^>]*class="heatmap"/g) ?? []).length, 2);
  assert.ok((html.match(/<table class="report-table">/g) ?? []).length >= 2);
  assert.match(html, /<tr class="highlight"><td>[^<]*(no_repeat|penalty|sample)/);
});
