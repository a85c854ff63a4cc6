// Reference solution of bpe-encode (chapter 2, section "Byte-pair encoding: merges").

import type { MergeRules } from 'llm-from-scratch';

/** Join the lowest-ranked adjacent pair (the leftmost on a tie) until no pair has a rank. */
export function bpeEncode(ids: number[], rules: MergeRules): number[] {
  const parts = ids.slice();
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = rules.rank(parts[i], parts[i + 1]);
      if (r < best) {
        best = r; // strictly lower: the leftmost of equal ranks stays
        at = i;
      }
    }
    if (at < 0) return parts;
    parts.splice(at, 2, rules.merged(parts[at], parts[at + 1]));
  }
}
