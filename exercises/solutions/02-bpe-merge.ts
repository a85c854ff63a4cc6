// Reference solution of bpe-merge (chapter 2, section "Byte-pair encoding: merges").

/** Every occurrence of `pair`, scanning left to right without overlaps, becomes `newId`. */
export function mergePair(ids: number[], pair: [number, number], newId: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(newId);
      i += 2; // both halves of the pair are used up
    } else {
      out.push(ids[i]);
      i += 1;
    }
  }
  return out;
}
