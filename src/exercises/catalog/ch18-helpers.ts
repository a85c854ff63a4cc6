// Chapter 18's check machinery: planted variants of the ring all-reduce (for the diagnoses), and
// the integration steps: DDP's gradient through the learner's ring against one worker's (Li et
// al., 2020), GPipe's bubble on the learner's schedule (Huang et al., 2019), Megatron-LM's MLP on
// the learner's shards against the unsharded MLP (Shoeybi et al., 2019), ZeRO-1's shards and
// optimizer bytes on the learner's cut (Rajbhandari et al., 2020).

import { GPT } from '../../model/gpt.js';
import { gptConfig, type GPTConfigInput } from '../../model/config.js';
import { fromArray } from '../../tensor/creation.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { FlatLayout } from '../../parallel/flat.js';
import { chunkRange, ringChunkRange, sumThenDivide } from '../../parallel/ring.js';
import { ringAllReduceSteps } from '../../parallel/ring-sim.js';
import { workerMemory } from '../../parallel/memory.js';
import { gpipeSchedule } from '../../parallel/pipeline/schedule.js';
import { gpipeBubble, measuredBubble, type StageEvent } from '../../parallel/pipeline/bubble.js';
import { gatherWeights, shardWeights, type Weights } from '../../parallel/tensor/shard.js';
import type { StepOutcome } from '../spec.js';

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** A ring with a planted change: reading the right neighbour, chunks shifted, all-gather adding. */
export function ringVariant(
  xs: readonly Float32Array[],
  o: { fromRight?: boolean; shift?: number; gatherAdds?: boolean },
): Float32Array[][] {
  const N = xs.length;
  const n = xs[0]?.length ?? 0;
  const d = o.fromRight ? -1 : 1;
  let bufs = xs.map((x) => Float32Array.from(x));
  const states = [bufs.map((b) => b.slice())];
  const step = (chunkOf: (r: number) => number, reduce: boolean) => {
    const before = bufs.map((b) => b.slice());
    bufs = bufs.map((b, r) => {
      const [lo, hi] = ringChunkRange(n, N, mod(chunkOf(r), N));
      const nb = before[mod(r - d, N)]!;
      for (let i = lo; i < hi; i++) b[i] = reduce ? b[i]! + nb[i]! : nb[i]!;
      return b;
    });
    states.push(bufs.map((b) => b.slice()));
  };
  const k = o.shift ?? 0;
  for (let s = 0; s < N - 1; s++) step((r) => d * (r * d - s - 2 + k), true);
  for (let s = 0; s < N - 1; s++) step((r) => d * (r * d - s - 1 + k), !!o.gatherAdds);
  return states;
}

/** Whether got (a state list) equals want within float32 rounding. */
export function sameStates(got: unknown, want: Float32Array[][], tol = 1e-5): boolean {
  if (!Array.isArray(got) || got.length !== want.length) return false;
  return want.every((row, k) => {
    const g = got[k] as unknown;
    if (!Array.isArray(g) || g.length !== row.length) return false;
    return row.every((w, r) => {
      const x = g[r] as ArrayLike<number>;
      if (!x || x.length !== w.length) return false;
      for (let i = 0; i < w.length; i++)
        if (!(Math.abs(x[i]! - w[i]!) <= tol * (1 + Math.abs(w[i]!)))) return false;
      return true;
    });
  });
}

/** After the reduce-scatter (state N - 1), the chunk each rank holds fully summed (-1: none). */
export function ownedChunks(got: unknown, xs: readonly Float32Array[]): number[] | null {
  const N = xs.length;
  if (!Array.isArray(got) || got.length < N) return null;
  const sum = sumThenDivide(xs);
  const n = sum.length;
  const state = got[N - 1] as unknown;
  if (!Array.isArray(state) || state.length !== N) return null;
  return state.map((b: ArrayLike<number>) => {
    for (let c = 0; c < N; c++) {
      const [lo, hi] = ringChunkRange(n, N, c);
      if (hi <= lo) continue;
      let ok = true;
      for (let i = lo; i < hi && ok; i++) ok = Math.abs(b[i]! - sum[i]!) <= 1e-4 * (1 + Math.abs(sum[i]!));
      if (ok) return c;
    }
    return -1;
  });
}

const TINY: GPTConfigInput = { vocabSize: 16, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };

