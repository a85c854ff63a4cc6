// ZeRO stage 1 (Rajbhandari et al., 2020): the AdamW moments are sharded across the N ranks.
// Rank r owns chunk r of the flattened parameters (ring.ts chunkRange): it keeps m and v for that
// chunk only (1/N of the optimizer's memory), updates that chunk of the parameters from the
// averaged gradients, and an all-gather then gives every rank the whole updated model. The update
// is AdamW's, element by element (adamw.ts), so sharding changes where it runs, never its result.

import type { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../kernels/backend.js';
import { allocatePersistent } from '../tensor/dtype.js';
import { LlmfsError } from '../errors.js';
import type { OptimizerState } from '../train/optimizer.js';
import type { FlatLayout } from './flat.js';
import type { Group } from './group.js';
import { chunkRange } from './ring.js';

export interface ShardedAdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Each parameter's weight decay (its group's, as train/param-groups.ts sets them). */
  weightDecay: Map<Parameter, number>;
}

export class ShardedAdamW {
  readonly lo: number;
  readonly hi: number;
  /** This rank's shard of the moments: (hi - lo,). */
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Steps taken (t in the bias corrections). */
  step = 0;
  lr: number;

  constructor(
    readonly layout: FlatLayout,
    readonly group: Group,
    readonly o: ShardedAdamWOptions,
  ) {
    [this.lo, this.hi] = chunkRange(layout.total, group.size, group.rank);
    this.m = allocatePersistent(this.hi - this.lo);
    this.v = allocatePersistent(this.hi - this.lo);
    this.lr = o.lr;
  }

  /**
   * One step: `grads` is the flat gradient whose [lo, hi) is already averaged over the ranks
   * (a reduce-scatter) and clipped. Updates this rank's shard of the parameters, then all-gathers
   * the parameters through the same flat array (the gradient is spent by then).
   */
  update(grads: Float32Array): void {
    this.step++;
    const { beta1, beta2, eps } = this.o;
    const be = getBackend();
    this.layout.each(this.lo, this.hi, (p, a, b, f) => {
      const s = f - this.lo;
      const wd = this.o.weightDecay.get(p) ?? 0;
      const w = p.data.subarray(a, b) as Float32Array;
      const g = grads.subarray(f, f + b - a);
      const m = this.m.subarray(s, s + b - a);
      const v = this.v.subarray(s, s + b - a);
      be.adamw(w, g, m, v, this.lr, beta1, beta2, eps, wd, this.step);
    });
    const params = grads;
    this.layout.gatherParams(params, this.lo, this.hi);
    this.group.allGatherChunks(params); // every rank: all N updated shards
    this.layout.scatterParams(params);
  }

  /**
   * The full optimizer state as one worker's AdamW saves it ("<name>.exp_avg", ".exp_avg_sq"),
   * gathered from every shard: a collective, every rank calls it.
   */
  exportState(named: readonly [string, Parameter][]): OptimizerState {
    const full = (shard: Float32Array) => {
      const x = new Float32Array(this.layout.total);
      x.set(shard, this.lo);
      this.group.allGatherChunks(x);
      return x;
    };
    const [m, v] = [full(this.m), full(this.v)];
    const tensors: Record<string, Tensor> = {};
    const steps: Record<string, number> = {};
    const index = new Map(this.layout.params.map((p, i) => [p, i]));
    for (const [name, p] of named) {
      const i = index.get(p);
      if (i === undefined || this.step === 0) continue;
      const o = this.layout.offsets[i];
      tensors[`${name}.exp_avg`] = new Tensor(m.slice(o, o + p.size), p.shape);
      tensors[`${name}.exp_avg_sq`] = new Tensor(v.slice(o, o + p.size), p.shape);
      steps[name] = this.step;
    }
    return { tensors, steps };
  }

  /** Takes this rank's shard of a saved (full) state. */
  importState(named: readonly [string, Parameter][], state: OptimizerState): void {
    const byParam = new Map(named.map(([name, p]) => [p, name]));
    let step = 0;
    this.layout.each(this.lo, this.hi, (p, a, b, f) => {
      const name = byParam.get(p)!;
      if (!(name in state.steps)) return;
      step = state.steps[name];
      for (const [k, dst] of [
        ['exp_avg', this.m],
        ['exp_avg_sq', this.v],
      ] as const) {
        const t = state.tensors[`${name}.${k}`];
        if (!t || t.size !== p.size)
          throw new LlmfsError(`optimizer state: missing or misshapen '${name}.${k}'`);
        dst.set(t.data.subarray(a, b), f - this.lo);
      }
    });
    // Every parameter steps together in a training run; a shard may hold none of them.
    this.step = Math.max(step, ...Object.values(state.steps));
  }

  dispose(): void {
    const be = getBackend();
    be.releasePersistent?.(this.m);
    be.releasePersistent?.(this.v);
  }
}
