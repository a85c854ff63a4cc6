// Reference solution of moe-routing (chapter 15, section "Mixture of experts").

import { fromArray, type Tensor } from 'llm-from-scratch';

/** Each row's k largest logits (ties: lower index), and a softmax over just those k. */
export function topKRouting(logits: Tensor, k: number): { experts: Int32Array; gates: Tensor } {
  const [N, E] = logits.shape;
  const experts = new Int32Array(N * k);
  for (let n = 0; n < N; n++) {
    const row = logits.data.subarray(n * E, (n + 1) * E);
    const order = Array.from({ length: E }, (_, e) => e).sort((a, b) => row[b] - row[a] || a - b);
    experts.set(order.slice(0, k), n * k);
  }
  const index = fromArray(experts, [N, k], { dtype: logits.dtype }); // (N, k)
  const gates = logits.gather(1, index).softmax(-1); // (N, k): the gradient reaches the chosen logits
  return { experts, gates };
}