/** The flat gradient of a fresh seeded tiny GPT's mean loss on sequences `rows` of (ids, targets). */
function flatGradient(rows: [number[], number[]][]): Float32Array {
  manualSeed(3);
  const gpt = new GPT(TINY);
  const T = rows[0]![0].length;
  const { loss } = gpt.forward(
    fromArray(
      rows.flatMap((r) => r[0]),
      [rows.length, T],
    ),
    {
      targets: rows.flatMap((r) => r[1]),
    },
  );
  loss!.backward();
  const layout = new FlatLayout(gpt.parameters());
  const flat = new Float32Array(layout.total);
  layout.gatherGrads(flat);
  gpt.dispose();
  return flat;
}

/** DDP on 3 simulated ranks: each rank's gradient of 2 sequences, averaged by the learner's ring. */
export const ddpRingStep = {
  kind: 'integration' as const,
  name: 'DDP: 3 ranks average a tiny GPT’s gradients with your ring, as one worker computes them',
  run(): StepOutcome {
    const rng = new Rng(18);
    const rows = Array.from({ length: 6 }, (): [number[], number[]] => {
      const ids = Array.from({ length: 9 }, () => rng.randint(0, 16));
      return [ids.slice(0, 8), ids.slice(1)];
    });
    const one = flatGradient(rows); // one worker, the whole batch of 6
    const N = 3;
    const grads = Array.from({ length: N }, (_, r) => flatGradient(rows.slice(2 * r, 2 * r + 2)));
    const states = ringAllReduceSteps(grads);
    const last = states[states.length - 1];
    if (!last || last.length !== N) return { passed: false, message: 'your ring returned no final state' };
    let worst = 0;
    for (const buf of last)
      for (let i = 0; i < one.length; i++) worst = Math.max(worst, Math.abs(buf[i]! / N - one[i]!));
    const ok = worst < 1e-5;
    return {
      passed: ok,
      maxAbsDiff: worst,
      message: ok
        ? `every rank's sum / 3 equals one worker's gradient of all 6 sequences ` +
          `(max |Δ| ${worst.toExponential(2)})`
        : `a rank's averaged gradient differs from one worker's by ${worst.toExponential(2)}`,
    };
  },
};

/** The learner's schedule must be a valid GPipe run whose measured bubble is (N-1)/(M+N-1). */
export const scheduleBubbleStep = {
  kind: 'integration' as const,
  name: 'measuredBubble of your schedule equals (N-1)/(M+N-1); every event waits for its inputs',
  run(): StepOutcome {
    for (const [N, M, f, b] of [
      [4, 8, 1, 2],
      [2, 3, 1.5, 1],
      [3, 1, 1, 1],
      [6, 16, 1, 3],
    ] as const) {
      const ev: StageEvent[][] = gpipeSchedule(N, M, f, b);
      const at = (s: number, k: 'F' | 'B', m: number) => ev[s]?.find((e) => e.kind === k && e.micro === m);
      for (let s = 0; s < N; s++)
        for (let m = 0; m < M; m++) {
          const [F, B] = [at(s, 'F', m), at(s, 'B', m)];
          if (!F || !B) return { passed: false, message: `N ${N}, M ${M}: stage ${s} lacks micro ${m}` };
          const prevF = s > 0 ? at(s - 1, 'F', m)!.end : 0;
          const nextB = s < N - 1 ? at(s + 1, 'B', m)!.end : at(s, 'F', M - 1)!.end;
          if (F.start < prevF - 1e-9 || B.start < nextB - 1e-9)
            return {
              passed: false,
              message:
                `N ${N}, M ${M}: stage ${s}'s ${F.start < prevF ? 'F' : 'B'} ${m} ` +
                'starts before its input is ready',
            };
        }
      const [want, got] = [gpipeBubble(N, M), measuredBubble(ev)];
      if (Math.abs(got - want) > 1e-9)
        return {
          passed: false,
          message:
            `N ${N}, M ${M}: measured bubble ${got.toFixed(4)}, ` +
            `GPipe's (N-1)/(M+N-1) is ${want.toFixed(4)}`,
        };
    }
    return { passed: true, message: 'bubble = (N-1)/(M+N-1) on 4 shapes, with every dependency respected' };
  },
};

