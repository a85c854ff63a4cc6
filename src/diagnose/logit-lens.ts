// The logit lens (nostalgebraist, 2020, "interpreting GPT: the logit lens"): read the residual
// stream after every block as if it were the last one. Layer l's residual r_l (B, T, C) goes
// through the final norm and the output head, exactly as the model's own last layer does,
//   lens_l = head(ln_f(r_l))  (B, T, V),  l = 0 (the embeddings), 1..L (after block l-1),
// so lens_L is the model's logits. Per position and layer we keep the top-k predictions and two
// distances to the final distribution p_L:
//   kl    KL(p_L || p_l) = Σ_v p_L(v) (log p_L(v) - log p_l(v)) in nats (as Belrose et al., 2023,
//         "Eliciting latent predictions with the tuned lens"), 0 at the last layer;
//   rank  the 1-based rank under p_l of the final top-1 token (1: this layer already predicts it).

import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { tensor } from '../tensor/creation.js';
import { linear } from '../tensor/ops/matmul.js';
import type { GPT } from '../model/gpt.js';
import { QuantizedEmbedding } from '../quant/quantized-embedding.js';

export interface LensPrediction {
  id: number;
  prob: number;
}

export interface LensLayer {
  /** 'embeddings' or 'block N' (the residual leaving block N). */
  name: string;
  /** top[t]: the k most likely next tokens at position t under this layer's lens. */
  top: LensPrediction[][];
  /** kl[t] = KL(p_final || p_layer) at position t, in nats. */
  kl: number[];
  /** rank[t]: 1-based rank of the final top-1 token under this layer's distribution. */
  rank: number[];
}

export interface LogitLens {
  layers: LensLayer[];
}

/** Final-normed states (B, T, C) -> logits (B, T, V): lm_head, or the tied wte (as computeLogits). */
export function unembed(model: GPT, x: Tensor): Tensor {
  if (model.lm_head) return model.lm_head.forward(x);
  return model.wte instanceof QuantizedEmbedding ? model.wte.project(x) : linear(x, model.wte.weight);
}

/** One residual (1, T, C) -> lens logits (1, T, V). */
export function lensLogits(model: GPT, residual: Tensor): Tensor {
  return noGrad(() => unembed(model, model.ln_f.forward(residual)));
}

/** log-softmax of row t of a (1, T, V) logits storage, in float64. */
function logProbs(data: ArrayLike<number>, t: number, V: number): Float64Array {
  const out = new Float64Array(V);
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, data[t * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(data[t * V + v] - max);
  const lse = max + Math.log(sum);
  for (let v = 0; v < V; v++) out[v] = data[t * V + v] - lse;
  return out;
}

function topK(lp: Float64Array, k: number): LensPrediction[] {
  const ids = Array.from(lp.keys());
  ids.sort((a, b) => lp[b] - lp[a] || a - b);
  return ids.slice(0, k).map((id) => ({ id, prob: Math.exp(lp[id]) }));
}

/**
 * The lens over recorded residuals (each (1, T, C), as GPT.forward's recordResiduals leaves them).
 * Layers are processed one at a time, so memory stays at two (T, V) tables.
 */
export function logitLens(model: GPT, residuals: readonly Tensor[], k = 5): LogitLens {
  const L = residuals.length - 1;
  const [, T] = residuals[0].shape;
  const V = model.config.vocabSize;
  const finalData = lensLogits(model, residuals[L]).data;
  const final = Array.from({ length: T }, (_, t) => logProbs(finalData, t, V));
  const finalTop = final.map((lp) => topK(lp, 1)[0].id);
  const layers: LensLayer[] = residuals.map((r, l) => {
    const data = l === L ? finalData : lensLogits(model, r).data;
    const top: LensPrediction[][] = [];
    const kl: number[] = [];
    const rank: number[] = [];
    for (let t = 0; t < T; t++) {
      const lp = l === L ? final[t] : logProbs(data, t, V);
      top.push(topK(lp, k));
      let d = 0;
      for (let v = 0; v < V; v++) d += Math.exp(final[t][v]) * (final[t][v] - lp[v]);
      kl.push(Math.max(0, d));
      const target = lp[finalTop[t]];
      let above = 0;
      for (let v = 0; v < V; v++) if (lp[v] > target || (lp[v] === target && v < finalTop[t])) above++;
      rank.push(above + 1);
    }
    return { name: l === 0 ? 'embeddings' : `block ${l - 1}`, top, kl, rank };
  });
  return { layers };
}

/** A (1, T) id tensor for a forward pass. */
export function idTensor(ids: readonly number[]): Tensor {
  return tensor([Array.from(ids)]);
}
