// Chapter 15 exercises: attention variants and mixtures of experts
// (docs/15-attention-variants-and-moe.md). The keys a query sees under the Sparse Transformer's
// patterns (Child et al., 2019), ALiBi's head slopes (Press et al., 2022), one recurrent step of
// linear attention (Katharopoulos et al., 2020), and top-k routing (Mixtral, Jiang et al., 2024).

import type { ExerciseSpec } from '../spec.js';
import { Tensor } from '../../tensor/tensor.js';
import '../../model/attention-patterns.js'; // registers keysOf
import { attentionPattern, type AttentionPattern } from '../../model/attention-patterns.js';
import '../../model/alibi.js'; // registers alibiSlopes
import '../../model/linear-attention.js'; // registers linearAttentionStep
import type { LinearStep } from '../../model/linear-attention.js';
import '../../model/router.js'; // registers topKRouting
import {
  alibiForwardStep,
  flatExperts,
  gatesGradStep,
  linearCachedStep,
  moeForwardStep,
  moeTrainsStep,
  routerLogits,
  slopesAnyN,
  slopesFromZero,
  sparseForwardStep,
  stepCase,
  stepVariant,
  tiedLogits,
} from './ch15-helpers.js';

/** Whether two lists of numbers are equal within a loose tolerance (NaN never). */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (!(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)))) return false;
  return true;
}

const pattern = (kind: string, window: number, summary?: number) => attentionPattern(kind, window, summary)!;

// sparse-pattern

const sparsePatternSpec: ExerciseSpec = {
  id: 'sparse-pattern',
  chapter: 15,
  section: 'Sliding windows and sparse patterns',
  title: 'The keys a query sees: sliding window, and the Sparse Transformer’s strided and fixed patterns',
  exportName: 'keysOf',
  slot: 'keysOf',
  pureInputs: true,
  topics: ['attention', 'performance'],
  compare:
    'The Sparse Transformer (Child et al., 2019) ran these patterns as block-sparse GPU kernels; ' +
    'Longformer and Mistral keep only the sliding window (Mistral with a rolling cache of W keys), ' +
    'and BigBird adds random keys and global tokens. PyTorch expresses any of them as a mask for ' +
    'scaled_dot_product_attention, or as a block mask for FlexAttention, which skips empty blocks.',
  hints: [
    'Every pattern is causal (0 <= j <= i). full: every j <= i. sliding: the last W, i - W < j <= i. ' +
      'strided: the last W as well, plus every W-th position before them, the j with (i - j) mod W = 0. ' +
      'fixed: the block of width W that i is in (from i - i mod W up to i), plus the last c positions ' +
      '(c = p.summary) of every earlier block.',
    'Build the list without testing every j: for strided, start at j = i mod W and step by W while j ' +
      'is before the window start max(0, i - W + 1), then the window. For fixed, own = i - i mod W; for ' +
      'each earlier block start b = 0, W, ... < own, the keys b + W - c .. b + W - 1; then own .. i. ' +
      'Both come out ascending, each key once.',
    "switch (p.kind) { case 'full': range(0, i); case 'sliding': range(max(0, i - W + 1), i); case " +
      "'sparse-strided': local = max(0, i-W+1); for (j = i % W; j < local; j += W) keys.push(j); " +
      "range(local, i); case 'sparse-fixed': own = i - i % W; for (b = 0; b < own; b += W) range(b + W " +
      '- c, b + W - 1); range(own, i) }',
  ],
  cases: () => [
    { name: 'strided, stride 4, query 13', args: [pattern('sparse-strided', 4), 13] },
    { name: 'fixed, stride 4, c = 1, query 13', args: [pattern('sparse-fixed', 4, 1), 13] },
    { name: 'strided, stride 5, query 23 (i mod W = 3)', args: [pattern('sparse-strided', 5), 23] },
    { name: 'fixed, stride 8, c = 3, query 21', args: [pattern('sparse-fixed', 8, 3), 21] },
    { name: 'fixed: the first query of a block (i = 12, W = 4)', args: [pattern('sparse-fixed', 4, 2), 12] },
    { name: 'fixed: the last query of a block (i = 11, W = 4)', args: [pattern('sparse-fixed', 4, 1), 11] },
    { name: 'strided: query 2, inside the first window', args: [pattern('sparse-strided', 4), 2] },
    { name: 'sliding window 3, query 9', args: [pattern('sliding', 3), 9] },
    { name: 'sliding window 6, query 1 (fewer than W keys)', args: [pattern('sliding', 6), 1] },
    { name: 'full, query 6', args: [pattern('full', 8), 6] },
    { name: 'query 0 sees only itself', args: [pattern('sparse-fixed', 4, 1), 0] },
    { name: 'strided, stride 1: every key', args: [pattern('sparse-strided', 1), 5] },
    { name: 'fixed, c = W: every earlier block whole', args: [pattern('sparse-fixed', 3, 3), 10] },
  ],
  diagnose(got, want, c) {
    const [p, i] = c.args as [AttentionPattern, number];
    if (!Array.isArray(got)) return 'return an array of key positions';
    const g = got as number[];
    const w = want as number[];
    const W = p.window;
    if (g.some((j) => j > i || j < 0)) return `a key outside 0..${i}: every pattern is causal, 0 <= j <= i`;
    if (new Set(g).size !== g.length)
      return 'a key listed twice: where the window and the strided or summary keys overlap, list it once';
    if (g.length === w.length && [...g].sort((a, b) => a - b).join() === w.join())
      return 'the right keys, but list them in ascending order';
    if (p.kind === 'sliding' && g.includes(i - W)) return 'the window holds W keys: i - W < j <= i';
    if (p.kind === 'sparse-strided' && g.some((j) => j <= i - W && (i - j) % W !== 0))
      return 'the strided keys are those with (i - j) mod W = 0: start at i mod W, not at 0';
    const own = i - (i % W);
    if (p.kind === 'sparse-fixed' && g.some((j) => j < own && j % W < W - p.summary))
      return "an earlier block's summary is its last c positions (j mod W >= W - c), not its first";
    if (p.kind === 'sparse-fixed' && w.some((j) => j >= own && !g.includes(j)))
      return 'the query sees its own block from its start (i - i mod W) up to i';
    if (w.some((j) => !g.includes(j))) return 'a key the pattern allows is missing';
    return null;
  },
  extra: [sparseForwardStep('sparse-strided'), sparseForwardStep('sparse-fixed')],
};

