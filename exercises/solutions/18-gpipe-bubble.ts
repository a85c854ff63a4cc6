// Reference solution of gpipe-bubble (chapter 18, section "Pipeline parallel").

export interface StageEvent {
  kind: 'F' | 'B';
  micro: number;
  start: number;
  end: number;
}

/** events[s]: stage s's forwards (micro 0..M-1) then backwards (M-1..0), as early as possible. */
export function gpipeSchedule(N: number, M: number, fwd: number, bwd: number): StageEvent[][] {
  const flushed = (N + M - 1) * fwd; // the last stage's last forward ends
  return Array.from({ length: N }, (_, s) => {
    const row: StageEvent[] = [];
    for (let m = 0; m < M; m++)
      row.push({ kind: 'F', micro: m, start: (s + m) * fwd, end: (s + m + 1) * fwd });
    for (let j = 0; j < M; j++) {
      const start = flushed + (N - 1 - s + j) * bwd;
      row.push({ kind: 'B', micro: M - 1 - j, start, end: start + bwd });
    }
    return row;
  });
}
