// The mixture-of-experts MLP (src/model/moe.ts, router.ts): one expert with top-1 is the dense
// MLP; top-k routing, gates, output, balancing loss and gradients equal PyTorch's
// (scripts/make-moe-fixture.py) and finite differences; capacity drops tokens as specified and
// counts them; a MoE GPT trains, saves, reloads, generates and evaluates; bad settings get one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import {
  GPT,
  MLP,
  MixtureOfExperts,
  gptConfig,
  gptParameterShapes,
  routeTopK,
  expertCapacity,
  moeSummary,
  type MoeOptions,
} from '../../src/model/index.js';
import { Parameter } from '../../src/nn/parameter.js';
import { LlmfsError } from '../../src/errors.js';
import { runTrainJob } from '../../src/cli/train-job.js';
import { trainFromArgs } from '../../src/cli/train.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { configToJson, loadModel, saveModel } from '../../src/io/model-checkpoint.js';
import { generate } from '../../src/generate/generate.js';
import { evaluateText, gptLogits } from '../../src/eval/perplexity.js';
import { quickConfig } from '../helpers/train-config.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

interface P {
  shape: number[];
  values: number[];
}
interface GoldenCase {
  options: MoeOptions & { capacityFactor: number };
  capacity: number | null;
  params: Record<string, P>;
  x: P;
  logits: number[];
  experts: number[];
  gates: number[];
  kept: number[];
  y: number[];
  aux: number;
  upstream: number[];
  xGrad: number[];
  grads: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/moe-golden.json', import.meta.url), 'utf8')) as {
  cases: Record<string, GoldenCase>;
};
const RTOL = 1e-4;
const ATOL = 1e-5;

test('one expert, top-1: the mixture equals the dense MLP with the same weights (output and gradients)', () => {
  T.manualSeed(11);
  const mlp = new MLP({ nEmbd: 8, hidden: 16 });
  const moe = new MixtureOfExperts({ nEmbd: 8, hidden: 16, experts: 1, topK: 1 });
  const sd: Record<string, T.Tensor> = { 'router.weight': moe.router.weight.detach() };
  for (const [k, v] of Object.entries(mlp.stateDict())) sd[`experts.0.${k}`] = v;
  moe.loadStateDict(sd);
  const x = T.randn([2, 5, 8]);
  const up = T.randn([2, 5, 8]);
  mlp.forward(x).mul(up).sum().backward();
  const y = moe.forward(x);
  y.mul(up).sum().backward();
  assert.deepEqual([...y.data], [...mlp.forward(x).data], 'outputs equal exactly');
  const expert = new Map(moe.experts.at(0).namedParameters());
  for (const [k, p] of mlp.namedParameters())
    // Equal up to float32 summation order: the expert sums over (N, C) rows, the MLP over (B, T, C).
    assertClose(expert.get(k)!.grad!.data, p.grad!.data, 1e-6, 1e-7, `grad ${k}`);
  // One expert takes every choice and all the probability: E·f·P = 1, so the loss is α.
  assertClose([moe.auxLoss!.item()], [0.01], 1e-6, 0, 'aux loss (float32)');
  assert.deepEqual(moe.stats!.routed, [10]);
});

