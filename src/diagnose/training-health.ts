// Training health (chapter 14): the numbers practitioners plot by hand to see whether a run is
// sound, measured per layer at step 1 and at each evaluation step (`llmfs train --diagnostics`):
//   gradient norm ||g|| of each group of parameters, before clipping (Pascanu et al., 2013);
//   update/weight ratio ||ΔW|| / ||W|| of that step (Karpathy, "A Recipe for Training Neural
//   Networks", 2019: about 1e-3 is healthy; far above, the learning rate is too high);
//   from a forward on a fixed probe batch: the residual stream's mean and std after each block
//   (a std growing layer after layer is the sign of a bad init, Radford et al., 2019, §2.3),
//   dead MLP units and the share of MLP activations in their flat zone, and attention entropy.
// Portable: no files; the CLI writes each HealthRecord as a line of diagnostics.jsonl.

import type { GPT } from '../model/gpt.js';
import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { batchAt, type TokenArray } from '../train/data.js';

/**
 * A unit's output counts as zero when |h| <= FLAT_EPS. For ReLU, GELU and SiLU that happens where
 * the pre-activation u is ~0 or far negative (GELU(-3.4) ≈ -1e-3), where the slope is also ~0:
 * the unit passes on nothing and learns nothing there. A unit is *dead* when |h| <= FLAT_EPS at
 * every position of the probe batch; the *flat* share is the fraction of (position, unit) entries
 * with |h| <= FLAT_EPS. (None of our activations saturate upward, as tanh or sigmoid would, so
 * this flat zone is where they saturate.)
 */
export const FLAT_EPS = 1e-3;

/** One group's gradient and update: 'embeddings', 'h.0' .. 'h.{L-1}', 'head' (ln_f, lm_head). */
export interface GroupHealth {
  name: string;
  /** ||g|| over the group's gradients concatenated, before clipping. */
  gradNorm: number;
  /** ||W_after - W_before|| / ||W_before|| over the group's weights concatenated. */
  updateRatio: number;
  /** ||W|| after the step. */
  weightNorm: number;
}

/** One block's activity on the probe batch. */
export interface LayerActivity {
  /** Share of MLP units that are dead (|h| <= FLAT_EPS at every probe position). */
  dead: number;
  /** Share of MLP activations (positions × units) with |h| <= FLAT_EPS. */
  flat: number;
  /** Mean attention entropy in nats over batch, heads and query positions. */
  attnEntropy: number;
  /** The same per head. */
  headEntropy: number[];
}

/** One line of diagnostics.jsonl. */
export interface HealthRecord {
  step: number;
  groups: GroupHealth[];
  /**
   * On the probe batch, with the weights before this step's update: the residual stream's mean and
   * std (index 0 the embeddings, i + 1 after block i, before ln_f) ...
   */
  residual: { mean: number; std: number }[];
  /** ... and each block's MLP and attention activity. */
  layers: LayerActivity[];
}

/** The group a parameter belongs to, by its GPT-2 name. */
export function groupOf(name: string): string {
  const m = /^h\.(\d+)\./.exec(name);
  if (m) return `h.${m[1]}`;
  if (name.startsWith('wte.') || name.startsWith('wpe.')) return 'embeddings';
  return 'head';
}

/** The model's trainable parameters grouped: embeddings, h.0 .. h.{L-1}, head (in that order). */
export function parameterGroups(model: GPT): { name: string; params: Parameter[] }[] {
  const order = ['embeddings', ...Array.from({ length: model.config.nLayer }, (_, i) => `h.${i}`), 'head'];
  const groups = new Map(order.map((n) => [n, [] as Parameter[]]));
  for (const [name, p] of model.namedParameters()) if (p.requiresGrad) groups.get(groupOf(name))!.push(p);
  return order.map((name) => ({ name, params: groups.get(name)! })).filter((g) => g.params.length > 0);
}

/** sqrt(Σ x²) over several arrays taken together. */
function norm(arrays: readonly ArrayLike<number>[]): number {
  let sq = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) sq += a[i] * a[i];
  return Math.sqrt(sq);
}

/** Gradient norm per group (params without a gradient count as zero). */
export function groupGradNorms(groups: readonly { params: readonly Parameter[] }[]): number[] {
  return groups.map((g) => norm(g.params.flatMap((p) => (p.grad ? [p.grad.data] : []))));
}

