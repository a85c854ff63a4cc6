// The pipeline bubble (GPipe, Huang et al., 2019, section 2.2): with N stages and M micro-batches,
// each stage idles while the first micro-batch fills the pipeline and the last drains it; with
// equal work per stage the idle share is (N - 1) / (M + N - 1). Measured: 1 - busy / (N · span).

/** One forward ('F') or backward ('B') of micro-batch `micro` (0-based) on a stage, wall-clock ms. */
export interface StageEvent {
  kind: 'F' | 'B';
  micro: number;
  start: number;
  end: number;
}

/** GPipe's predicted bubble fraction for `stages` stages and `micro` micro-batches. */
export function gpipeBubble(stages: number, micro: number): number {
  return (stages - 1) / (micro + stages - 1);
}

/** The span of one step (first start to last end, over every stage), in ms. */
export function stepSpan(events: StageEvent[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of events)
    for (const e of row) {
      lo = Math.min(lo, e.start);
      hi = Math.max(hi, e.end);
    }
  return [lo, hi];
}

/** The measured bubble: the share of N stages × the step's span in which no stage computed. */
export function measuredBubble(events: StageEvent[][]): number {
  const [lo, hi] = stepSpan(events);
  const busy = events.flat().reduce((a, e) => a + (e.end - e.start), 0);
  return 1 - busy / (events.length * Math.max(hi - lo, 1e-9));
}
