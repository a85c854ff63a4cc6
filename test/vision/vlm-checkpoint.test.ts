// VLM checkpoints (io/vlm-checkpoint.ts): both kinds save and load to the same logits and the same
// generated words, the tokenizer comes back word for word, and damaged or mismatched checkpoints
// (a classifier, a tokenizer of another size, a missing part, weights of another shape, a NaN)
// are one line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmfsError } from '../../src/errors.js';
import { noGrad } from '../../src/tensor/autograd.js';
import { tensor } from '../../src/tensor/creation.js';
import { imageToTensor } from '../../src/vision/to-tensor.js';
import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { WordTokenizer } from '../../src/vision/text/word-tokenizer.js';
import { createVlm, promptIds, type VisionLanguageModel } from '../../src/vision/vlm/index.js';
import { ViT } from '../../src/vision/model/vit.js';
import { loadClassifier, saveVisionCheckpoint } from '../../src/io/vision-checkpoint.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import { classifierConfig, sceneVocabularies } from '../../src/vision/train/index.js';
import { loadVlm, saveVlmCheckpoint } from '../../src/io/vlm-checkpoint.js';
import { CONFIG_FILE } from '../../src/io/checkpoint-dir.js';
import type { CrossVlm } from '../../src/vision/vlm/cross.js';

const TMP = mkdtempSync(join(tmpdir(), 'llmfs-vlm-ckpt-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

const tok = new WordTokenizer();
const image = {
  size: 48,
  mean: [0.5, 0.5, 0.5] as [number, number, number],
  std: [0.5, 0.5, 0.5] as [number, number, number],
};
const tiny = { dModel: 16, nHead: 2, nLayer: 1 };

function model(
  kind: 'prefix' | 'cross',
  projector: 'linear' | 'mlp' = 'linear',
  seed = 3,
): VisionLanguageModel {
  return createVlm(
    { kind, projector, vocabSize: tok.vocabSize, nEmbd: 16, nHead: 2, nLayer: 1, maxText: 20, vit: tiny },
    seed,
  );
}

function save(name: string, m: VisionLanguageModel): string {
  const dir = join(TMP, name);
  saveVlmCheckpoint(dir, m, tok, {
    image,
    scenes: { minObjects: 1, maxObjects: 3 },
    training: { task: 'caption' },
  });
  return dir;
}

const x = imageToTensor(sceneExample('test', 0).image); // (3, 48, 48)
const ids = tensor([[tok.bosId, ...tok.encode('a small red circle at the top')]]);

function logits(m: VisionLanguageModel): number[] {
  return Array.from(noGrad(() => m.forward(x.reshape(1, 3, 48, 48), ids).logits.data));
}

function oneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LlmfsError, String(e));
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

for (const [kind, projector] of [
  ['prefix', 'linear'],
  ['prefix', 'mlp'],
  ['cross', 'linear'],
] as const)
  test(`vlm checkpoint (${kind}, ${projector}): the loaded model gives the same logits and words`, () => {
    const m = model(kind, projector);
    const dir = save(`${kind}-${projector}`, m);
    const back = loadVlm(dir);
    assert.equal(back.model.config.kind, kind);
    assert.equal(back.model.config.projector, projector);
    assert.deepEqual(back.tokenizer.words, tok.words);
    assert.deepEqual(back.image, image);
    assert.deepEqual(back.scenes, { minObjects: 1, maxObjects: 3 });
    assert.equal(back.training.task, 'caption');
    const want = logits(m);
    assert.notDeepEqual(logits(model(kind, projector, 4)), want); // another seed differs: the check can fail
    assert.deepEqual(logits(back.model), want);
    const gen = (v: VisionLanguageModel) =>
      v.generate(x, promptIds(tok), { eosId: tok.eosId, maxNewTokens: 8 });
    assert.deepEqual(gen(back.model), gen(m));
    // every part's config is in config.json; the decoder's weights are under "decoder."
    const cfg = JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(
      Object.keys(cfg.parts),
      kind === 'prefix' ? ['vit', 'projector', 'decoder'] : ['vit', 'decoder'],
    );
    assert.equal(cfg.model_type, `llmfs-vlm-${kind}`);
  });

/** A saved checkpoint's config.json edited by `edit`, in a new directory. */
function edited(name: string, edit: (c: Record<string, any>) => void): string {
  const dir = save(name, model('prefix'));
  const path = join(dir, CONFIG_FILE);
  const c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(c);
  writeFileSync(path, JSON.stringify(c));
  return dir;
}

test('vlm checkpoint: a classifier, a wrong tokenizer, a missing part and mismatched weights are one line', () => {
  const cls = join(TMP, 'classifier');
  const vit = new ViT({ imageSize: 48, patchSize: 16, ...tiny, heads: { shape: 3 } });
  saveVisionCheckpoint(cls, {
    kind: 'classify',
    parts: { vit: { config: vit.config, module: vit } },
    image,
    labels: { shape: ['a', 'b', 'c'] },
  });
  oneLine(
    () => loadVlm(cls, 'caption'),
    /^caption: .* holds a classify model \(llmfs-vit\), not a vision-language model/,
  );
  oneLine(
    () => loadVlm(edited('short-tok', (c) => c.tokenizer.words.pop())),
    /the tokenizer has 55 words but the decoder 56/,
  );
  oneLine(() => loadVlm(edited('no-tok', (c) => delete c.tokenizer)), /"tokenizer" must be/);
  oneLine(
    () => loadVlm(edited('no-projector', (c) => delete c.parts.projector)),
    /tensor 'projector.linear_1.bias' belongs to no part of the model \(parts: vit, decoder\)/,
  );
  oneLine(
    () => loadVlm(edited('wide', (c) => (c.parts.decoder.nEmbd = 32))),
    /part 'projector' does not match config.json/,
  );
  oneLine(
    () => loadVlm(edited('bad-proj', (c) => (c.parts.projector.kind = 'conv'))),
    /projector.kind" must be 'linear' or 'mlp'/,
  );
  oneLine(
    () => loadVlm(edited('bad-size', (c) => (c.image.size = 32))),
    /the ViT takes 48x48 images but "image" says 32/,
  );
  const damaged = model('cross') as CrossVlm;
  damaged.lm_head.weight.data[5] = Number.NaN;
  oneLine(() => loadVlm(save('nan', damaged)), /part 'decoder'.*'lm_head.weight' holds NaN/);
});

test("loading a checkpoint leaves the global generator where the user's seed put it", () => {
  const vlmDir = save('rng-vlm', model('cross'));
  const clsDir = savedClassifier();
  const draws = (load: () => unknown): number[] => {
    manualSeed(123);
    randn([2]); // a run already under way
    load();
    return Array.from(randn([4]).data);
  };
  const want = draws(() => {});
  assert.deepEqual(
    draws(() => loadVlm(vlmDir)),
    want,
  ); // building the model used to re-seed it to 0
  assert.deepEqual(
    draws(() => loadClassifier(clsDir)),
    want,
  ); // and used to draw from it
});

function savedClassifier(): string {
  const vocab = sceneVocabularies(1, 3);
  const config = classifierConfig(vocab, { imageSize: 48, patchSize: 16, dModel: 8, nHead: 2, nLayer: 1 });
  const dir = join(TMP, 'rng-classifier');
  saveVisionCheckpoint(dir, {
    kind: 'classify',
    parts: { vit: { config, module: new ViT(config) } },
    image,
    labels: vocab,
    scenes: { minObjects: 1, maxObjects: 3 },
    training: {},
  });
  return dir;
}
