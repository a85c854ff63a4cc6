// The spike detector on constructed loss series: a clean (noisy, decaying) curve has none; planted
// spikes are found at their steps with the right baseline; NaN and infinity are listed apart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSpikes, median, spikeEvents, type SeriesPoint } from '../../src/diagnose/loss-spikes.js';

/** 4.5·e^(-step/150) + 1.5 plus deterministic noise of ±3% (a hashed sine, no RNG). */
function clean(n: number): SeriesPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    const noise = 0.03 * Math.sin(step * 12.9898 + 78.233 * Math.sin(step));
    return { step, value: (4.5 * Math.exp(-step / 150) + 1.5) * (1 + noise) };
  });
}

test('median of odd and even lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('a clean decaying curve has no spikes', () => {
  const r = detectSpikes(clean(600));
  assert.deepEqual(r.spikes, []);
  assert.deepEqual(r.nonFinite, []);
});

test('planted spikes are found at their steps, with the curve around them as baseline', () => {
  const s = clean(600);
  const planted = [120, 121, 400];
  for (const step of planted) s[step - 1].value *= 1.6;
  const r = detectSpikes(s);
  assert.deepEqual(
    r.spikes.map((x) => x.step),
    planted,
  );
  const at400 = r.spikes[2];
  const expected = 4.5 * Math.exp(-400 / 150) + 1.5; // the clean curve there, ~1.81
  assert.ok(Math.abs(at400.baseline - expected) < 0.06, `${at400.baseline} vs ${expected}`);
  assert.deepEqual(
    spikeEvents(r.spikes).map((e) => [e.from, e.to]),
    [
      [120, 121],
      [400, 400],
    ],
  );
});

test('a rise of 5% is noise, not a spike (minRise 10%), even on a flat curve with no MAD', () => {
  const flat = Array.from({ length: 50 }, (_, i) => ({ step: i + 1, value: 2 }));
  flat[30].value = 2.1;
  flat[40].value = 2.3;
  assert.deepEqual(
    detectSpikes(flat).spikes.map((x) => x.step),
    [41],
  );
});

test('NaN and infinite losses are listed apart and do not enter the baseline', () => {
  const s = clean(100);
  s[49].value = NaN;
  s[59].value = Infinity;
  const r = detectSpikes(s);
  assert.deepEqual(r.nonFinite, [50, 60]);
  assert.deepEqual(r.spikes, []);
});
