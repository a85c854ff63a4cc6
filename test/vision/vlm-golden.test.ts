// The LLaVA-style prefix model against PyTorch (fixture made by scripts/make-vlm-fixtures.py:
// projector, prefix concatenated before a GPT-2 decoder, loss on the scored text targets only).
// Text logits, the loss, and the gradients w.r.t. the vision features and every parameter agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { PrefixVlm } from '../../src/vision/vlm/index.js';
import { assertClose } from '../helpers/assert.js';

interface P {
  shape: number[];
  values: number[];
}
const golden = JSON.parse(
  readFileSync(new URL('../fixtures/vlm-prefix-golden.json', import.meta.url), 'utf8'),
) as {
  config: {
    N: number;
    D: number;
    nEmbd: number;
    nHead: number;
    nLayer: number;
    vocabSize: number;
    maxText: number;
  };
  features: P;
  ids: number[][];
  targets: number[][];
  params: Record<string, P>;
  logits: number[];
  loss: number;
  featuresGrad: number[];
  grads: Record<string, number[]>;
};

const TOL = 1e-4;

/** The fixture's model: a 16x16 image in 8x8 patches gives the N = 4 image tokens. */
function goldenModel(): PrefixVlm {
  const c = golden.config;
  assert.equal(c.N, 4);
  const m = new PrefixVlm({
    vocabSize: c.vocabSize,
    maxText: c.maxText,
    projector: 'mlp', // LLaVA-1.5's, as the fixture (the linear kind is its first layer alone)
    nEmbd: c.nEmbd,
    nHead: c.nHead,
    nLayer: c.nLayer,
    vit: { imageSize: 16, patchSize: 8, dModel: c.D, nHead: 2, nLayer: 1 },
  });
  const sd: Record<string, T.Tensor> = {};
  for (const [k, p] of Object.entries(golden.params)) sd[k] = T.fromArray(p.values, p.shape);
  m.projector.loadStateDict(pick(sd, 'projector.'));
  m.gpt.loadStateDict(pick(sd, 'gpt.'));
  return m;
}

function pick(sd: Record<string, T.Tensor>, prefix: string): Record<string, T.Tensor> {
  const out: Record<string, T.Tensor> = {};
  for (const [k, v] of Object.entries(sd)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

test('prefix vlm golden: text logits, the masked loss and every gradient equal PyTorch to 1e-4', () => {
  const m = goldenModel();
  const feats = T.fromArray(golden.features.values, golden.features.shape, { requiresGrad: true });
  const out = m.forwardFeatures(feats, T.tensor(golden.ids), T.tensor(golden.targets));
  out.loss!.backward();
  assert.deepEqual(out.logits.shape, [2, 5, golden.config.vocabSize]);
  assertClose(out.logits.data, golden.logits, TOL, TOL, 'logits');
  assertClose([out.loss!.item()], [golden.loss], TOL, TOL, 'loss');
  assertClose(feats.grad!.data, golden.featuresGrad, TOL, TOL, 'features gradient');
  const named = new Map<string, T.Tensor>([
    ...m.projector.namedParameters().map(([k, p]): [string, T.Tensor] => [`projector.${k}`, p]),
    ...m.gpt.namedParameters().map(([k, p]): [string, T.Tensor] => [`gpt.${k}`, p]),
  ]);
  assert.equal(named.size, Object.keys(golden.grads).length, 'parameter count');
  for (const [k, g] of Object.entries(golden.grads)) {
    const p = named.get(k);
    assert.ok(p?.grad, `no gradient for ${k}`);
    assertClose(p.grad.data, g, TOL, TOL, `grad ${k}`);
  }
});

test('prefix vlm golden: a question target left unmasked changes the loss (the mask is applied)', () => {
  const m = goldenModel();
  const feats = T.fromArray(golden.features.values, golden.features.shape);
  const unmasked = golden.targets.map((r) => [...r]);
  unmasked[0][0] = 5; // the question's first word scored as well
  const loss = m.forwardFeatures(feats, T.tensor(golden.ids), T.tensor(unmasked)).loss!.item();
  assert.ok(Math.abs(loss - golden.loss) > 1e-3, `loss ${loss} vs ${golden.loss}`);
});