// alibi-slopes

const alibiSlopesSpec: ExerciseSpec = {
  id: 'alibi-slopes',
  chapter: 15,
  section: 'ALiBi',
  title: 'ALiBi’s head slopes, with the paper’s rule for a head count that is not a power of two',
  exportName: 'alibiSlopes',
  slot: 'alibiSlopes',
  pureInputs: true,
  topics: ['positions', 'attention'],
  compare:
    "Press et al.'s reference code (get_slopes) and Hugging Face's BLOOM (build_alibi_tensor) compute " +
    'the same slopes: those of the closest lower power of two, then the odd powers 1, 3, 5, ... of the ' +
    "2p sequence's ratio. BLOOM adds m · j rather than -m · (i - j): a constant per row, which the " +
    'softmax ignores.',
  hints: [
    'For n heads, n a power of two, the slopes are a geometric sequence: m_h = 2^(-8h/n) for h = 1..n ' +
      '(n = 8: 1/2, 1/4, ..., 1/256). Head 0 gets the steepest slope, 2^(-8/n).',
    'When n is not a power of two, take p = the largest power of two below n: its p slopes first, ' +
      'then the n - p extra slopes from the sequence for 2p heads, every other one starting with the ' +
      'first: 2^(-8·1/2p), 2^(-8·3/2p), 2^(-8·5/2p), ...',
    'const pow2 = (m) => [1..m].map(h => 2 ** (-8 * h / m)); p = 2 ** floor(log2(n)); if (p === n) ' +
      'return pow2(n); return [...pow2(p), ...pow2(2 * p).filter((_, i) => i % 2 === 0).slice(0, n - p)]',
  ],
  tolerance: { atol: 1e-12, rtol: 1e-9 },
  cases: () => [
    { name: 'n = 8 (the paper’s example)', args: [8] },
    { name: 'n = 6: 4 slopes, then 2 from the 8-head sequence', args: [6] },
    { name: 'n = 12', args: [12] },
    { name: 'n = 1', args: [1] },
    { name: 'n = 2', args: [2] },
    { name: 'n = 3', args: [3] },
    { name: 'n = 5', args: [5] },
    { name: 'n = 7 (three extra slopes)', args: [7] },
    { name: 'n = 16', args: [16] },
    { name: 'n = 24', args: [24] },
  ],
  diagnose(got, want, c) {
    const n = c.args[0] as number;
    if (!Array.isArray(got) || got.length !== n) return `return n = ${n} slopes, one per head`;
    const g = got as number[];
    const w = want as number[];
    if (close(g, slopesFromZero(n))) return "h runs from 1 to n: head 0's slope is 2^(-8/n), not 2^0 = 1";
    if (close(g, [...w].reverse())) return 'head 0 is the steepest: the slopes fall from 2^(-8/n)';
    if (close(g, slopesAnyN(n)))
      return (
        `n = ${n} is not a power of two: take the slopes of the largest power of two p below it, then ` +
        "every other slope of 2p's sequence"
      );
    const p = 2 ** Math.floor(Math.log2(n));
    if (p !== n && close(g.slice(0, p), w.slice(0, p)))
      return (
        "the extra slopes are every other slope of 2p's sequence starting with its first: 2^(-8·1/2p), " +
        '2^(-8·3/2p), ...'
      );
    if (close([...g].sort(), [...w].sort())) return "the power of two's p slopes come first, then the extras";
    return null;
  },
  extra: [alibiForwardStep()],
};

