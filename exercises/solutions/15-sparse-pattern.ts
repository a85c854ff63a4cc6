// Reference solution of sparse-pattern (chapter 15, section "Sliding windows and sparse patterns").

import type { AttentionPattern } from 'llm-from-scratch';

/** The keys the query at i sees, ascending: a window or block, plus strided or summary keys before it. */
export function keysOf(p: AttentionPattern, i: number): number[] {
  const W = p.window;
  const keys: number[] = [];
  const range = (from: number, to: number) => {
    for (let j = from; j <= to; j++) keys.push(j);
  };
  switch (p.kind) {
    case 'full':
      range(0, i);
      break;
    case 'sliding':
      range(Math.max(0, i - W + 1), i);
      break;
    case 'sparse-strided': {
      const local = Math.max(0, i - W + 1); // the window's first key
      for (let j = i % W; j < local; j += W) keys.push(j); // (i - j) mod W = 0, before the window
      range(local, i);
      break;
    }
    case 'sparse-fixed': {
      const own = i - (i % W); // the first position of i's block
      for (let b = 0; b < own; b += W) range(b + W - p.summary, b + W - 1); // each earlier block's last c
      range(own, i);
      break;
    }
  }
  return keys;
}
