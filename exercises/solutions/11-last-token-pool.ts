// Reference solution of last-token-pool (chapter 11, section "Classification").

import { stack, type Tensor } from 'llm-from-scratch';

/** out[b] = h[b, lengths[b] - 1]: each row's last real token (right padding). */
export function lastTokenPool(h: Tensor, lengths: readonly number[]): Tensor {
  const C = h.shape[2]; // h (B, T, C)
  const rows = lengths.map(
    (len, b) =>
      h
        .narrow(0, b, 1)
        .narrow(1, len - 1, 1)
        .reshape(C), // (1, 1, C) -> (C)
  );
  return stack(rows, 0); // (B, C)
}
