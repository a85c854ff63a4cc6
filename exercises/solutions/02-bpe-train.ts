// Reference solution of bpe-train (chapter 2, section "Byte-pair encoding: merges").

import type { Merge } from 'llm-from-scratch';

function pairCounts(ids: number[], counts: Map<string, number>, weight: number): void {
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + weight);
  }
}

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

export function bpeTrain(
  chunks: number[][],
  weights: number[],
  numTokens: number,
  minFrequency: number,
): Merge[] {
  let parts = chunks.map((c) => c.slice());
  const tokens: number[][] = Array.from({ length: 256 }, (_, b) => [b]); // tokens[id] = its bytes
  const idOf = new Map(tokens.map((bytes, id) => [bytes.join(','), id]));
  const merges: Merge[] = [];
  while (tokens.length < numTokens) {
    // 1. weighted pair counts over all chunks
    const counts = new Map<string, number>();
    parts.forEach((p, i) => pairCounts(p, counts, weights[i]));
    // 2. the most frequent pair; ties: smaller left id, then smaller right id
    let best: [number, number] | null = null;
    let bestCount = 0;
    for (const [key, count] of counts) {
      const [a, b] = key.split(',').map(Number);
      if (
        !best ||
        count > bestCount ||
        (count === bestCount && (a < best[0] || (a === best[0] && b < best[1])))
      ) {
        best = [a, b];
        bestCount = count;
      }
    }
    if (!best || bestCount < minFrequency) break;
    // 3. the merged token's id: an existing token with the same bytes, or the next free id
    const [a, b] = best;
    const bytes = [...tokens[a], ...tokens[b]];
    let id = idOf.get(bytes.join(','));
    if (id === undefined) {
      id = tokens.length;
      tokens.push(bytes);
      idOf.set(bytes.join(','), id);
    }
    // 4. merge it everywhere
    merges.push([a, b, id]);
    parts = parts.map((p) => mergePair(p, a, b, id));
  }
  return merges;
}