test("one expert, top-1: a MoE GPT has the dense GPT's logits; training adds exactly α to the loss", () => {
  const base = { vocabSize: 30, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
  T.manualSeed(3);
  const dense = new GPT(base);
  const moe = new GPT({ ...base, moeExperts: 1, moeTopK: 1, moeAuxLossWeight: 0.25 });
  const sd: Record<string, T.Tensor> = {};
  for (const [k, v] of Object.entries(dense.stateDict())) sd[k.replace('.mlp.', '.mlp.experts.0.')] = v;
  for (const [k, v] of Object.entries(moe.stateDict())) if (k.endsWith('router.weight')) sd[k] = v;
  moe.loadStateDict(sd);
  const idx = T.tensor([
    [1, 2, 3, 4, 5, 6],
    [7, 8, 9, 10, 11, 12],
  ]);
  const targets = T.tensor([
    [2, 3, 4, 5, 6, 7],
    [8, 9, 10, 11, 12, 13],
  ]);
  const d = dense.forward(idx, { targets });
  const m = moe.forward(idx, { targets });
  assert.deepEqual([...m.logits.data], [...d.logits.data]);
  assert.equal(d.auxLoss, undefined);
  assert.equal(m.auxLoss!.item(), 0.25);
  assertClose([m.loss!.item()], [d.loss!.item() + 0.25], 1e-6, 1e-6, 'training loss = CE + aux');
  moe.eval();
  assert.equal(moe.forward(idx, { targets }).loss!.item(), d.loss!.item(), 'evaluation: the plain CE');
});

/** The golden case's MoE, its parameters loaded (float32). */
function goldenMoe(c: GoldenCase): MixtureOfExperts {
  const moe = new MixtureOfExperts({ ...c.options, activation: 'gelu_tanh' });
  const sd: Record<string, T.Tensor> = {};
  for (const [k, p] of Object.entries(c.params)) sd[k] = T.fromArray(p.values, p.shape);
  moe.loadStateDict(sd);
  return moe;
}

for (const name of ['top2', 'capacity', 'top1']) {
  test(`torch golden (${name}): router logits, chosen experts, gates, output, aux loss, every gradient`, () => {
    const c = golden.cases[name];
    const moe = goldenMoe(c);
    const x = T.fromArray(c.x.values, c.x.shape, { requiresGrad: true });
    const C = c.options.nEmbd;
    const logits = moe.router.forward(x.reshape(x.size / C, C));
    assertClose(logits.data, c.logits, RTOL, ATOL, 'router logits');
    const r = routeTopK(logits, c.options.topK);
    assert.deepEqual([...r.experts], c.experts, 'chosen experts');
    assertClose(r.gates.data, c.gates, RTOL, ATOL, 'gates');
    const y = moe.forward(x); // training mode: the capacity factor applies
    assertClose(y.data, c.y, RTOL, ATOL, 'output');
    const aux = moe.auxLoss!;
    assertClose([aux.item()], [c.aux], RTOL, ATOL, 'aux loss');
    y.mul(T.fromArray(c.upstream, y.shape)).sum().add(aux).backward();
    assertClose(x.grad!.data, c.xGrad, RTOL, ATOL, 'input gradient');
    const named = new Map(moe.namedParameters());
    assert.equal(named.size, Object.keys(c.grads).length);
    for (const [k, g] of Object.entries(c.grads)) {
      // An expert no token reached has no gradient; torch's is all zeros.
      assertClose(named.get(k)!.grad?.data ?? new Float32Array(g.length), g, RTOL, ATOL, `grad ${k}`);
    }
    // The choices torch dropped, counted per expert and as whole tokens.
    const E = c.options.experts;
    const k = c.options.topK;
    const dropped = new Array<number>(E).fill(0);
    c.kept.forEach((kept, a) => (dropped[c.experts[a]] += 1 - kept));
    assert.deepEqual(moe.stats!.dropped, dropped, 'dropped per expert');
    const N = c.kept.length / k;
    let lost = 0;
    for (let n = 0; n < N; n++) if (c.kept.slice(n * k, n * k + k).every((v) => v === 0)) lost++;
    assert.equal(moe.stats!.droppedTokens, lost);
    if (c.capacity !== null) {
      assert.equal(moe.stats!.capacity, c.capacity);
      assert.ok(
        dropped.some((v) => v > 0),
        'the capacity case drops choices',
      );
    }
  });
}

/** A float64 MoE (C 4, H 6, E 3, top-2): every parameter a leaf for gradcheck. */
function moe64(capacityFactor = 0): MixtureOfExperts {
  const moe = new MixtureOfExperts({
    nEmbd: 4,
    hidden: 6,
    experts: 3,
    topK: 2,
    capacityFactor,
    auxLossWeight: 0.3,
  });
  let seed = 100;
  for (const e of [0, 1, 2]) {
    const ex = moe.experts.at(e);
    ex.c_fc.weight = new Parameter(leaf([6, 4], seed++, 0.7));
    ex.c_fc.bias = new Parameter(leaf([6], seed++, 0.1));
    ex.c_proj.weight = new Parameter(leaf([4, 6], seed++, 0.7));
    ex.c_proj.bias = new Parameter(leaf([4], seed++, 0.1));
  }
  moe.router.weight = new Parameter(leaf([3, 4], seed++, 1.5));
  return moe;
}

test('finite differences: the output and the balancing loss, through router and experts (float64)', () => {
  for (const factor of [0, 0.7]) {
    const moe = moe64(factor);
    const x = leaf([2, 3, 4], 7);
    const params = moe.parameters();
    assertGrad((xx) => moe.forward(xx), [x, ...params]);
    // The balancing loss: through P (the router's softmax), never through the counts f.
    assertGrad(
      (xx) => {
        moe.forward(xx);
        return moe.auxLoss!;
      },
      [x, moe.router.weight],
    );
    if (factor > 0)
      assert.ok(
        moe.stats!.dropped.some((v) => v > 0),
        'capacity 0.7 drops some choices',
      );
  }
});

test("capacity: choices beyond an expert's capacity are dropped in token order, output 0, and counted", () => {
  // Two experts, top-1, a router that sends every token to expert 0.
  const moe = new MixtureOfExperts({ nEmbd: 3, hidden: 5, experts: 2, topK: 1, capacityFactor: 1 });
  T.noGrad(() => {
    moe.router.weight.data.set([1, 0, 0, -1, 0, 0]);
  });
  const x = T.fromArray([1, 0.5, -1, 2, 0, 1, 1.5, -2, 0.3, 3, 1, 1, 0.5, 0.5, 0.5, 2.5, -1, 0], [1, 6, 3]); // every x[0] > 0: expert 0
  assert.equal(expertCapacity(6, 1, 2, 1), 3);
  const y = moe.forward(x);
  const alone = moe.experts.at(0).forward(x.narrow(1, 0, 3)); // gate 1 for top-1
  assertClose(y.narrow(1, 0, 3).data, alone.data, 1e-6, 1e-7, 'the first three tokens are served');
  assert.deepEqual([...y.narrow(1, 3, 3).data], new Array(9).fill(0), 'the last three pass zero');
  assert.deepEqual(moe.stats!.routed, [6, 0]);
  assert.deepEqual(moe.stats!.dropped, [3, 0]);
  assert.equal(moe.stats!.droppedTokens, 3);
  // Balancing loss by hand: logits (x₀, -x₀), so P₀ = mean σ(2x₀); f = (1, 0); α E f₀ P₀ = 0.02 P₀.
  let p0 = 0;
  for (let n = 0; n < 6; n++) p0 += 1 / (1 + Math.exp(-2 * x.data[n * 3])) / 6;
  assertClose([moe.stats!.auxLoss], [0.02 * p0], 1e-6, 1e-7, 'aux loss');
  const summary = moeSummary([moe.stats]);
  assert.deepEqual(summary, { load: [1, 0], aux: Number((0.02 * p0).toPrecision(4)), dropped: 0.5 });
  // Evaluation and generation serve every token: nothing depends on the other tokens of the batch.
  moe.eval();
  const yEval = moe.forward(x);
  assert.deepEqual(moe.stats!.dropped, [0, 0]);
  assertClose(yEval.narrow(1, 3, 3).data, moe.experts.at(0).forward(x.narrow(1, 3, 3)).data, 1e-6, 1e-7);
  // Top-2 with capacity: a token keeps a choice while the other is dropped.
  assert.equal(expertCapacity(10, 2, 4, 1.25), 7);
});

test('a MoE GPT: parameter shapes from the config, causality, KV-cached generation equals uncached', () => {
  const c = { vocabSize: 40, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16, moeExperts: 4, moeTopK: 2 };
  T.manualSeed(5);
  const model = new GPT(c);
  const built = model
    .namedParameters()
    .map(([n, p]) => ({ name: n, shape: [...p.shape], noDecay: p.noDecay }));
  assert.deepEqual(gptParameterShapes(c), built);
  assert.ok(built.some((p) => p.name === 'h.1.mlp.experts.3.c_proj.weight'));
  model.eval();
  const a = model.forward(T.tensor([[1, 2, 3, 4, 5, 6]])).logits;
  const b = model.forward(T.tensor([[1, 2, 3, 30, 31, 32]])).logits;
  assertClose(a.narrow(1, 0, 3).data, b.narrow(1, 0, 3).data, 0, 0, 'logits before the change');
  const prompt = [3, 1, 4];
  const cached = generate(model, prompt, { maxNewTokens: 8, keepLogits: true });
  const plain = [...prompt];
  for (let i = 0; i < 8; i++) {
    const logits = model.forward(T.tensor([plain])).logits;
    const V = c.vocabSize;
    const last = logits.data.subarray((plain.length - 1) * V, plain.length * V);
    assertClose(cached.logits![i], last, 1e-4, 1e-5, `step ${i} logits`);
    plain.push(cached.ids[i]);
  }
});

test('bad settings: one clear line each, naming the field or flag', () => {
  const base = { vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
  const bad = (extra: object, re: RegExp) =>
    assert.throws(
      () => gptConfig({ ...base, ...extra }),
      (e: unknown) => e instanceof LlmfsError && re.test(e.message) && !e.message.includes('\n'),
    );
  bad({ moeExperts: 2, moeTopK: 3 }, /moeTopK 3 is larger than the number of experts moeExperts 2/);
  bad({ moeExperts: -1 }, /moeExperts must be an integer >= 0/);
  bad({ moeExperts: 1.5 }, /moeExperts must be an integer >= 0/);
  bad({ moeExperts: 4, moeTopK: 0 }, /moeTopK must be a positive integer/);
  bad({ moeExperts: 4, moeCapacityFactor: -1 }, /moeCapacityFactor must be >= 0/);
  bad({ moeExperts: 4, moeAuxLossWeight: Number.NaN }, /moeAuxLossWeight must be >= 0/);
  assert.equal(gptConfig(base).moeExperts, 0, 'dense by default');
});

test("config.json: a dense model's file has no MoE fields; a MoE file with k > E is refused in one line", () => {
  const base = { vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 };
  assert.ok(!Object.keys(configToJson(gptConfig(base))).some((k) => k.startsWith('moe')));
  const dir = join(mkdtempSync(join(tmpdir(), 'llmfs-moe-')), 'ckpt');
  saveModel(dir, new GPT({ ...base, moeExperts: 3, moeTopK: 1 }));
  assert.equal(loadModel(dir).model.config.moeTopK, 1);
  const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...raw, moeTopK: 4 }));
  assert.throws(
    () => loadModel(dir),
    (e: unknown) =>
      e instanceof LlmfsError &&
      /config\.json: GPT config: moeTopK 4 is larger than the number of experts moeExperts 3$/.test(
        e.message,
      ),
  );
});

