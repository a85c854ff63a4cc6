// Containers and activation modules. Sequential chains modules; ModuleList holds a numbered list
// (its children are named 0, 1, 2, ... as in GPT-2's `h.0`, `h.1`).

import type { Tensor } from '../tensor/tensor.js';
import type { GeluApproximation } from '../tensor/ops/unary.js';
import { Module, type UnaryModule } from './module.js';

export class ModuleList<M extends Module = Module> extends Module {
  private _items: M[] = [];

  constructor(items: M[] = []) {
    super();
    for (const m of items) this.push(m);
  }

  push(m: M): void {
    (this as unknown as Record<string, Module>)[String(this._items.length)] = m;
    this._items.push(m);
  }

  get length(): number {
    return this._items.length;
  }

  at(i: number): M {
    return this._items[i];
  }

  [Symbol.iterator](): Iterator<M> {
    return this._items[Symbol.iterator]();
  }
}

export class Sequential extends ModuleList<UnaryModule> implements UnaryModule {
  constructor(...modules: UnaryModule[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    for (const m of this) x = m.forward(x);
    return x;
  }
}

export class GELU extends Module implements UnaryModule {
  constructor(readonly approximate: GeluApproximation = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.gelu(this.approximate);
  }
}

export class ReLU extends Module implements UnaryModule {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class SiLU extends Module implements UnaryModule {
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}

export class Tanh extends Module implements UnaryModule {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class Sigmoid extends Module implements UnaryModule {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
