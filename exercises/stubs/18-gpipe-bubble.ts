// Exercise gpipe-bubble (chapter 18, section "Pipeline parallel").
// Check it with: llmfs exercise check gpipe-bubble

/** One forward ('F') or backward ('B') of micro-batch `micro` on a stage: when it runs. */
export interface StageEvent {
  kind: 'F' | 'B';
  micro: number;
  start: number;
  end: number;
}

/**
 * GPipe (Huang et al., 2019) on an ideal machine: N stages, M micro-batches, each forward takes
 * `fwd` and each backward `bwd` on every stage, sends are free. All M forwards flow down the
 * stages (micro 0 first), then the backwards flow up in reverse order (micro M - 1 first); each
 * event starts as soon as its input is ready and its stage is free.
 *
 * Return events[s] for s = 0..N-1: stage s's 2M events in the order it runs them (F 0..M-1, then
 * B M-1..0) with their start and end times. The idle share of N × the span is the bubble,
 * (N - 1) / (M + N - 1).
 */
export function gpipeSchedule(N: number, M: number, fwd: number, bwd: number): StageEvent[][] {
  // TODO: when can stage s start forward m? When can it start its j-th backward?
  throw new Error('not implemented yet');
}