test('llmfs train --moe-experts 2 --moe-top-k 3: refused in one line before anything is written', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'llmfs-moe-')), 'run');
  await assert.rejects(
    trainFromArgs(['--preset', 'tiny', '--moe-experts', '2', '--moe-top-k', '3', '--out', out, '--quiet'], {
      write: () => {},
    }),
    (e: unknown) => e instanceof LlmfsError && /is larger than the number of experts/.test(e.message),
  );
});

test('a tiny MoE GPT trains (loss falls, utilisation logged), and its checkpoint reloads, generates and evaluates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-moe-'));
  const data = join(dir, 'text.txt');
  const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(30);
  writeFileSync(data, text);
  const r = await runTrainJob({
    data,
    preset: 'tiny',
    tokenizer: 'char',
    modelOverrides: { blockSize: 16, nEmbd: 32, moeExperts: 4, moeTopK: 2, moeCapacityFactor: 1.5 },
    valFraction: 0.1,
    out: join(dir, 'run'),
    resume: false,
    cacheDir: null,
    train: { ...quickConfig, steps: 40, warmupSteps: 4, evalInterval: 20, evalBatches: 2, batchSize: 8 },
  });
  const first = r.losses.slice(0, 5).reduce((a, b) => a + b) / 5;
  const last = r.losses.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(last < first - 0.5, `loss fell from ${first} to ${last}`);
  const steps = readFileSync(join(dir, 'run', 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { loss?: number; moe?: { load: number[]; aux: number; dropped: number } })
    .filter((rec) => rec.loss !== undefined);
  assert.equal(steps.length, 40);
  for (const s of steps) {
    assert.equal(s.moe!.load.length, 4);
    assertClose([s.moe!.load.reduce((a, b) => a + b)], [1], 0, 0.005, 'shares sum to 1');
    assert.ok(s.moe!.aux >= 0.01 * 0.999, 'the balancing loss is at least α');
    assert.ok(s.moe!.dropped >= 0 && s.moe!.dropped < 1);
  }
  // The checkpoint says it is a MoE and every command's loader rebuilds one.
  const cfg = JSON.parse(readFileSync(join(r.checkpoint, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(cfg.moeExperts, 4);
  assert.equal(cfg.moeCapacityFactor, 1.5);
  const pre = loadPretrained(r.checkpoint);
  assert.equal(pre.model.config.moeExperts, 4);
  assert.equal(pre.model.moeLayers().length, 2);
  const reloaded = new Map(pre.model.namedParameters());
  for (const [k, p] of r.model.namedParameters())
    assert.deepEqual([...reloaded.get(k)!.data], [...p.data], `reloaded ${k}`);
  pre.model.eval();
  const prompt = pre.tokenizer!.encode('the c');
  const g = generate(pre.model, prompt, { maxNewTokens: 10 });
  assert.equal(g.ids.length, 10);
  const e = evaluateText(gptLogits(pre.model), pre.tokenizer!, text.slice(0, 200));
  assert.ok(Number.isFinite(e.loss) && e.loss < Math.log(pre.tokenizer!.vocabSize), `eval loss ${e.loss}`);
});
