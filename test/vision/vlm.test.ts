// The two vision-language models' properties: the cross kind sees the image only through
// cross-attention; neither lets a later token change an earlier logit; decoding with the KV cache
// gives what decoding without it gives (greedy and beam); attention to patches is a distribution
// per text position; a tiny model learns to caption 1-object scenes; training is seeded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { generate } from '../../src/generate/generate.js';
import { beamSearch } from '../../src/generate/beam-search.js';
import { imageToTensor, sceneExample, WordTokenizer } from '../../src/vision/index.js';
import {
  createVlm,
  CrossVlm,
  promptIds,
  trainVlm,
  vlmGenerate,
  type VisionLanguageModel,
  type VlmConfigInput,
  type VlmKind,
} from '../../src/vision/vlm/index.js';
import { LlmfsError } from '../../src/errors.js';
import { assertClose } from '../helpers/assert.js';

const tok = new WordTokenizer();
const KINDS: VlmKind[] = ['prefix', 'cross'];
const SCENES = { size: 24, maxObjects: 1 };

function tiny(kind: VlmKind, extra: Partial<VlmConfigInput> = {}, seed = 1): VisionLanguageModel {
  const vit = { imageSize: 24, patchSize: 8, dModel: 16, nHead: 2, nLayer: 1, ...extra.vit };
  const c = { kind, vocabSize: tok.vocabSize, nEmbd: 16, nHead: 2, nLayer: 2, maxText: 24, ...extra, vit };
  return createVlm(c, seed);
}

function image(split: 'test' | 'train', i: number): T.Tensor {
  return imageToTensor(sceneExample(split, i, SCENES).image); // (3, 24, 24)
}

function logitsOf(m: VisionLanguageModel, img: T.Tensor, ids: number[]): Float32Array {
  m.eval();
  return T.noGrad(() => m.forward(img.reshape(1, 3, 24, 24), T.tensor([ids])).logits.data as Float32Array);
}

test('cross vlm: another image changes the logits, and with cross-attention zeroed it changes nothing', () => {
  const m = tiny('cross') as CrossVlm;
  const ids = [tok.bosId, ...tok.encode('a small red')];
  const a = logitsOf(m, image('test', 0), ids);
  const b = logitsOf(m, image('test', 1), ids);
  assert.ok(
    a.some((v, i) => Math.abs(v - b[i]) > 1e-4),
    'the image must matter',
  );
  T.noGrad(() => {
    for (const layer of m.decoder.layers) {
      layer.cross_attn.c_proj.weight.data.fill(0);
      layer.cross_attn.c_proj.bias!.data.fill(0);
    }
  });
  assertClose(logitsOf(m, image('test', 0), ids), logitsOf(m, image('test', 1), ids), 0, 0, 'logits');
});

