// GPipe's schedule (Huang et al., 2019) on an ideal machine: every stage takes `fwd` per forward
// and `bwd` per backward of a micro-batch, sends cost nothing. All M forwards flow down the N
// stages, then the backwards flow up in reverse micro-batch order (as pipeline/rank.ts runs them),
// each as early as its input allows; its measuredBubble is exactly (N - 1) / (M + N - 1).

import { exercisable } from '../../exercises/registry.js';
import type { StageEvent } from './bubble.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'gpipe-bubble' (chapter 18): each stage's events in the order it runs them,
     * F 0..M-1 then B M-1..0, with start/end times: (N,) rows of 2M events.
     */
    gpipeSchedule(stages: number, micro: number, fwd: number, bwd: number): StageEvent[][];
  }
}

function schedule(N: number, M: number, fwd: number, bwd: number): StageEvent[][] {
  const backwardsFrom = (N + M - 1) * fwd; // the last stage's last forward ends here
  return Array.from({ length: N }, (_, s) => {
    const row: StageEvent[] = [];
    // Forward of micro m on stage s: after stage s - 1's forward of m and stage s's forward of m - 1.
    for (let m = 0; m < M; m++)
      row.push({ kind: 'F', micro: m, start: (s + m) * fwd, end: (s + m + 1) * fwd });
    // The j-th backward (micro M-1-j) on stage s: after stage s + 1's, and this stage's previous one.
    for (let j = 0; j < M; j++) {
      const start = backwardsFrom + (N - 1 - s + j) * bwd;
      row.push({ kind: 'B', micro: M - 1 - j, start, end: start + bwd });
    }
    return row;
  });
}

/** GPipe's ideal schedule: events[s] is stage s's forwards and backwards, in the order run. */
export const gpipeSchedule = exercisable('gpipeSchedule', schedule);