/** ||W - W0|| / ||W0|| and ||W|| per group, W0 a copy of the weights taken before the step. */
export function groupUpdates(
  groups: readonly { params: readonly Parameter[] }[],
  before: readonly Float64Array[][],
): { updateRatio: number; weightNorm: number }[] {
  return groups.map((g, gi) => {
    let dsq = 0;
    g.params.forEach((p, pi) => {
      const w = p.data;
      const w0 = before[gi][pi];
      for (let i = 0; i < w.length; i++) dsq += (w[i] - w0[i]) ** 2;
    });
    const w0Norm = norm(before[gi]);
    return { updateRatio: Math.sqrt(dsq) / w0Norm, weightNorm: norm(g.params.map((p) => p.data)) };
  });
}

/** Mean and (population) std of all the values of a tensor. */
export function meanStd(x: Tensor): { mean: number; std: number } {
  const d = x.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / d.length) };
}

/** Dead units and flat share of hidden units h (B, T, H), with |h| <= eps counting as zero. */
export function deadUnits(h: Tensor, eps = FLAT_EPS): { dead: number; flat: number } {
  const H = h.shape[h.ndim - 1];
  const N = h.size / H; // positions: B·T
  const alive = new Uint8Array(H);
  let flat = 0;
  const d = h.data;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      if (Math.abs(d[n * H + j]) > eps) alive[j] = 1;
      else flat++;
    }
  }
  const dead = alive.reduce((a, v) => a + (v ? 0 : 1), 0);
  return { dead: dead / H, flat: flat / h.size };
}

/**
 * Attention entropy H = -Σ_k p_k ln p_k of each query's weights w (B, nh, T, Tk), averaged over
 * batch and queries, per head. ln(1) = 0 for a head that looks at one key; ln(t + 1) for a causal
 * query t spreading evenly over every key it may see.
 */
export function attentionEntropy(w: Tensor): number[] {
  const [B, nh, T, Tk] = w.shape;
  const d = w.data;
  const out = new Array<number>(nh).fill(0);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * nh + h) * T + t) * Tk;
        let e = 0;
        for (let k = 0; k < Tk; k++) {
          const p = d[row + k];
          if (p > 0) e -= p * Math.log(p);
        }
        out[h] += e / (B * T);
      }
    }
  }
  return out;
}

/** The probe measures: a forward in eval mode without gradients, recording every layer. */
export function probeActivity(model: GPT, probe: Tensor): Pick<HealthRecord, 'residual' | 'layers'> {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const residuals: Tensor[] = [];
      const hidden: Tensor[] = [];
      const attention: Tensor[] = [];
      model.forward(probe, {
        recordResiduals: residuals,
        recordMlpHidden: hidden,
        recordAttention: attention,
      });
      const layers = hidden.map((h, i) => {
        const headEntropy = attentionEntropy(attention[i]);
        const attnEntropy = headEntropy.reduce((a, v) => a + v, 0) / headEntropy.length;
        return { ...deadUnits(h), attnEntropy, headEntropy };
      });
      return { residual: residuals.map(meanStd), layers };
    });
  } finally {
    model.train(wasTraining);
  }
}

/** The fixed probe batch (B, T): B windows spread evenly over `tokens` (the validation split). */
export function probeWindows(tokens: TokenArray, T: number, B: number): Tensor {
  const room = tokens.length - T - 1;
  const n = Math.max(1, Math.min(B, room + 1));
  return batchAt(
    tokens,
    Array.from({ length: n }, (_, i) => Math.floor((i * room) / n)),
    T,
  ).x;
}

/**
 * The trainer's onUpdate hook (train/trainer.ts): at a measured step it reads the unclipped
 * gradients, copies the weights and runs the probe batch (B, T) through the weights the step
 * starts from (at step 1, the initialisation); the function it returns, called after opt.step,
 * measures the update and hands the record to `emit`.
 */
export function healthMonitor(
  model: GPT,
  probe: Tensor,
  emit: (record: HealthRecord) => void,
): (step: number) => () => void {
  const groups = parameterGroups(model);
  return (step) => {
    const gradNorms = groupGradNorms(groups);
    const before = groups.map((g) => g.params.map((p) => Float64Array.from(p.data)));
    const activity = probeActivity(model, probe); // the weights this step starts from (step 1: the init)
    return () => {
      const updates = groupUpdates(groups, before);
      const grouped = groups.map((g, i) => ({ name: g.name, gradNorm: gradNorms[i], ...updates[i] }));
      emit({ step, groups: grouped, ...activity });
    };
  };
}
