// Reference solution of cross-entropy (chapter 6, section "GPT: a decoder-only language model").

import { Tensor } from 'llm-from-scratch';

/** The mean of -log softmax(logits_n)[t_n] over the rows whose target is not ignoreIndex. */
export function crossEntropy(logits: Tensor, targets: readonly number[], ignoreIndex: number): Tensor {
  const rows: number[] = [];
  targets.forEach((t, n) => {
    if (t !== ignoreIndex) rows.push(n);
  });
  const z = logits.indexSelect(0, rows); // (M, V): the counted rows
  const shifted = z.sub(z.max(-1, true)); // (M, V): each row's max is 0, so exp cannot overflow
  const logp = shifted.sub(shifted.exp().sum(-1, true).log()); // (M, V): log-softmax
  const picked = logp.gather(
    1,
    new Tensor(
      Float32Array.from(rows, (n) => targets[n]),
      [rows.length, 1],
    ),
  );
  return picked.mean().neg(); // (): mean over the M counted rows
}
