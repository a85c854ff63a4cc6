// Properties of the ViT and the projector that hold for any weights: the token layout and shapes,
// 2-D positions equal to the 1-D table they describe, images in a batch not seeing each other,
// the checkpoint names, one-line errors, and a tiny model learning a toy task in a few steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { ViT, Projector, vitConfig, vitTokens, headsLoss } from '../../src/vision/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { LlmfsError } from '../../src/errors.js';
import { assertClose } from '../helpers/assert.js';

const small = { imageHeight: 8, imageWidth: 12, patchSize: 4, dModel: 16, nHead: 2, nLayer: 2 };

function oneLine(f: () => unknown, re: RegExp): void {
  assert.throws(
    f,
    (e: unknown) => e instanceof LlmfsError && re.test(e.message) && !e.message.includes('\n'),
  );
}

test('vit: features are (B, N+1, D) with [CLS], (B, N, D) with mean pooling; one logit row per head', () => {
  T.manualSeed(1);
  const x = T.randn([2, 3, 8, 12]); // a 2x3 grid: N = 6
  for (const [pool, T_] of [
    ['cls', 7],
    ['mean', 6],
  ] as const) {
    const vit = new ViT({ ...small, pool, heads: { shape: 3, colour: 5 } });
    const out = vit.forward(x);
    assert.deepEqual(out.features.shape, [2, T_, 16]);
    assert.deepEqual(out.pooled.shape, [2, 16]);
    assert.deepEqual(out.logits.shape.shape, [2, 3]);
    assert.deepEqual(out.logits.colour.shape, [2, 5]);
    assert.equal(vitTokens(vit.config).nTokens, T_);
  }
  // mean pooling is the mean of the patch features; [CLS] pooling is row 0
  const vit = new ViT({ ...small, pool: 'mean' });
  const f = vit.features(x);
  assertClose(vit.pool(f).data, f.mean(1).data, 0, 0);
  const cls = new ViT(small);
  const g = cls.features(x);
  assertClose(cls.pool(g).data, g.narrow(1, 0, 1).data, 0, 0);
});

test('vit: factorised 2-D positions give the same model as the 1-D table [cls; row_i + col_j]', () => {
  T.manualSeed(2);
  const twoD = new ViT({ ...small, positions: 'learned-2d' });
  const oneD = new ViT(small);
  const sd = twoD.stateDict();
  const { row, col, cls } = twoD.pos_embed;
  const table = T.cat(
    [
      cls!,
      row!
        .reshape(2, 1, 16)
        .add(col!.reshape(1, 3, 16))
        .reshape(6, 16),
    ],
    0,
  );
  const copy: Record<string, T.Tensor> = { 'pos_embed.weight': table.detach() };
  for (const [k, v] of Object.entries(sd)) if (!k.startsWith('pos_embed.')) copy[k] = v;
  oneD.loadStateDict(copy);
  const x = T.randn([2, 3, 8, 12]);
  assertClose(twoD.features(x).data, oneD.features(x).data, 1e-6, 1e-6);
  assert.deepEqual(row!.shape, [2, 16]); // Hp = 2 rows
  assert.deepEqual(col!.shape, [3, 16]); // Wp = 3 columns
});

test('vit: an image in a batch never changes another image’s features or logits', () => {
  T.manualSeed(3);
  const vit = new ViT({ ...small, heads: { n: 4 } });
  const a = T.randn([1, 3, 8, 12]);
  const b = T.randn([1, 3, 8, 12]);
  const both = vit.forward(T.cat([a, b], 0));
  const alone = vit.forward(a);
  assertClose(both.features.narrow(0, 0, 1).data, alone.features.data, 1e-5, 1e-6);
  assertClose(both.logits.n.narrow(0, 0, 1).data, alone.logits.n.data, 1e-5, 1e-6);
});

