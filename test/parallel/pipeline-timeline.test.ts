import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineSvg } from '../../src/parallel/pipeline/timeline-svg.js';
import type { StageEvent } from '../../src/parallel/pipeline/bubble.js';

// Two stages, two micro-batches, unit forwards and backwards: 8 busy units over 2 stages x 6 units.
const ev = (kind: 'F' | 'B', micro: number, start: number): StageEvent => ({
  kind,
  micro,
  start,
  end: start + 1,
});
const events: StageEvent[][] = [
  [ev('F', 0, 100), ev('F', 1, 101), ev('B', 1, 104), ev('B', 0, 105)],
  [ev('F', 0, 101), ev('F', 1, 102), ev('B', 1, 103), ev('B', 0, 104)],
];

test('pipeline timeline: a box per forward and backward, where and as long as it ran, labelled F1..FM, B1..BM', () => {
  const svg = timelineSvg(events, { width: 680 });
  // The plot runs from x = 80 to 660 over 6 ms: 580 / 6 px per ms.
  const boxes = [
    ...svg.matchAll(/<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="36" fill="#(4e79a7|f28e2b)"/g),
  ];
  assert.equal(boxes.length, 8);
  const px = 580 / 6;
  const at = (x: number) => Math.round((80 + x * px) * 10) / 10;
  assert.deepEqual(
    boxes.map((b) => [Number(b[1]), Number(b[3])]),
    [0, 1, 4, 5, 1, 2, 3, 4].map((t) => [at(t), Math.round(px * 10) / 10]),
  );
  assert.deepEqual(
    [...svg.matchAll(/fill="white">([FB]\d)<\/text>/g)].map((m) => m[1]),
    ['F1', 'F2', 'B2', 'B1', 'F1', 'F2', 'B2', 'B1'],
  );
  // Idle: 12 - 8 = 4 of 12 stage-units; GPipe predicts (2 - 1) / (2 + 2 - 1) = 1/3 too.
  assert.match(svg, /bubble \(idle share\): 33\.3% measured, 33\.3% predicted/);
  assert.match(svg, /GPipe, 2 stages, 2 micro-batches/);
});