// linear-attention-step

const linearStepSpec: ExerciseSpec = {
  id: 'linear-attention-step',
  chapter: 15,
  section: 'Linear attention',
  title: 'One recurrent step of causal linear attention: update S and z, read the output',
  exportName: 'linearAttentionStep',
  slot: 'linearAttentionStep',
  pureInputs: true,
  topics: ['attention', 'inference'],
  compare:
    "Katharopoulos et al.'s fast-transformers library runs the same recurrence " +
    '(RecurrentLinearAttention, with elu + 1 features). Later recurrent models decay the state at each ' +
    'step instead of only adding to it: RetNet multiplies S by a fixed γ < 1, RWKV and Mamba use learned ' +
    'decays (input-dependent in Mamba).',
  hints: [
    'First the feature map, on q and k only: φ(x) = elu(x) + 1 = max(x, 0) + exp(min(x, 0)), with ' +
      'tensor ops (x.relu(), x.minimum(0).exp(), add). Then fold the new position into the state: ' +
      'S gets φ(k) vᵀ added (an outer product, (hs, hv) per head), z gets φ(k) added.',
    'Read the output from the new state, so the position attends to itself: out = φ(q) S / (φ(q) · z). ' +
      'With the shapes (B, nh, 1, hs): φ(k)ᵀ v is fk.transpose(-2, -1).matmul(v), φ(q) S is ' +
      'fq.matmul(S2), and φ(q) · z is fq.mul(z2).sum(-1, true). Return new tensors; leave S and z as ' +
      'they were.',
    'const phi = (x) => x.relu().add(x.minimum(0).exp()); const fq = phi(q), fk = phi(k); const S2 = ' +
      'S.add(fk.transpose(-2, -1).matmul(v)); const z2 = z.add(fk); return { out: ' +
      'fq.matmul(S2).div(fq.mul(z2).sum(-1, true)), S: S2, z: z2 }',
  ],
  cases: (rng) => [
    { name: 'after 5 positions, (2, 3) heads, hs = hv = 4', args: stepCase(rng, [2, 3, 4, 4], 5) },
    { name: 'after 3 positions, hs = 3, hv = 5', args: stepCase(rng, [1, 2, 3, 5], 3) },
    { name: 'after 1 position, one head, hs = 1, hv = 1', args: stepCase(rng, [1, 1, 1, 1], 1) },
    { name: 'large q and k (±4): both branches of elu', args: stepCase(rng, [2, 2, 6, 3], 7, 4) },
    { name: 'the first position (S = 0, z = 0)', args: stepCase(rng, [2, 1, 4, 4], 0) },
    { name: 'a long past (40 positions), hs = 8', args: stepCase(rng, [1, 2, 8, 8], 40) },
    { name: 'hs = 5, hv = 2, batch of 3', args: stepCase(rng, [3, 1, 5, 2], 4) },
  ],
  diagnose(got, want, c) {
    const g = got as Partial<LinearStep> | null;
    const w = want as LinearStep;
    if (!g || !(g.out instanceof Tensor) || !(g.S instanceof Tensor) || !(g.z instanceof Tensor))
      return 'return { out, S, z }: the output and the new state, as tensors';
    const args = c.args as Tensor[];
    const outIs = (t: Tensor) => close(g.out!.data, t.data, 1e-4);
    if (!outIs(w.out)) {
      if (outIs(stepVariant(args, { oldState: true })))
        return 'out is read from the old state: add φ(k) vᵀ and φ(k) first, so the position sees itself';
      if (outIs(stepVariant(args, { noFeatureMap: true })))
        return 'apply the feature map φ(x) = elu(x) + 1 to q and k, so every similarity is positive';
      if (outIs(stepVariant(args, { relu1: true })))
        return 'φ(x) = elu(x) + 1 is exp(x) for x <= 0, not 1: max(x, 0) + exp(min(x, 0))';
      if (outIs(stepVariant(args, { noDenominator: true })))
        return "divide by φ(q) · z: the normaliser that makes the past's weights sum to 1";
      return null;
    }
    if (!close(g.S.data, w.S.data, 1e-4))
      return 'S gains φ(k) vᵀ: the feature-mapped key as a column times the value as a row, (hs, hv)';
    if (!close(g.z.data, w.z.data, 1e-4)) return 'z gains φ(k), the feature-mapped key (not k itself)';
    return null;
  },
  extra: [linearCachedStep()],
};

// moe-routing

type RoutingOut = { experts?: unknown; gates?: unknown };

