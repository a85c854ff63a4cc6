// The ViT encoder and the LLaVA projector against PyTorch (fixture made by
// scripts/make-vit-fixtures.py: a Conv2d patch embedding, nn.TransformerEncoder with norm_first,
// a final LayerNorm, two heads, Linear-GELU-Linear). The Conv2d weight loads by a reshape; features,
// logits, projected features, the loss, and the gradients w.r.t. the image and every parameter agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { ViT, Projector, type ViTConfigInput, type ProjectorOptions } from '../../src/vision/model/index.js';
import type { Module } from '../../src/nn/index.js';
import { assertClose } from '../helpers/assert.js';

interface P {
  shape: number[];
  values: number[];
}
interface Case {
  config: Pick<ViTConfigInput, 'pool' | 'positions'>;
  params: Record<string, P>;
  features: number[];
  logits: Record<string, number[]>;
  projected: number[];
  loss: number;
  xGrad: number[];
  grads: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/vit-golden.json', import.meta.url), 'utf8')) as {
  config: ViTConfigInput & { projector: ProjectorOptions };
  x: P;
  labels: Record<string, number[]>;
  params: Record<string, P>;
  cases: Record<string, Case>;
};

/** The largest absolute difference, for the report. */
function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Loads the params under `prefix`; a Conv2d weight (D, C, P, P) becomes (D, C·P·P) by a reshape. */
function load(model: Module, params: Record<string, P>, prefix: string, skip?: string): void {
  const sd: Record<string, T.Tensor> = {};
  for (const [k, p] of Object.entries(params)) {
    if (!k.startsWith(prefix) || (skip && k.startsWith(skip))) continue;
    let t = T.fromArray(p.values, p.shape);
    if (k === 'patch_embed.proj.weight') t = t.reshape(p.shape[0], -1); // (D, C, P, P) -> (D, C·P·P)
    sd[k.slice(prefix.length)] = t;
  }
  model.loadStateDict(sd);
}

const RTOL = 1e-5;
const ATOL = 1e-5; // float32 sums of values up to ~4: an output near 0 keeps ~2e-6 absolute

for (const [name, c] of Object.entries(golden.cases)) {
  test(`vit golden (${name}): features, logits, projection, loss and every gradient equal PyTorch's`, () => {
    const { projector: projOpts, ...config } = golden.config;
    const vit = new ViT({ ...config, ...c.config });
    const proj = new Projector(projOpts);
    const all = { ...golden.params, ...c.params };
    load(vit, all, '', 'projector.');
    load(proj, all, 'projector.');
    const x = T.fromArray(golden.x.values, golden.x.shape, { requiresGrad: true });
    const out = vit.forward(x, golden.labels);
    const projected = proj.forward(out.features); // (B, T, n_embd)
    const loss = out.loss!.add(projected.pow(2).mean());
    loss.backward();

    const errors: Record<string, number> = {};
    const check = (what: string, a: ArrayLike<number>, e: ArrayLike<number>) => {
      assertClose(a, e, RTOL, ATOL, what);
      errors[what] = maxAbs(a, e);
    };
    check('features', out.features.data, c.features);
    for (const [h, l] of Object.entries(c.logits)) check(`logits ${h}`, out.logits[h].data, l);
    check('projected', projected.data, c.projected);
    check('loss', [loss.item()], [c.loss]);
    check('image gradient', x.grad!.data, c.xGrad);
    const named = new Map([
      ...vit.namedParameters(),
      ...proj.namedParameters().map(([k, p]) => [`projector.${k}`, p] as const),
    ]);
    assert.equal(named.size, Object.keys(c.grads).length, 'parameter count');
    let worstGrad = 0;
    for (const [k, g] of Object.entries(c.grads)) {
      const p = named.get(k);
      assert.ok(p?.grad, `no gradient for ${k}`);
      assertClose(p.grad.data, g, RTOL, ATOL, `grad ${k}`);
      worstGrad = Math.max(worstGrad, maxAbs(p.grad.data, g));
    }
    errors['parameter gradients'] = worstGrad;
    if (process.env.VIT_GOLDEN_REPORT) console.log(name, JSON.stringify(errors));
  });
}