for (const kind of KINDS) {
  test(`${kind} vlm: tokens after position t do not change the logits at t`, () => {
    const m = tiny(kind);
    const img = image('test', 2);
    const V = tok.vocabSize;
    const a = logitsOf(m, img, [tok.bosId, ...tok.encode('a large blue circle')]);
    const b = logitsOf(m, img, [tok.bosId, ...tok.encode('a large red square')]);
    assertClose(a.subarray(0, 3 * V), b.subarray(0, 3 * V), 1e-6, 1e-6, 'first three positions');
    assert.ok(
      a.subarray(3 * V).some((v, i) => Math.abs(v - b[3 * V + i]) > 1e-4),
      'later positions differ',
    );
  });

  test(`${kind} vlm: generation with the KV cache equals generation without it (greedy logits, beam ids)`, () => {
    const m = tiny(kind);
    const img = image('test', 3);
    const prompt = promptIds(tok, 'what colour is the circle?');
    const cached = generate(m.lm(img), prompt, { maxNewTokens: 8, keepLogits: true });
    const plain = generate(m.lm(img), prompt, { maxNewTokens: 8, keepLogits: true, useCache: false });
    assert.deepEqual(cached.ids, plain.ids);
    assert.equal(cached.logits!.length, 8);
    cached.logits!.forEach((l, i) => assertClose(l, plain.logits![i], 1e-4, 1e-5, `step ${i} logits`));
    const beamC = beamSearch(m.lm(img), prompt, { beams: 3, maxNewTokens: 6, numReturnSequences: 3 });
    const beamP = beamSearch(m.lm(img), prompt, {
      beams: 3,
      maxNewTokens: 6,
      numReturnSequences: 3,
      useCache: false,
    });
    assert.deepEqual(
      beamC.map((h) => h.ids),
      beamP.map((h) => h.ids),
    );
    beamC.forEach((h, i) => assert.ok(Math.abs(h.logprob - beamP[i].logprob) < 1e-4));
    // vlmGenerate goes through the same loops
    assert.deepEqual(m.generate(img, prompt, { maxNewTokens: 8 }), cached.ids);
    assert.deepEqual(
      vlmGenerate(m, img, prompt, { strategy: 'beam', beams: 3, maxNewTokens: 6 }),
      beamC[0].ids,
    );
  });

  for (const pool of ['mean', 'cls'] as const) {
    test(`${kind} vlm (${pool} pooling): attentionToPatches is (T, N) and every row sums to 1`, () => {
      const m = tiny(kind, { vit: { pool } });
      const ids = [tok.bosId, ...tok.encode('a small green cross on the left')];
      const N = 9; // 24x24 in 8x8 patches; a [CLS] token is left out
      for (const layer of [undefined, 0, 1]) {
        const a = m.attentionToPatches(image('test', 4), ids, { layer });
        assert.deepEqual(a.shape, [ids.length, N]);
        for (let t = 0; t < ids.length; t++) {
          const row = Array.from(a.data.subarray(t * N, (t + 1) * N));
          assert.ok(row.every((v) => v >= 0));
          assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5, `row ${t} of layer ${layer}`);
        }
      }
      // the layers differ, and the mean is their mean
      const l0 = m.attentionToPatches(image('test', 4), ids, { layer: 0 }).data;
      const l1 = m.attentionToPatches(image('test', 4), ids, { layer: 1 }).data;
      const mean = m.attentionToPatches(image('test', 4), ids).data;
      assertClose(
        mean,
        l0.map((v, i) => (v + l1[i]) / 2),
        1e-5,
        1e-6,
        'mean over layers',
      );
      assert.throws(() => m.attentionToPatches(image('test', 4), ids, { layer: 2 }), LlmfsError);
    });
  }

  test(`${kind} vlm: a tiny model's caption loss on 1-object scenes falls well below its start`, () => {
    const m = tiny(kind);
    const r = trainVlm(m, tok, { task: 'caption', steps: 40, batchSize: 8, lr: 1e-2, scenes: SCENES });
    const first = r.losses.slice(0, 3).reduce((s, x) => s + x) / 3;
    const last = r.losses.slice(-5).reduce((s, x) => s + x) / 5;
    assert.ok(last < 0.6 * first, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  });
}

test('vlm training is deterministic by seed: the same seeds give the same losses, another seed others', () => {
  const run = (dataSeed: number) =>
    trainVlm(tiny('prefix', {}, 7), tok, {
      task: 'vqa',
      steps: 3,
      batchSize: 4,
      seed: dataSeed,
      scenes: SCENES,
    }).losses;
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});

test('vlm: an image of the wrong size, a prompt longer than the text window: one clear line each', () => {
  const m = tiny('prefix');
  assert.throws(
    () => m.lm(T.zeros([3, 32, 32])),
    /the image must be \(3, 24, 24\), got \(3,32,32\); resize it/,
  );
  const long = new Array<number>(30).fill(tok.bosId);
  assert.throws(() => vlmGenerate(m, image('test', 0), long), /leaves no room in the text window of 24/);
  assert.throws(
    () => trainVlm(m, tok, { task: 'caption', steps: 1, scenes: { size: 48 } }),
    /scenes of 48x48 do not fit the model's 24x24 images/,
  );
});
