// The ring all-reduce picture replays ring.ts's schedule on symbols: after the N - 1 reduce-scatter
// steps worker r holds the whole sum of chunk r (the chunk ZeRO-1 gives it), after the N - 1
// all-gather steps every worker holds every whole sum, and each step changes one chunk per worker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringAllReduceSvg, ringSteps } from '../../src/parallel/ring-svg.js';

test('ring picture: reduce-scatter leaves chunk r whole on worker r, all-gather spreads every chunk', () => {
  for (const N of [2, 3, 4, 5]) {
    const steps = ringSteps(N);
    assert.equal(steps.length, 1 + 2 * (N - 1));
    const all = Array.from({ length: N }, (_, i) => i);
    const scattered = steps[N - 1];
    for (let r = 0; r < N; r++) assert.deepEqual(scattered[r][r], all, `N ${N}: worker ${r} owns chunk ${r}`);
    for (const rank of steps.at(-1)!) for (const chunk of rank) assert.deepEqual(chunk, all);
    for (let s = 1; s < steps.length; s++)
      for (let r = 0; r < N; r++) {
        const changed = steps[s][r].filter((c, i) => c.join() !== steps[s - 1][r][i].join()).length;
        assert.equal(changed, 1, `N ${N}, step ${s}, worker ${r}: one chunk received`);
      }
  }
  const svg = ringAllReduceSvg(3);
  assert.match(svg, /^<svg/);
  assert.ok(svg.includes('reduce-scatter 2') && svg.includes('all-gather 2'));
  assert.equal((svg.match(/>Σ</g) ?? []).length, 0 + 0 + 3 + 6 + 9, 'whole sums: 0, 0, 3, 6, 9 by step');
});
