// Reference solution of bpe-pair-counts (chapter 2, section "Byte-pair encoding: merges").

/** How often each adjacent pair occurs, keyed 'left,right'. */
export function bpePairCounts(ids: number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
