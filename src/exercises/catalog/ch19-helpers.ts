// Building blocks for the chapter 19 exercises: seeded token ids (uniform or skewed by a power),
// and the unigram entropy's integration check: it must equal the cross-entropy of the model that
// predicts the token frequencies everywhere, measured with the library's crossEntropy op.

import type { Rng } from '../../tensor/rng.js';
import { tensor } from '../../tensor/creation.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { noGrad } from '../../tensor/autograd.js';
import { unigramEntropy } from '../../eval/unigram-entropy.js';
import type { StepOutcome } from '../spec.js';

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
