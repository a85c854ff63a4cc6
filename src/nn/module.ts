// Module: the base of every layer and model, as torch.nn.Module. Parameters and sub-modules are
// found by walking the object's own fields in the order they were assigned, so the names follow
// the code: `this.c_attn = new Linear(...)` inside block `h.0` owns `h.0.c_attn.weight`.
// Fields whose names start with `_` are private and never walked. freeze() keeps parameters
// out of gradient computation and the optimizer; dispose() gives their storage back.

import { Tensor } from '../tensor/tensor.js';
import { Parameter, releaseStorage } from './parameter.js';
import { fmtShape } from '../tensor/shape.js';
import { LlmfsError } from '../errors.js';

export type StateDict = Record<string, Tensor>;

export abstract class Module {
  /** Training mode turns dropout on; eval() turns it off. */
  training = true;

  /** Direct sub-modules as [name, module], in field order. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this))
      if (!k.startsWith('_') && v instanceof Module) out.push([k, v]);
    return out;
  }

  /** Every parameter with its dotted name; a shared (tied) parameter is listed once, first name wins. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const walk = (m: Module, prefix: string): void => {
      for (const [k, v] of Object.entries(m)) {
        if (k.startsWith('_')) continue;
        if (v instanceof Parameter) {
          if (!seen.has(v)) out.push([prefix + k, v]);
          seen.add(v);
        } else if (v instanceof Module) walk(v, `${prefix}${k}.`);
      }
    };
    walk(this, '');
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The total number of scalar parameters (shared ones counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.namedChildren()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The parameters that train (requiresGrad, not frozen), with their dotted names. */
  trainableParameters(): [string, Parameter][] {
    return this.namedParameters().filter(([, p]) => p.requiresGrad);
  }

  /**
   * Freezes every parameter: no gradient is computed for it (an op whose inputs are all frozen
   * records no backward) and the optimizer leaves it as it is. Fine-tuning freezes the body
   * and trains a head, or freezes all and trains adapters.
   */
  freeze(): this {
    for (const p of this.parameters()) p.requiresGrad = false;
    return this;
  }

  unfreeze(): this {
    for (const p of this.parameters()) p.requiresGrad = true;
    return this;
  }

  /** Runs `fn` when this module is disposed (e.g. the trainer releasing its buffer arenas). */
  onDispose(fn: () => void): void {
    (this._disposeHooks ??= []).push(fn);
  }
  private _disposeHooks?: (() => void)[];

  /**
   * Releases the storage of every parameter (wasm memory on the fast backend, reused by the next
   * model built) and whatever was registered with onDispose. The module, and any tensor sharing
   * its parameters' storage (stateDict()), must not be used afterwards.
   */
  dispose(): void {
    const walk = (m: Module): void => {
      const hooks = m._disposeHooks ?? [];
      m._disposeHooks = [];
      for (const fn of hooks) fn();
      for (const [, c] of m.namedChildren()) walk(c);
    };
    walk(this);
    for (const p of this.parameters()) {
      releaseStorage(p.data);
      p.grad = null;
    }
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Name -> tensor for every parameter (sharing storage with the module). */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [name, p] of this.namedParameters()) sd[name] = p.detach();
    return sd;
  }

  /**
   * Copies values from `sd` into the parameters, checking every shape. With `strict` (default),
   * missing or unexpected names are an error too; all problems are reported in one message.
   */
  loadStateDict(sd: StateDict, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = new Map(this.namedParameters());
    const problems: string[] = [];
    for (const [name, p] of own) {
      const t = sd[name];
      if (t === undefined) {
        if (strict) problems.push(`missing '${name}'`);
      } else if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        problems.push(`'${name}' has shape ${fmtShape(t.shape)} but the model expects ${fmtShape(p.shape)}`);
      }
    }
    if (strict) for (const name of Object.keys(sd)) if (!own.has(name)) problems.push(`unexpected '${name}'`);
    if (problems.length > 0) throw new LlmfsError(`loadStateDict: ${problems.join('; ')}`);
    for (const [name, p] of own) {
      const t = sd[name];
      if (t !== undefined && t.data !== p.data) p.data.set(t.data);
    }
  }
}

/** A module with one tensor in and one out (what Sequential chains). */
export interface UnaryModule extends Module {
  forward(x: Tensor): Tensor;
}
