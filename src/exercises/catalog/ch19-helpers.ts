// Building blocks for the chapter 19 exercises: seeded token ids (uniform or skewed by a power),
// and the unigram entropy's integration check: it must equal the cross-entropy of the model that
// predicts the token frequencies everywhere, measured with the library's crossEntropy op.

import type { Rng } from '../../tensor/rng.js';
import { tensor } from '../../tensor/creation.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { noGrad } from '../../tensor/autograd.js';
import { unigramEntropy } from '../../eval/unigram-entropy.js';
import type { StepOutcome } from '../spec.js';
import { manualSeed } from '../../tensor/rng.js';
import { GPT } from '../../model/gpt.js';
import { train } from '../../train/trainer.js';
import { pca2d } from '../../diagnose/embedding-pca.js';
import { withReferences } from '../registry.js';

/** n ids in [0, V): uniform, or skewed towards small ids by u^power. */
export function tokenIds(rng: Rng, n: number, V: number, power = 1): Int32Array {
  return Int32Array.from({ length: n }, () => Math.min(V - 1, Math.floor(rng.random() ** power * V)));
}

/** Reversal-task lines over a-h ("dbca>acbd\n") as ids: a real, skewed text (V = 10). */
function toyIds(): Int32Array {
  const out: number[] = [];
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let line = 0; line < 300; line++) {
    const w = Array.from({ length: 3 + Math.floor(next() * 6) }, () => Math.floor(next() * 8));
    out.push(...w, 8, ...[...w].reverse(), 9);
  }
  return Int32Array.from(out);
}

/** H(ids) with the learner's function must equal CE(log f, ids), the frequency model's loss. */
export function entropyAsCrossEntropy(): StepOutcome {
  const ids = toyIds();
  const V = 10;
  const h = unigramEntropy(ids, V);
  const counts = new Float64Array(V);
  for (const id of ids) counts[id]++;
  const logF = Array.from(counts, (c) => Math.log(c / ids.length));
  const logits = tensor(Array.from({ length: ids.length }, () => logF)); // (n, V)
  const ce = noGrad(() => crossEntropy(logits, Array.from(ids)).item());
  const diff = Math.abs(h - ce);
  const ok = diff < 1e-5;
  return {
    passed: ok,
    maxAbsDiff: diff,
    message: ok
      ? `on ${ids.length} reversal-task tokens, H = ${h.toFixed(5)} nats = the frequency model's ` +
        `cross-entropy (|Δ| ${diff.toExponential(1)})`
      : `on ${ids.length} reversal-task tokens your entropy is ${h} but the frequency model's ` +
        `cross-entropy is ${ce}: H = -Σ f log f with f = count / n`,
  };
}

/**
 * n rows of d values with a planted spectrum: column j scaled by `scales[j]` (then mixed by a
 * fixed rotation of the first two axes), so the leading eigenvalues are well apart.
 */
export function plantedRows(rng: Rng, n: number, d: number, scales: number[], offset = 0): Float64Array {
  const x = new Float64Array(n * d);
  const [c, s] = [Math.cos(0.6), Math.sin(0.6)];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, (_, j) => rng.normal() * (scales[j] ?? 0.1));
    const [a, b] = [row[0]!, row[1]!];
    row[0] = c * a - s * b;
    row[1] = s * a + c * b;
    for (let j = 0; j < d; j++) x[i * d + j] = row[j]! + offset;
  }
  return x;
}

/** A pca2d result without its iteration count (implementations may count differently). */
export function withoutIterations(out: unknown): unknown {
  if (out === null || typeof out !== 'object' || !('points' in out)) return out;
  const { points, components, variances, explained } = out as Record<string, unknown>;
  return { points, components, variances, explained };
}

/**
 * The lab's embedding view with the learner's pca2d inside: a tiny GPT trained 40 steps on the
 * reversal task, its wte (V, C) through the library's pca2d dispatcher (what the lab's worker
 * calls) and through the reference; the points must agree within 1e-4 of their spread.
 */
export function embeddingView(): StepOutcome {
  manualSeed(3);
  const ids = toyIds();
  const model = new GPT({ vocabSize: 10, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16 });
  try {
    const data = { train: Uint16Array.from(ids), val: Uint16Array.from(ids.subarray(0, 200)) };
    train(model, data, { steps: 40, batchSize: 8, lr: 1e-2, evalInterval: 1000, evalBatches: 1, seed: 3 });
    const wte = Float64Array.from(model.wte.weight.data);
    const mine = pca2d(wte, 10, 16);
    const ref = withReferences(() => pca2d(wte, 10, 16));
    const spread = Math.max(...ref.points.flat().map(Math.abs));
    let worst = 0;
    ref.points.forEach((p, i) =>
      p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - (mine.points[i]?.[k] ?? NaN))))),
    );
    const ok = worst <= 1e-4 * spread;
    return {
      passed: ok,
      maxAbsDiff: worst,
      message: ok
        ? `a tiny GPT's token embedding after 40 steps: your 10 points equal the reference's ` +
          `(max |Δ| ${worst.toExponential(1)}, PC1 + PC2 keep ` +
          `${(100 * (ref.explained[0] + ref.explained[1])).toFixed(1)}% of the variance)`
        : `on a tiny GPT's token embedding your points differ from the reference by up to ${worst}: ` +
          'iterate until the directions stop moving, and fix each sign',
    };
  } finally {
    model.dispose();
  }
}
