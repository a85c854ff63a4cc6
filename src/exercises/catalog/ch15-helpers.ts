// Helpers for chapter 15's exercises: seeded tiny GPTs with an attention variant (a sparse
// pattern, ALiBi, linear attention, a mixture of experts), compared with themselves built from the
// library's own functions; the wrong variants of each function the diagnoses test against; and
// the integration steps that run the learner's function inside a real model.

import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { KVCache } from '../../model/kv-cache.js';
import { eluFeatureMap, linearAttentionState } from '../../model/linear-attention.js';
import { topKRouting } from '../../model/router.js';
import { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';
import { noGrad } from '../../tensor/grad-mode.js';
import { gradcheck } from '../../tensor/gradcheck.js';
import { manualSeed, type Rng } from '../../tensor/rng.js';
import { withReferences } from '../registry.js';
import { randn } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';

const TINY: GPTConfigInput = { vocabSize: 20, blockSize: 24, nLayer: 2, nHead: 2, nEmbd: 16 };
const IDS = [
  [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2],
  [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3, 6, 0],
];

/** A fresh seeded GPT with `o` in eval mode (built with whatever the registry holds now). */
function tinyGpt(o: Partial<GPTConfigInput>): GPT {
  manualSeed(15);
  const gpt = new GPT({ ...TINY, ...o } as GPTConfigInput);
  gpt.eval();
  return gpt;
}

/** The largest |a - b| (Infinity for NaN) over two equal-sized arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Number.isNaN(d) ? Infinity : Math.max(max, d);
  }
  return max;
}

/**
 * The logits of the same seeded GPT built and run twice: with the learner's function installed
 * (the checker installs it), and with the library's references. Each run builds its own model, so
 * nothing computed with one (a cached key list, the slopes) leaks into the other.
 */
function sameLogits(o: Partial<GPTConfigInput>, what: string, wrong: string): StepOutcome {
  const run = () =>
    noGrad(() => {
      const gpt = tinyGpt(o);
      const logits = gpt.forward(tensor(IDS)).logits.data.slice(); // (2, 22, V)
      gpt.dispose();
      return logits;
    });
  const max = maxDiff(run(), withReferences(run));
  const ok = max < 1e-4;
  return {
    passed: ok,
    maxAbsDiff: max,
    message: ok
      ? `${what}: its logits equal the library's (max |Δ| ${max.toExponential(2)})`
      : `${what}: its logits are up to ${max.toPrecision(3)} away from the library's: ${wrong}`,
  };
}

// --- sparse-pattern ---

/** A tiny GPT with a sparse pattern of stride 4 (22 tokens: five blocks) runs on the learner's keys. */
export function sparseForwardStep(kind: 'sparse-strided' | 'sparse-fixed'): ExtraCheck {
  return {
    kind: 'integration',
    name: `a tiny ${kind} GPT (stride 4, 22 tokens) runs on your key lists`,
    run: () =>
      sameLogits(
        { attention: kind, window: 4 },
        `a ${kind} GPT over 22 tokens`,
        'the sparse attention op visits exactly the keys your function lists for each query',
      ),
  };
}

// --- alibi-slopes ---

/** An ALiBi GPT with 6 heads (not a power of two) built with the learner's slopes. */
export function alibiForwardStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'a tiny ALiBi GPT with 6 heads (not a power of two) built with your slopes',
    run: () =>
      sameLogits(
        { positions: 'alibi', nHead: 6, nEmbd: 24 },
        'an ALiBi GPT with 6 heads',
        'each head adds -m_h · (i - j) to its scores, so every slope must be the library’s',
      ),
  };
}

/** The slopes of n heads with h counted from 0 (head 0's slope is 1), for naming that mistake. */
export const slopesFromZero = (n: number): number[] =>
  Array.from({ length: n }, (_, h) => 2 ** ((-8 * h) / n));

/** 2^(-8h/n) for h = 1..n whatever n is: the rule for powers of two applied to every n. */
export const slopesAnyN = (n: number): number[] =>
  Array.from({ length: n }, (_, h) => 2 ** ((-8 * (h + 1)) / n));

// --- linear-attention-step ---

/** One step's arguments: q, k (B, nh, 1, hs), v (B, nh, 1, hv), and the state after `past` positions. */
export function stepCase(
  rng: Rng,
  [B, nh, hs, hv]: [number, number, number, number],
  past: number,
  scale = 1,
): Tensor[] {
  const q = randn(rng, [B, nh, 1, hs], { scale });
  const k = randn(rng, [B, nh, 1, hs], { scale });
  const v = randn(rng, [B, nh, 1, hv]);
  if (past === 0) {
    const S = new Tensor(new Float32Array(B * nh * hs * hv), [B, nh, hs, hv]); // nothing seen yet
    return [q, k, v, S, new Tensor(new Float32Array(B * nh * hs), [B, nh, 1, hs])];
  }
  const s = linearAttentionState(randn(rng, [B, nh, past, hs]), randn(rng, [B, nh, past, hv]));
  return [q, k, v, s.S, s.z];
}

