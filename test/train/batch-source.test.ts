// Batch sources: train() driven by any iterable of { x, y, mask? } batches. The mask really
// changes the loss (a masked mean checked against a hand computation and by finite
// differences), a finite source ends the run, and a resumable source resumes exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { crossEntropy } from '../../src/tensor/ops/loss.js';
import { GPT } from '../../src/model/index.js';
import { train, batchLoss, maskedTargets, type Batch, type TrainingState } from '../../src/train/index.js';
import type { OptimizerState } from '../../src/train/optimizer.js';
import { LlmfsError } from '../../src/errors.js';
import { assertClose, assertGrad, leaf } from '../helpers/assert.js';

const cfg = { vocabSize: 11, blockSize: 6, nLayer: 1, nHead: 2, nEmbd: 8 };

function batch(seed: number, mask?: number[][]): Batch {
  const rng = new T.Rng(seed);
  const x = T.randint(0, 11, [2, 6], { rng });
  const y = T.randint(0, 11, [2, 6], { rng });
  return { x, y, mask: mask ? T.tensor(mask) : undefined };
}

const MASK = [
  [0, 0, 1, 1, 1, 0],
  [0, 1, 1, 1, 1, 1],
]; // e.g. a prompt (0) then an answer (1)

test('mask: the loss is the mean cross-entropy over the kept positions, as computed by hand', () => {
  T.manualSeed(1);
  const model = new GPT(cfg);
  const b = batch(2, MASK);
  const logits = model.forward(b.x).logits; // (B, T, V)
  let sum = 0;
  let kept = 0;
  for (let r = 0; r < 12; r++) {
    if (b.mask!.data[r] === 0) continue;
    const row = Array.from(logits.data.subarray(r * 11, r * 11 + 11));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    sum += lse - row[b.y.data[r]];
    kept++;
  }
  assertClose([batchLoss(model, b).item()], [sum / kept], 1e-5, 1e-6, 'masked loss');
  // An all-ones mask is the plain next-token loss; a mask really changes it.
  const plain = model.forward(b.x, { targets: b.y }).loss!.item();
  assert.equal(batchLoss(model, { ...b, mask: T.ones([2, 6]) }).item(), plain);
  assert.equal(batchLoss(model, { x: b.x, y: b.y }).item(), plain);
  assert.notEqual(batchLoss(model, b).item(), plain);
});

test('mask: gradients match finite differences and masked positions contribute none', () => {
  const b = batch(3, MASK);
  const targets = maskedTargets(b);
  const logits = leaf([12, 11], 4);
  assertGrad((l) => crossEntropy(l, targets), [logits]);
  crossEntropy(logits, targets).backward();
  for (let r = 0; r < 12; r++) {
    const g = logits.grad!.data.subarray(r * 11, r * 11 + 11);
    if (b.mask!.data[r] === 0)
      assert.ok(
        g.every((v) => v === 0),
        `row ${r} is masked but has a gradient`,
      );
    else
      assert.ok(
        g.some((v) => v !== 0),
        `row ${r} is kept but has no gradient`,
      );
  }
  // Whatever a masked position's target is, the model's gradients are the same.
  T.manualSeed(5);
  const model = new GPT(cfg);
  const grads = (bb: Batch) => {
    model.zeroGrad();
    batchLoss(model, bb).backward();
    return model.parameters().map((p) => Array.from(p.grad!.data));
  };
  const other = b.y.data.slice();
  for (let r = 0; r < 12; r++) if (b.mask!.data[r] === 0) other[r] = (other[r] + 3) % 11;
  assert.deepEqual(grads({ ...b, y: new T.Tensor(other, [2, 6]) }), grads(b));
});

test('mask: bad masks are one clear error', () => {
  const b = batch(6);
  const shapeError = /mask must have the targets' shape \(2,6\), got \(2,5\)/;
  assert.throws(() => maskedTargets({ ...b, mask: T.ones([2, 5]) }), shapeError);
  assert.throws(
    () => maskedTargets({ ...b, mask: T.full([2, 6], 0.5) }),
    /mask values must be 0 or 1, got 0.5/,
  );
  const empty = (e: Error) => e instanceof LlmfsError && /0 everywhere/.test(e.message);
  assert.throws(() => maskedTargets({ ...b, mask: T.zeros([2, 6]) }), empty);
});

const quick = { steps: 6, batchSize: 2, lr: 1e-2, warmupSteps: 0, evalInterval: 3, evalBatches: 1, seed: 1 };

test('train() from a batch source: an all-ones mask trains as no mask; a finite source ends the run', () => {
  const run = (mask: boolean, n = 6) => {
    T.manualSeed(7);
    const model = new GPT(cfg);
    const batches = Array.from({ length: n }, (_, i) => {
      const b = batch(100 + i);
      return mask ? { ...b, mask: T.ones([2, 6]) } : b;
    });
    const losses: number[] = [];
    const evals: number[] = [];
    const r = train(model, { batches, val: [batch(99)] }, quick, {
      onStep: (s) => losses.push(s.loss),
      onEval: (e) => evals.push(e.step),
    });
    return { r, losses, evals };
  };
  const a = run(false);
  const b = run(true);
  assert.deepEqual(b.losses, a.losses);
  assert.equal(a.losses.length, 6);
  assert.ok(Number.isFinite(a.r.valLoss));
  // 4 batches for 6 steps: the run stops after the 4th, with a final evaluation there.
  const c = run(false, 4);
  assert.equal(c.r.steps, 4);
  assert.deepEqual(c.evals, [3, 4]);
  assert.deepEqual(c.losses, a.losses.slice(0, 4));
});

test('train() from a resumable source: a resumed run continues with the same batches and losses', () => {
  class Source implements Iterable<Batch> {
    i = 0;
    *[Symbol.iterator](): Iterator<Batch> {
      for (;;) yield batch(200 + this.i++, MASK);
    }
    getState(): unknown {
      return { i: this.i };
    }
    setState(s: unknown): void {
      this.i = (s as { i: number }).i;
    }
  }
  const run = (steps: number, resume?: { state: TrainingState; optimizer: OptimizerState }) => {
    const model = new GPT(cfg);
    if (resume) model.loadStateDict(saved!.weights);
    const losses: number[] = [];
    train(
      model,
      { batches: new Source() },
      { ...quick, steps, decaySteps: 6 },
      {
        onStep: (s) => losses.push(s.loss),
        onCheckpoint: (_kind, state, optimizer) => {
          const tensors = Object.fromEntries(
            Object.entries(optimizer.tensors).map(([k, t]) => [k, t.clone()]),
          );
          const weights = Object.fromEntries(
            Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]),
          );
          saved = {
            state: structuredClone(state),
            optimizer: { tensors, steps: { ...optimizer.steps } },
            weights,
          };
        },
      },
      resume,
    );
    return losses;
  };
  let saved:
    { state: TrainingState; optimizer: OptimizerState; weights: Record<string, T.Tensor> } | undefined;
  T.manualSeed(8);
  const full = run(6);
  T.manualSeed(8);
  const first = run(3);
  assert.deepEqual(saved!.state.sourceState, { i: 3 });
  const rest = run(6, { state: saved!.state, optimizer: saved!.optimizer });
  assert.deepEqual([...first, ...rest], full);
});
