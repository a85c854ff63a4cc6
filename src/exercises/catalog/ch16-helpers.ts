// Helpers for chapter 16's exercises (Llama and Qwen): the wrong variants the diagnoses compare
// against, and the integration steps that run the learner's function inside a real computation:
// Meta's interleaved RoPE against HF's rotate_half on permuted weights, and a Llama-3-scaled GPT.

import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { applyRope, ropeTables } from '../../model/rope.js';
import { applyRopeInterleaved, permuteForRotateHalf } from '../../model/rope-interleaved.js';
import { linear } from '../../tensor/ops/matmul.js';
import type { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';
import { noGrad } from '../../tensor/grad-mode.js';
import { manualSeed, Rng } from '../../tensor/rng.js';
import { withReferences } from '../registry.js';
import { randn } from '../helpers.js';
import type { ExtraCheck } from '../spec.js';

/** The largest |a - b| (Infinity for NaN or a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Number.isNaN(d) ? Infinity : Math.max(max, d);
  }
  return max;
}

/** Whether `got` is a Tensor (or array) whose values are within 1e-5 of `want`. */
export function near(got: unknown, want: ArrayLike<number>, tol = 1e-5): boolean {
  const data = (got as { data?: ArrayLike<number> } | null)?.data ?? (got as ArrayLike<number> | null);
  return data !== null && data !== undefined && maxDiff(data, want) <= tol;
}

// --- repeat-kv ---

/** The mistake of tiling the kv heads (0 1 0 1) instead of repeating each in place (0 0 1 1). */
export function tiledKv(x: Tensor, nHead: number): Float64Array {
  const [B, nKv, T, hs] = x.shape as [number, number, number, number];
  const out = new Float64Array(B * nHead * T * hs);
  const block = T * hs;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < nHead; h++) {
      const from = (b * nKv + (h % nKv)) * block;
      out.set(x.data.subarray(from, from + block), (b * nHead + h) * block);
    }
  return out;
}

// --- rope-permute ---

/**
 * q·k scores per head, (nh, T, T), of Meta's layout (interleaved RoPE on Meta's weights) and of
 * HF's (rotate_half RoPE on the weights the registry's permuteForRotateHalf gives).
 */
function ropeScores(hf: boolean): Float64Array {
  const [T, C, nh, hs, base] = [6, 10, 2, 8, 10000];
  const rng = new Rng(16);
  const x = randn(rng, [T, C]);
  const [wq, wk] = [randn(rng, [nh * hs, C]), randn(rng, [nh * hs, C])];
  const rotate = (w: Tensor): Tensor =>
    hf
      ? applyRope(
          linear(x, permuteForRotateHalf(w, nh)).reshape(1, T, nh, hs),
          ropeTables(T, hs, base),
          0,
          true,
        )
      : applyRopeInterleaved(linear(x, w).reshape(T, nh, hs), base);
  const [q, k] = [rotate(wq).data, rotate(wk).data]; // (T, nh, hs) in both layouts
  const s = new Float64Array(nh * T * T);
  for (let h = 0; h < nh; h++)
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        let dot = 0;
        for (let c = 0; c < hs; c++) dot += q[(i * nh + h) * hs + c]! * k[(j * nh + h) * hs + c]!;
        s[(h * T + i) * T + j] = dot;
      }
  return s;
}

/** Integration: rotate_half on the learner's permuted weights scores as Meta's interleaved RoPE. */
export const ropeScoresStep: ExtraCheck = {
  kind: 'integration',
  name: "rotate_half RoPE on your permuted weights gives Meta's interleaved scores q·k",
  run() {
    const max = maxDiff(
      noGrad(() => ropeScores(true)),
      noGrad(() => ropeScores(false)),
    );
    const ok = max < 1e-3;
    return {
      passed: ok,
      maxAbsDiff: max,
      message: ok
        ? `2 heads of 8, 6 positions: every score q·k equals Meta's (max |Δ| ${max.toExponential(2)})`
        : `the scores differ from Meta's by up to ${max.toPrecision(3)}: the pair (2i, 2i+1) of a head ` +
          'must land on channels (i, i + hs/2) of the same head, for q and k alike',
    };
  },
};

// --- llama3-rope-scaling ---

/** Llama 3's rule with the blend the wrong way round (smooth weighting θ/factor). */
export function blendReversed(
  hs: number,
  base: number,
  s: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number },
): Float64Array {
  const out = new Float64Array(hs / 2);
  for (let i = 0; i < hs / 2; i++) {
    const t = Math.pow(base, -(2 * i) / hs);
    const wavelen = (2 * Math.PI) / t;
    const L = s.originalMaxPositions;
    if (wavelen < L / s.highFreqFactor) out[i] = t;
    else if (wavelen > L / s.lowFreqFactor) out[i] = t / s.factor;
    else {
      const smooth = (L / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = smooth * (t / s.factor) + (1 - smooth) * t;
    }
  }
  return out;
}

const SCALED: GPTConfigInput = {
  vocabSize: 20,
  blockSize: 24,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16, // hs = 8: θ = 1, 0.1, 0.01, 0.001, wavelengths 6.3, 63, 628, 6283
  positions: 'rope',
  norm: 'rmsnorm',
  mlp: 'swiglu',
  bias: false,
  // wavelengths under 16 kept, over 64 divided by 4, 63 blended: every branch of the rule
  ropeScaling: { type: 'llama3', factor: 4, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
};

/** Integration: a Llama-3-scaled GPT built on the learner's frequencies gives the library's logits. */
export const scaledGptStep: ExtraCheck = {
  kind: 'integration',
  name: 'a tiny Llama-layout GPT with Llama 3 rope_scaling runs on your frequencies',
  run() {
    const ids = [
      [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4],
      [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3],
    ];
    const logits = () =>
      noGrad(() => {
        manualSeed(16);
        const gpt = new GPT(SCALED);
        gpt.eval();
        // Larger weights than at init, so that the scores (and with them the positions) matter.
        for (const p of gpt.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 4;
        const out = gpt.forward(tensor(ids)).logits.data.slice(); // (2, 20, V)
        gpt.dispose();
        return out;
      });
    const max = maxDiff(logits(), withReferences(logits));
    const ok = max < 1e-4;
    return {
      passed: ok,
      maxAbsDiff: max,
      message: ok
        ? `its logits equal the library's (max |Δ| ${max.toExponential(2)})`
        : `its logits are up to ${max.toPrecision(3)} away from the library's: the RoPE tables are ` +
          'built from your θ_i, so every frequency must match',
    };
  },
};