test('vit: parameter names (timm-like outside, our encoder layers inside) and the projector’s', () => {
  const names = new ViT({ ...small, nLayer: 1, heads: { shape: 3 } }).namedParameters().map(([k]) => k);
  assert.deepEqual(names, [
    'patch_embed.proj.weight',
    'patch_embed.proj.bias',
    'cls_token',
    'pos_embed.weight',
    'encoder.layers.0.self_attn.c_attn.weight',
    'encoder.layers.0.self_attn.c_attn.bias',
    'encoder.layers.0.self_attn.c_proj.weight',
    'encoder.layers.0.self_attn.c_proj.bias',
    'encoder.layers.0.mlp.c_fc.weight',
    'encoder.layers.0.mlp.c_fc.bias',
    'encoder.layers.0.mlp.c_proj.weight',
    'encoder.layers.0.mlp.c_proj.bias',
    'encoder.layers.0.norm1.weight',
    'encoder.layers.0.norm1.bias',
    'encoder.layers.0.norm2.weight',
    'encoder.layers.0.norm2.bias',
    'encoder.norm.weight',
    'encoder.norm.bias',
    'heads.shape.weight',
    'heads.shape.bias',
  ]);
  const mean2d = new ViT({ ...small, pool: 'mean', positions: 'learned-2d' })
    .namedParameters()
    .map(([k]) => k);
  assert.ok(
    !mean2d.includes('cls_token') && mean2d.includes('pos_embed.row') && !mean2d.includes('pos_embed.cls'),
  );
  const p = new Projector({ inFeatures: 16, outFeatures: 24 });
  assert.deepEqual(
    p.namedParameters().map(([k, v]) => `${k} ${v.shape.join('x')}`),
    ['linear_1.weight 24x16', 'linear_1.bias 24', 'linear_2.weight 24x24', 'linear_2.bias 24'],
  );
});

test('projector: the linear kind is x Wᵀ + b; the MLP kind is linear_2(GELU(linear_1(x)))', () => {
  T.manualSeed(4);
  const x = T.randn([2, 5, 16]);
  const lin = new Projector({ inFeatures: 16, outFeatures: 8, kind: 'linear' });
  assert.equal(lin.linear_2, null);
  assertClose(lin.forward(x).data, T.linear(x, lin.linear_1.weight, lin.linear_1.bias).data, 0, 0);
  const mlp = new Projector({ inFeatures: 16, outFeatures: 8 });
  const want = mlp.linear_2!.forward(mlp.linear_1.forward(x).gelu());
  assert.deepEqual(mlp.forward(x).shape, [2, 5, 8]);
  assertClose(mlp.forward(x).data, want.data, 0, 0);
});

test('vit: bad sizes, configs, heads and targets are one clear line each', () => {
  const vit = new ViT({ ...small, heads: { shape: 3 } });
  oneLine(
    () => vit.forward(T.zeros([1, 3, 8, 8])),
    /images must be \(B, 3, 8, 12\), got \(1,3,8,8\); resize/,
  );
  oneLine(() => vit.forward(T.zeros([3, 8, 12])), /images must be \(B, 3, 8, 12\)/);
  oneLine(() => vitConfig({ ...small, imageWidth: 13 }), /8x13 .* 4x4 patches; resize or crop/);
  oneLine(() => vitConfig({ ...small, nHead: 3 }), /dModel 16 must be divisible by nHead 3/);
  oneLine(() => vitConfig({ ...small, pool: 'max' as 'cls' }), /pool must be 'cls' or 'mean'/);
  oneLine(() => vitConfig({ ...small, heads: { shape: 0 } }), /head 'shape' must have a positive integer/);
  oneLine(() => new ViT({ ...small, heads: { training: 2 } }), /'training' is not a usable head name/);
  oneLine(() => vit.forward(T.zeros([1, 3, 8, 12]), { colour: [1] }), /no targets for head 'shape'/);
  oneLine(() => vit.heads.head('size'), /no head 'size' \(heads: shape\)/);
  oneLine(() => headsLoss({}, {}), /no classification heads/);
  oneLine(() => new Projector({ inFeatures: 4, outFeatures: 4, kind: 'conv' as 'mlp' }), /kind must be/);
  assert.equal(vitConfig({ imageSize: 16, patchSize: 4, dModel: 8, nHead: 2, nLayer: 1 }).imageWidth, 16);
});

test('vit: a tiny model learns where the bright patch is (loss falls in 30 AdamW steps)', () => {
  T.manualSeed(5);
  // 4 classes: a bright 4x4 square in one of the four patches of an 8x8 gray image, plus noise.
  const images: number[] = [];
  const labels: number[] = [];
  for (let n = 0; n < 16; n++) {
    const k = n % 4;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const inside = ((y / 4) | 0) * 2 + ((x / 4) | 0) === k;
          images.push((inside ? 1 : 0) + 0.1 * Math.sin(n * 7 + c * 3 + y * 5 + x));
        }
    labels.push(k);
  }
  const x = T.fromArray(images, [16, 3, 8, 8]);
  const vit = new ViT({ imageSize: 8, patchSize: 4, dModel: 16, nHead: 2, nLayer: 1, heads: { where: 4 } });
  const opt = new AdamW(vit.parameters(), { lr: 3e-3, weightDecay: 0 });
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    const { loss } = vit.forward(x, { where: labels });
    opt.zeroGrad();
    loss!.backward();
    opt.step();
    losses.push(loss!.item());
  }
  assert.ok(losses[29] < 0.5 * losses[0], `loss ${losses[0]} -> ${losses[29]}`);
});