const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** y (C,) = W2 gelu(W1 x + b1) (+ b2), W1 (H, C), W2 (C, H'), in float64. */
function mlp(x: Float32Array, w1: Float32Array, b1: Float32Array, w2: Float32Array, b2: Float32Array | null) {
  const C = x.length;
  const H = b1.length;
  const h = Array.from({ length: H }, (_, j) => {
    let s = b1[j]!;
    for (let i = 0; i < C; i++) s += w1[j * C + i]! * x[i]!;
    return gelu(s);
  });
  return Array.from({ length: C }, (_, i) => {
    let s = b2 ? b2[i]! : 0;
    for (let j = 0; j < H; j++) s += w2[i * H + j]! * h[j]!;
    return s;
  });
}

/** Megatron's MLP on the learner's shards (through the library's shardWeights) vs the full MLP. */
export const tensorParallelMlpStep = {
  kind: 'integration' as const,
  name: 'shardWeights with your split: 4 ranks’ partial MLP outputs sum to the full MLP’s; gather restores W',
  run(): StepOutcome {
    const c = gptConfig({ vocabSize: 16, blockSize: 8, nLayer: 1, nHead: 4, nEmbd: 8 });
    const [C, H, N] = [c.nEmbd, c.mlpHidden, 4];
    const rng = new Rng(181);
    const rand = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
    const full: Weights = {
      'h.0.mlp.c_fc.weight': rand(H * C),
      'h.0.mlp.c_fc.bias': rand(H),
      'h.0.mlp.c_proj.weight': rand(C * H),
      'h.0.mlp.c_proj.bias': rand(C),
    };
    const x = rand(C);
    const want = mlp(
      x,
      full['h.0.mlp.c_fc.weight']!,
      full['h.0.mlp.c_fc.bias']!,
      full['h.0.mlp.c_proj.weight']!,
      full['h.0.mlp.c_proj.bias']!,
    );
    const shards = Array.from({ length: N }, (_, r) => shardWeights(full, c, N, r));
    const got = new Array<number>(C).fill(0);
    for (const s of shards) {
      // Rank r: gelu(W1_r x + b1_r), then W2_r times it; the bias b2 added once, after the all-reduce.
      const part = mlp(
        x,
        s['h.0.mlp.c_fc.weight']!,
        s['h.0.mlp.c_fc.bias']!,
        s['h.0.mlp.c_proj.weight']!,
        null,
      );
      part.forEach((v, i) => (got[i]! += v));
    }
    got.forEach((_, i) => (got[i]! += full['h.0.mlp.c_proj.bias']![i]!));
    const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
    if (!(worst < 1e-4))
      return {
        passed: false,
        maxAbsDiff: worst,
        message:
          `the ranks' partial outputs sum to something else than the full MLP's ` +
          `(max |Δ| ${worst.toExponential(2)})`,
      };
    const back = gatherWeights(shards, c, (name) => full[name]!.length);
    for (const [name, w] of Object.entries(full))
      if (!w.every((v, i) => back[name]![i] === v))
        return { passed: false, message: `gatherWeights puts ${name} back wrong from your shards` };
    return {
      passed: true,
      maxAbsDiff: worst,
      message: `sum of 4 ranks = full MLP (max |Δ| ${worst.toExponential(2)}); gather restores every W`,
    };
  },
};

/** ZeRO-1 on the learner's cut: the ring's reduce-scatter leaves rank r's shard summed; bytes add up. */
export const zeroShardStep = {
  kind: 'integration' as const,
  name: 'the ring’s reduce-scatter fills your shards; workerMemory’s optimizer bytes add up to one copy',
  run(): StepOutcome {
    const rng = new Rng(18);
    for (const [P, N] of [
      [23, 4],
      [3, 5],
      [100, 3],
    ] as const) {
      const xs = Array.from({ length: N }, () => Float32Array.from({ length: P }, () => rng.normal()));
      const sum = sumThenDivide(xs);
      const scattered = ringAllReduceSteps(xs)[N - 1]!;
      let owned = 0;
      for (let r = 0; r < N; r++) {
        const [lo, hi] = chunkRange(P, N, r);
        owned += hi - lo;
        for (let i = lo; i < hi; i++)
          if (Math.abs(scattered[r]![i]! - sum[i]!) > 1e-4 * (1 + Math.abs(sum[i]!)))
            return {
              passed: false,
              message:
                `P ${P}, N ${N}: rank ${r}'s shard [${lo}, ${hi}) is not ` +
                "what the ring's reduce-scatter sums there",
            };
      }
      const bytes = Array.from({ length: N }, (_, r) => workerMemory(P, N, r, 1, 2, 0).moments);
      const total = bytes.reduce((a, b) => a + b, 0);
      if (owned !== P || total !== 2 * 4 * P)
        return {
          passed: false,
          message:
            `P ${P}, N ${N}: the shards cover ${owned} of ${P} floats; AdamW's m and v take ` +
            `${total} bytes over the ranks, not ${8 * P}`,
        };
    }
    return {
      passed: true,
      message: 'on 3 shapes every shard is the ring’s, and m + v total 8 bytes per parameter',
    };
  },
};
