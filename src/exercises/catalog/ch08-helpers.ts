// Building blocks for the chapter 8 exercises: seeded logit rows, and the integration verdict
// "with the learner's function inside, a tiny GPT generates the same tokens as with the library's".

import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import { manualSeed, type Rng } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { tensor } from '../../tensor/creation.js';
import { KVCache } from '../../model/kv-cache.js';
import { withReferences } from '../registry.js';
import { generate } from '../../generate/generate.js';
import type { StepOutcome } from '../spec.js';

/** A row of V logits, normal(0, scale). */
export function logitsRow(rng: Rng, V: number, scale = 2): Float64Array {
  const z = new Float64Array(V);
  for (let i = 0; i < V; i++) z[i] = rng.normal() * scale;
  return z;
}

const TINY_LM: GPTConfigInput = { vocabSize: 24, blockSize: 24, nLayer: 2, nHead: 2, nEmbd: 16 };

/**
 * A small random GPT with its weights scaled up, so next-token distributions are peaked (a fresh
 * model is nearly uniform, and near-ties would make the tokens depend on rounding).
 */
export function withTinyLm<T>(body: (gpt: GPT) => T): T {
  manualSeed(11);
  const gpt = new GPT(TINY_LM);
  noGrad(() => {
    for (const p of gpt.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 3;
  });
  gpt.eval();
  try {
    return body(gpt);
  } finally {
    gpt.dispose();
  }
}

export const TINY_PROMPT: readonly number[] = [1, 5, 2];

/**
 * Runs `session` with the learner's function (installed by the checker) and again with the
 * library's references; the token ids must be the same.
 */
export function sameTokens(what: string, session: () => number[][]): StepOutcome {
  const mine = session();
  const ref = withReferences(session);
  const flat = (xs: number[][]) => xs.map((x) => x.join(' ')).join(' | ');
  for (let r = 0; r < ref.length; r++) {
    const a = mine[r] ?? [];
    const b = ref[r]!;
    const i = b.findIndex((id, j) => a[j] !== id);
    if (a.length !== b.length || i >= 0) {
      const at = i >= 0 ? i : Math.min(a.length, b.length);
      return {
        passed: false,
        message:
          `with your function inside, ${what} gives [${flat([a])}] where the reference gives ` +
          `[${flat([b])}] (first differs at token ${at}${ref.length > 1 ? ` of sequence ${r}` : ''})`,
      };
    }
  }
  return { passed: true, message: `${what}: the same ${ref.flat().length} tokens as the reference` };
}

/**
 * A batch of two rows fed through the KV cache in two blocks (3 tokens, then 5 at once) must give
 * the logits of one uncached pass over all 8: the second block's causal mask and positions only
 * line up if the cache holds each row's past, in order, before its new positions.
 */
export function cachedMatchesUncached(): StepOutcome {
  const rows = [
    [1, 5, 2, 7, 3, 9, 4, 8],
    [6, 0, 2, 2, 11, 3, 17, 5],
  ];
  return withTinyLm((gpt) =>
    noGrad(() => {
      const cache = new KVCache(gpt.config.nLayer);
      gpt.forward(tensor(rows.map((r) => r.slice(0, 3))), { cache });
      const got = gpt.forward(tensor(rows.map((r) => r.slice(3))), { cache }).logits; // (2, 5, V)
      const want = withReferences(() => gpt.forward(tensor(rows)).logits); // (2, 8, V)
      const [B, T, V] = got.shape as [number, number, number];
      let max = 0;
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++)
          for (let v = 0; v < V; v++) {
            const d = Math.abs(got.data[(b * T + t) * V + v]! - want.data[(b * 8 + 3 + t) * V + v]!);
            max = Number.isNaN(d) ? Infinity : Math.max(max, d);
          }
      const ok = max < 1e-4;
      return {
        passed: ok,
        maxAbsDiff: max,
        message: ok
          ? '3 + 5 tokens through the cache give the logits of one uncached pass ' +
            `(max |Δ| ${max.toExponential(2)})`
          : `3 + 5 tokens through the cache give logits up to ${max.toPrecision(3)} away from one uncached ` +
            "pass: the cache must hold each row's past positions, in order, before the new ones",
      };
    }),
  );
}

/** A session for sameTokens: 12 tokens generated from the tiny LM with options `o`. */
export const sampledTokens = (o: Parameters<typeof generate>[2]) => () =>
  withTinyLm((gpt) => [generate(gpt, TINY_PROMPT, { maxNewTokens: 12, ...o }).ids]);
