// The gate-gradient importance (Michel et al., 2019) against PyTorch: scripts/make-prune-fixture.py
// gates every head and MLP neuron of a random 2-layer GPT with an explicit ξ = 1 and lets autograd
// give dL/dξ; our gateGradients gets the same numbers from c_proj's weight gradient, with no gate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { GPT } from '../../src/model/index.js';
import { gateGradients } from '../../src/prune/index.js';

interface Fixture {
  config: { vocabSize: number; blockSize: number; nLayer: number; nHead: number; nEmbd: number };
  params: Record<string, { shape: number[]; values: number[] }>;
  idx: number[][];
  targets: number[][];
  loss: number;
  headGates: number[][];
  neuronGates: number[][];
}

const fx = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'prune-gates.json'), 'utf8'),
) as Fixture;

function close(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 1e-5 + 1e-4 * Math.abs(want), `${what}: ours ${got}, PyTorch ${want}`);
}

test('importance: head and neuron gate gradients equal PyTorch autograd through explicit gates', () => {
  const model = new GPT(fx.config).eval();
  model.loadStateDict(
    Object.fromEntries(
      Object.entries(fx.params).map(([n, p]) => [n, new Tensor(Float32Array.from(p.values), p.shape)]),
    ),
  );
  const x = T.tensor(fx.idx);
  const y = T.tensor(fx.targets);
  close(model.forward(x, { targets: y }).loss!.item(), fx.loss, 'loss');
  const g = gateGradients(model, x, y);
  fx.headGates.forEach((row, l) => row.forEach((want, h) => close(g.heads[l][h], want, `head ${l}.${h}`)));
  fx.neuronGates.forEach((row, l) =>
    row.forEach((want, j) => close(g.neurons[l][j], want, `neuron ${l}.${j}`)),
  );
});
