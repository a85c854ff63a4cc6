// The optimizer interface shared by SGD, Adam and AdamW: parameters in groups (each group may
// override the learning rate and weight decay), step() applies one update from `.grad`,
// zeroGrad() clears the gradients, dispose() gives the per-parameter buffers' storage back.

import { releaseStorage, type Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { allocatePersistent } from '../tensor/dtype.js';
import { LlmfsError } from '../errors.js';

/** Saved optimizer state: per-parameter buffers by "<param name>.<buffer>", and step counts. */
export interface OptimizerState {
  tensors: Record<string, Tensor>;
  steps: Record<string, number>;
}

export interface ParamGroup {
  params: Parameter[];
  lr?: number;
  weightDecay?: number;
}

export abstract class Optimizer {
  readonly groups: Required<ParamGroup>[];

  constructor(params: Parameter[] | ParamGroup[], defaults: { lr: number; weightDecay: number }) {
    if (!(defaults.lr >= 0) || !Number.isFinite(defaults.lr))
      throw new LlmfsError(`optimizer: learning rate must be a finite number >= 0, got ${defaults.lr}`);
    if (!(defaults.weightDecay >= 0))
      throw new LlmfsError(`optimizer: weight decay must be >= 0, got ${defaults.weightDecay}`);
    const list: ParamGroup[] =
      params.length > 0 && !('params' in params[0])
        ? [{ params: params as Parameter[] }]
        : (params as ParamGroup[]);
    this.groups = list.map((g) => ({
      params: g.params,
      lr: g.lr ?? defaults.lr,
      weightDecay: g.weightDecay ?? defaults.weightDecay,
    }));
  }

  /** Sets the learning rate of every group (what a schedule calls each step). */
  setLr(lr: number): void {
    for (const g of this.groups) g.lr = lr;
  }

  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) p.grad = null;
  }

  abstract step(): void;

  /**
   * Releases the per-parameter buffers (Adam's moments live in wasm memory on the fast backend,
   * where the next optimizer reuses them). The optimizer starts afresh if stepped again.
   */
  dispose(): void {
    for (const g of this.groups) {
      for (const p of g.params) {
        const b = this.buffers(p);
        if (b) for (const arr of Object.values(b.arrays)) releaseStorage(arr);
      }
    }
    this.forget();
  }

  /** Drops every per-parameter buffer (after dispose released them). */
  protected abstract forget(): void;

  /** Per-parameter buffers (float32) and step counts, keyed by parameter name. */
  protected abstract buffers(p: Parameter): { arrays: Record<string, Float32Array>; step: number } | null;
  protected abstract restore(p: Parameter, arrays: Record<string, Float32Array>, step: number): void;
  protected abstract readonly bufferNames: readonly string[];

  /** Everything needed to continue exactly where this optimizer stopped. */
  exportState(named: readonly [string, Parameter][]): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    const steps: Record<string, number> = {};
    for (const [name, p] of named) {
      const b = this.buffers(p);
      if (!b) continue;
      // A copy: the state is a snapshot (the moments go on changing with each step), and it must
      // outlive dispose(), which gives the moments' wasm memory to the next optimizer.
      for (const [k, arr] of Object.entries(b.arrays))
        tensors[`${name}.${k}`] = new Tensor(Float32Array.from(arr), p.shape);
      steps[name] = b.step;
    }
    return { tensors, steps };
  }

  importState(named: readonly [string, Parameter][], state: OptimizerState): void {
    for (const [name, p] of named) {
      if (!(name in state.steps)) continue;
      const arrays: Record<string, Float32Array> = {};
      for (const k of this.bufferNames) {
        const t = state.tensors[`${name}.${k}`];
        if (!t) throw new LlmfsError(`optimizer state: missing '${name}.${k}'`);
        if (t.size !== p.size)
          throw new LlmfsError(
            `optimizer state: '${name}.${k}' has shape ${fmtShape(t.shape)}, parameter has ` +
              `${fmtShape(p.shape)}`,
          );
        // in wasm memory on the fast backend, like the moments it replaces
        const a = allocatePersistent(p.size);
        a.set(t.data);
        arrays[k] = a;
      }
      this.restore(p, arrays, state.steps[name]);
    }
  }
}