const moeRoutingSpec: ExerciseSpec = {
  id: 'moe-routing',
  chapter: 15,
  section: 'Mixture of experts',
  title: 'Top-k routing: each token’s k best experts and their gates (a softmax over those k logits)',
  exportName: 'topKRouting',
  slot: 'topKRouting',
  pureInputs: true,
  topics: ['model', 'training'],
  compare:
    "Mixtral (and Hugging Face's MixtralSparseMoeBlock) takes the top k of the softmax over all E and " +
    'renormalises them, which equals a softmax over the k chosen logits; the Switch Transformer routes ' +
    'top-1 and keeps the unnormalised probability as the gate; DeepSeek-MoE adds shared experts every ' +
    'token reaches, and DeepSeek-V3 balances the load mostly with a per-expert bias rather than a loss.',
  hints: [
    'For each token (a row of E router logits), find the k largest, best first (on a tie the lower ' +
      "index first); experts is a flat Int32Array of N·k, token n's j-th choice at n·k + j. The gates " +
      '(N, k) are a softmax over those k logits only, so each token’s gates sum to 1.',
    'The choice has no gradient but the gates must: pick the chosen logits with tensor ops, ' +
      'logits.gather(1, index) with index an (N, k) tensor of the expert ids, then .softmax(-1). ' +
      'fromArray(experts, [N, k], { dtype: logits.dtype }) makes the index.',
    'for (n) { order = [0..E).sort((a, b) => row[b] - row[a] || a - b); experts.set(order.slice(0, k), ' +
      'n * k) } gates = logits.gather(1, fromArray(experts, [N, k], { dtype: logits.dtype })).softmax(-1); ' +
      'return { experts, gates }',
  ],
  normalize: (out) => {
    const o = out as RoutingOut;
    const e = flatExperts(o.experts);
    return e ? { experts: Int32Array.from(e), gates: o.gates } : out;
  },
  cases: (rng) => [
    { name: '5 tokens, 4 experts, top-2', args: [routerLogits(rng, 5, 4), 2] },
    { name: 'top-1 (Switch): the gate is 1', args: [routerLogits(rng, 3, 8), 1] },
    { name: 'k = E: every expert, best first', args: [routerLogits(rng, 2, 3), 3] },
    { name: 'ties: the lower index first', args: [tiedLogits(rng, 6, 5), 2] },
    { name: 'large logits (±1000)', args: [routerLogits(rng, 4, 6, 1000), 2] },
    { name: '1 token, 8 experts, top-2 (Mixtral)', args: [routerLogits(rng, 1, 8), 2] },
    { name: '7 tokens, 16 experts, top-3', args: [routerLogits(rng, 7, 16), 3] },
  ],
  diagnose(got, want, c) {
    const g = got as RoutingOut | null;
    const w = want as { experts: Int32Array; gates: Tensor };
    const [logits, k] = c.args as [Tensor, number];
    const E = logits.shape[1]!;
    const ge = g ? flatExperts(g.experts) : null;
    if (!ge || !(g!.gates instanceof Tensor))
      return 'return { experts, gates }: an Int32Array (N·k) and a Tensor (N, k)';
    const we = Array.from(w.experts);
    if (ge.length !== we.length)
      return `experts holds N·k = ${we.length} ids: token n's j-th choice at n·k + j`;
    if (ge.join() !== we.join()) {
      for (let n = 0; n < we.length / k; n++) {
        const [gn, wn] = [ge.slice(n * k, n * k + k), we.slice(n * k, n * k + k)];
        if (gn.join() === wn.join()) continue;
        const row = logits.data.subarray(n * E, (n + 1) * E);
        const value = (ids: number[]) => ids.map((e) => row[e]).join();
        if (value(gn) === value(wn)) return 'on a tie between logits, the lower expert index comes first';
        if ([...gn].sort().join() === [...wn].sort().join())
          return "list each token's experts best first (the largest logit first)";
        return "the experts are each token's k largest router logits";
      }
    }
    const gates = g!.gates as Tensor;
    if (gates.data.some((x) => Number.isNaN(x)))
      return 'NaN gates: subtract the largest logit before exp (or use .softmax(-1))';
    const allSoftmax = w.experts.length > 0 ? logits.softmax(-1) : null;
    if (allSoftmax) {
      const picked = Array.from(w.experts, (e, a) => allSoftmax.data[Math.floor(a / k) * E + e]!);
      if (close(gates.data, picked, 1e-4))
        return (
          'the gates are a softmax over the k chosen logits only, ' +
          "so each token's gates sum to 1 (not over all E)"
        );
    }
    return null;
  },
  extra: [gatesGradStep(), moeForwardStep(), moeTrainsStep()],
};

export const chapter15: ExerciseSpec[] = [sparsePatternSpec, alibiSlopesSpec, linearStepSpec, moeRoutingSpec];