/** What a step gives with one part done wrong, for naming the mistake. */
export function stepVariant(
  [q, k, v, S, z]: Tensor[],
  wrong: { noFeatureMap?: boolean; oldState?: boolean; noDenominator?: boolean; relu1?: boolean },
): Tensor {
  const phi = wrong.noFeatureMap
    ? (x: Tensor) => x
    : wrong.relu1
      ? (x: Tensor) => x.relu().add(1)
      : eluFeatureMap;
  const [fq, fk] = [phi(q!), phi(k!)];
  const S2 = S!.add(fk.transpose(-2, -1).matmul(v!)); // (B, nh, hs, hv)
  const z2 = z!.add(fk); // (B, nh, 1, hs)
  const [Sr, zr] = wrong.oldState ? [S!, z!] : [S2, z2];
  const num = fq.matmul(Sr); // (B, nh, 1, hv)
  return wrong.noDenominator ? num : num.div(fq.mul(zr).sum(-1, true));
}

/**
 * A linear-attention GPT fed a prompt of 6 tokens, then 10 more one at a time through its cache
 * (the recurrent form, the learner's step at each token), must give the logits of one uncached
 * pass over all 16 (the parallel form, which never calls the step).
 */
export function linearCachedStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'a linear-attention GPT: 6 prompt tokens, then 10 one at a time through its state',
    run(): StepOutcome {
      return noGrad(() => {
        const gpt = tinyGpt({ attention: 'linear' });
        const rows = IDS.map((r) => r.slice(0, 16));
        const want = gpt.forward(tensor(rows)).logits; // (2, 16, V)
        const cache = new KVCache(gpt.config.nLayer);
        gpt.forward(tensor(rows.map((r) => r.slice(0, 6))), { cache });
        const V = want.shape[2]!;
        let max = 0;
        for (let t = 6; t < 16; t++) {
          const got = gpt.forward(tensor(rows.map((r) => [r[t]!])), { cache }).logits; // (2, 1, V)
          for (let b = 0; b < 2; b++) {
            const w = want.data.subarray((b * 16 + t) * V, (b * 16 + t + 1) * V);
            max = Math.max(max, maxDiff(got.data.subarray(b * V, (b + 1) * V), w));
          }
        }
        gpt.dispose();
        const ok = max < 1e-4;
        return {
          passed: ok,
          maxAbsDiff: max,
          message: ok
            ? 'each of the 10 cached steps gives the logits of the uncached pass ' +
              `(max |Δ| ${max.toExponential(2)})`
            : `the cached steps give logits up to ${max.toPrecision(3)} away from the uncached pass: the ` +
              'state after each step must be S + φ(k) vᵀ and z + φ(k), and the output read from the ' +
              'new state',
        };
      });
    },
  };
}

// --- moe-routing ---

/** Router logits (N, E), normal(0, scale). */
export const routerLogits = (rng: Rng, N: number, E: number, scale = 1.5): Tensor =>
  randn(rng, [N, E], { scale });

/** Router logits with ties: small integers. */
export function tiedLogits(rng: Rng, N: number, E: number): Tensor {
  const d = new Float32Array(N * E).map(() => rng.randint(0, 3));
  return new Tensor(d, [N, E]);
}

/** The routing's experts as a flat list of numbers, whatever form the learner returned. */
export function flatExperts(e: unknown): number[] | null {
  if (e instanceof Tensor) return Array.from(e.data);
  if (ArrayBuffer.isView(e)) return Array.from(e as unknown as ArrayLike<number>);
  if (Array.isArray(e)) return (e as unknown[]).flat(2).map(Number);
  return null;
}

/**
 * The gates must reach the router: finite differences of a weighted sum of the gates equal the
 * gradient autograd sends to the logits (float64, logits well apart so no nudge changes the choice).
 */
export function gatesGradStep(): ExtraCheck {
  return {
    kind: 'gradcheck',
    name: 'the gates carry gradients back to the router logits',
    run(): StepOutcome {
      const E = 5;
      const base = [0.3, -1.1, 2.0, 0.9, -0.4, 1.4, -2.2, 0.1, 3.1, -0.8, -1.6, 2.4, 0.6, -0.1, 1.2];
      const logits = new Tensor(new Float64Array(base), [3, E], true);
      const gates = topKRouting(logits, 2).gates;
      if (!(gates instanceof Tensor) || !gates.requiresGrad) {
        return {
          passed: false,
          message:
            'your gates have the right values but no gradient, so the router never learns: build them ' +
            'from tensor ops on the logits (logits.gather(1, index).softmax(-1)), not from .data',
        };
      }
      const r = gradcheck((x) => topKRouting(x, 2).gates, [logits], { atol: 1e-5, rtol: 1e-4 });
      return {
        passed: r.ok,
        maxAbsDiff: r.maxError,
        message: r.ok
          ? "the router logits' gradient equals the finite differences " +
            `(max |Δ| ${r.maxError.toExponential(2)})`
          : `the gradient reaching the router logits differs from the finite differences at ${r.where}`,
      };
    },
  };
}

/** A tiny GPT whose MLPs are 4 experts, top-2, routed by the learner's function. */
export function moeForwardStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'a tiny GPT with 4 experts, top-2, routed by your function',
    run: () =>
      sameLogits(
        { moeExperts: 4, moeTopK: 2 },
        'a 4-expert top-2 GPT',
        'each token must reach the same experts with the same gates',
      ),
  };
}

/** The same MoE GPT trained for 40 steps: its loss falls as far as with the library's routing. */
export function moeTrainsStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'a tiny 4-expert top-2 GPT trains 40 steps',
    timeLimitMs: 30000,
    run: () => lossFallsAsReference(() => trainTiny({ moeExperts: 4, moeTopK: 2 })),
  };
}
