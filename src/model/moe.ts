// A mixture-of-experts feed-forward layer (Shazeer et al., 2017; Switch Transformer, Fedus et al.,
// 2022; Mixtral, Jiang et al., 2024): E expert MLPs and a linear router. Each token goes to its k
// best experts and gets the gated sum of their outputs:
//   y = Σ_{e in topk(x W_r)} g_e(x) · MLP_e(x),   g = softmax over the k chosen router logits
// so a token pays for k MLPs while the layer holds E of them. Routing: router.ts.

import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { cat } from '../tensor/ops/layout.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import { MLP, type MlpOptions } from './mlp.js';
import { expertCapacity, keptChoices, loadBalancingLoss, routeTopK } from './router.js';

export interface MoeOptions extends MlpOptions {
  /** E: the number of expert MLPs. */
  experts: number;
  /** k: experts per token. */
  topK: number;
  /** Capacity factor (0: unlimited); applied in training mode only, see forward. */
  capacityFactor?: number;
  /** α of the load-balancing loss. */
  auxLossWeight?: number;
}

/** What the last forward did, as plain numbers (safe to keep after its tensors are released). */
export interface MoeStats {
  /** N: tokens routed. */
  tokens: number;
  /** Routing choices per expert (E), before capacity; they sum to N·k. */
  routed: number[];
  /** Choices per expert dropped for lack of capacity (E). */
  dropped: number[];
  /** Tokens that lost all k of their experts: the layer passes 0 and the residual carries them. */
  droppedTokens: number;
  /** Tokens an expert may take (Infinity without a capacity factor). */
  capacity: number;
  /** The value of the α-weighted load-balancing loss. */
  auxLoss: number;
}

export class MixtureOfExperts extends Module {
  /** W_r: C -> E router logits (no bias, as Switch and Mixtral). */
  router: Linear;
  experts: ModuleList<MLP>;
  readonly topK: number;
  readonly capacityFactor: number;
  readonly auxLossWeight: number;
  /** The α-weighted load-balancing loss of the last forward (a scalar in its graph); GPT takes it. */
  auxLoss: Tensor | null = null;
  /** Utilisation and drops of the last forward. */
  stats: MoeStats | null = null;

  constructor(o: MoeOptions) {
    super();
    this.router = new Linear(o.nEmbd, o.experts, { bias: false });
    this.experts = new ModuleList(Array.from({ length: o.experts }, () => new MLP(o)));
    this.topK = o.topK;
    this.capacityFactor = o.capacityFactor ?? 0;
    this.auxLossWeight = o.auxLossWeight ?? 0.01;
  }

  /**
   * x (..., C) -> (..., C). The capacity factor limits experts in training mode only: at evaluation
   * and generation every token reaches its k experts, so its output never depends on the other
   * tokens in the batch (and cached generation equals uncached).
   */
  forward(x: Tensor): Tensor {
    const C = x.shape[x.ndim - 1];
    const N = x.size / C;
    const E = this.experts.length;
    const k = this.topK;
    const flat = x.reshape(N, C); // (N, C)
    const r = routeTopK(this.router.forward(flat), k); // logits (N, E)
    const limited = this.training && this.capacityFactor > 0;
    const capacity = limited ? expertCapacity(N, k, E, this.capacityFactor) : Infinity;
    const kept = keptChoices(r.experts, E, capacity); // (N·k)
    const gates = r.gates.reshape(N * k); // (N·k)
    // Each expert runs on its own tokens only; its weighted outputs are stacked into Y, one row per
    // kept choice, and row[a] says where choice a landed.
    const parts: Tensor[] = [];
    const row = new Int32Array(N * k);
    let rows = 0;
    for (let e = 0; e < E; e++) {
      const mine: number[] = [];
      for (let a = 0; a < N * k; a++) if (r.experts[a] === e && kept[a]) mine.push(a);
      if (mine.length === 0) continue;
      const tokens = mine.map((a) => Math.floor(a / k)); // choice a = n·k + j belongs to token n
      const xe = flat.indexSelect(0, tokens); // (n_e, C)
      const ge = gates.indexSelect(0, mine).reshape(mine.length, 1); // (n_e, 1)
      parts.push(this.experts.at(e).forward(xe).mul(ge)); // (n_e, C)
      mine.forEach((a, i) => (row[a] = rows + i));
      rows += mine.length;
    }
    // A dropped choice reads the zero row at the end.
    for (let a = 0; a < N * k; a++) if (!kept[a]) row[a] = rows;
    const Y = cat([...parts, zeros([1, C], { dtype: x.dtype })], 0); // (rows + 1, C)
    let y: Tensor | null = null;
    for (let j = 0; j < k; j++) {
      const choice = Array.from({ length: N }, (_, n) => row[n * k + j]);
      const yj = Y.indexSelect(0, choice); // (N, C): every token's j-th expert, gated
      y = y ? y.add(yj) : yj;
    }
    this.auxLoss = loadBalancingLoss(r.probs, r.experts, this.auxLossWeight);
    this.stats = statsOf(r.experts, kept, N, k, E, capacity, this.auxLoss.item());
    return y!.reshape(...x.shape); // (..., C)
  }
}

function statsOf(
  experts: Int32Array,
  kept: Uint8Array,
  N: number,
  k: number,
  E: number,
  capacity: number,
  auxLoss: number,
): MoeStats {
  const routed = new Array<number>(E).fill(0);
  const dropped = new Array<number>(E).fill(0);
  let droppedTokens = 0;
  for (let n = 0; n < N; n++) {
    let lost = 0;
    for (let j = 0; j < k; j++) {
      const a = n * k + j;
      routed[experts[a]]++;
      if (!kept[a]) {
        dropped[experts[a]]++;
        lost++;
      }
    }
    if (lost === k) droppedTokens++;
  }
  return { tokens: N, routed, dropped, droppedTokens, capacity, auxLoss };
}

/** The small record a training log keeps per step (see moeSummary). */
export interface MoeLogRecord {
  /** Each expert's share of the routing choices, the mean over the MoE blocks (sums to 1). */
  load: number[];
  /** The α-weighted balancing loss (mean over blocks). */
  aux: number;
  /** The share of routing choices dropped for lack of capacity. */
  dropped: number;
}

/** The blocks' last-forward stats in a few rounded numbers, or null for a dense model. */
export function moeSummary(stats: readonly (MoeStats | null)[]): MoeLogRecord | null {
  const seen = stats.filter((s): s is MoeStats => s !== null);
  if (seen.length === 0) return null;
  const E = seen[0].routed.length;
  const load = new Array<number>(E).fill(0);
  let aux = 0;
  let dropped = 0;
  let choices = 0;
  for (const s of seen) {
    const total = s.routed.reduce((a, b) => a + b, 0);
    s.routed.forEach((r, e) => (load[e] += r / total / seen.length));
    aux += s.auxLoss / seen.length;
    dropped += s.dropped.reduce((a, b) => a + b, 0);
    choices += total;
  }
  const round = (v: number, digits: number) => Number(v.toFixed(digits));
  return {
    load: load.map((v) => round(v, 3)),
    aux: Number(aux.toPrecision(4)),
    dropped: round(dropped / choices, 4),
  };
}
