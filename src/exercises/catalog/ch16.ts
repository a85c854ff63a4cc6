// Chapter 16 exercises: from GPT-2 to Llama and Qwen (docs/16-from-gpt2-to-llama-and-qwen.md).
// SwiGLU's gate (Shazeer, 2020), grouped-query attention's repeated kv heads (Ainslie et al.,
// 2023), the row permutation between Meta's interleaved RoPE and HF's rotate_half
// (convert_llama_weights_to_hf.py), and Llama 3's RoPE frequency scaling (HF _compute_llama3_parameters).

import type { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { RopeScaling } from '../../model/config.js';
import type { ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import '../../model/mlp.js'; // registers swiglu
import { swiglu } from '../../model/mlp.js';
import '../../model/attention.js'; // registers repeatKv
import '../../model/rope-interleaved.js'; // registers permuteForRotateHalf
import '../../model/rope-scaling.js'; // registers ropeFrequencies
import { tinyTrainStep } from './ch04-helpers.js';
import { blendReversed, near, ropeScoresStep, scaledGptStep, tiledKv } from './ch16-helpers.js';

// swiglu

const swigluSpec: ExerciseSpec = {
  id: 'swiglu',
  chapter: 16,
  section: 'The MLP: GELU to SwiGLU',
  title: 'SwiGLU’s hidden units: silu(gate) ⊙ up',
  exportName: 'swiglu',
  slot: 'swiglu',
  differentiable: true,
  pureInputs: true,
  topics: ['model'],
  compare:
    "Hugging Face's LlamaMLP computes down_proj(act_fn(gate_proj(x)) * up_proj(x)) with act_fn = SiLU " +
    "(hidden_act 'silu'); Meta's reference names the three matrices w1 (gate), w3 (up) and w2 (down). " +
    'GeGLU (T5 v1.1, Gemma) puts a GELU where the SiLU is.',
  hints: [
    'SwiGLU has two projections of x to the hidden width, a gate g and an up projection u; the hidden ' +
      'units are silu(g) ⊙ u, elementwise, where silu(g) = g · sigmoid(g).',
    'Only the gate goes through the nonlinearity; the up projection is used as it is. Tensor has ' +
      '.silu() (or build it: g.mul(g.sigmoid())) and .mul().',
    'return gate.silu().mul(up);',
  ],
  cases: (rng) => [
    { name: '(2, 3, 8)', args: [randn(rng, [2, 3, 8]), randn(rng, [2, 3, 8])] },
    { name: '(1, 1, 1)', args: [randn(rng, [1, 1, 1]), randn(rng, [1, 1, 1])] },
    { name: '(4, 5): odd width', args: [randn(rng, [4, 5]), randn(rng, [4, 5])] },
    {
      name: 'very negative gates (silu -> 0)',
      args: [randn(rng, [3, 4], { scale: 30 }).abs().neg(), randn(rng, [3, 4])],
    },
    { name: 'large gates (±50)', args: [randn(rng, [3, 6], { scale: 50 }), randn(rng, [3, 6])] },
    { name: 'gate 0: no signal passes', args: [randn(rng, [2, 3], { scale: 0 }), randn(rng, [2, 3])] },
  ],
  diagnose(got, _want, c) {
    const [g, u] = c.args as [Tensor, Tensor];
    if (near(got, g.sigmoid().mul(u).data))
      return 'that is GLU, sigmoid(gate) ⊙ up: SwiGLU uses silu(gate) = gate · sigmoid(gate)';
    if (near(got, u.silu().mul(g).data)) return 'the SiLU goes on the gate, not on the up projection';
    if (near(got, g.mul(u).silu().data))
      return 'silu(gate ⊙ up) is not it: only the gate passes through the SiLU';
    if (near(got, g.gelu('tanh').mul(u).data)) return 'that is GeGLU (a GELU gate): SwiGLU gates with SiLU';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through your SwiGLU',
      (g, u) => swiglu(g, u),
      () => {
        const rng = new Rng(16);
        return [
          randn(rng, [2, 5], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [2, 5], { dtype: 'float64', requiresGrad: true }),
        ];
      },
    ),
    tinyTrainStep('tiny GPT (mlp: swiglu) trains 40 steps with your SwiGLU', { mlp: 'swiglu' }),
  ],
};

// repeat-kv

const kv = (rng: Rng, B: number, nKv: number, T: number, hs: number) => randn(rng, [B, nKv, T, hs]);

const repeatKvSpec: ExerciseSpec = {
  id: 'repeat-kv',
  chapter: 16,
  section: 'Attention: grouped-query heads',
  title: 'Grouped-query attention: repeat each key/value head for the query heads it serves',
  exportName: 'repeatKv',
  slot: 'repeatKv',
  differentiable: true,
  pureInputs: true,
  topics: ['attention', 'inference'],
  compare:
    "Hugging Face's repeat_kv (modeling_llama.py) expands (B, nkv, T, hs) to (B, nkv, n_rep, T, hs) and " +
    'reshapes to (B, nh, T, hs): the same order as here. PyTorch 2.5 scaled_dot_product_attention takes ' +
    'enable_gqa=True and never copies; llama.cpp and FlashAttention index the kv head h / n_rep instead.',
  hints: [
    'With nh query heads and nkv kv heads, each kv head serves a group of nh / nkv consecutive query ' +
      'heads: query head h reads kv head floor(h / (nh / nkv)). With nkv = nh, return x as it is.',
    'Pick heads along axis 1: build the list of kv heads for h = 0..nh-1 (nkv = 2, nh = 4: 0 0 1 1) and ' +
      'gather them, e.g. with x.indexSelect(1, list), which keeps autograd.',
    'const group = nHead / x.shape[1]; return x.indexSelect(1, Array.from({ length: nHead }, (_, h) => ' +
      'Math.floor(h / group)));',
  ],
  cases: (rng) => [
    { name: '2 kv heads for 4 query heads (1, 2, 3, 4)', args: [kv(rng, 1, 2, 3, 4), 4] },
    { name: 'multi-query: 1 kv head for 3 (2, 1, 2, 2)', args: [kv(rng, 2, 1, 2, 2), 3] },
    { name: 'SmolLM2: 3 kv heads for 9 (1, 3, 2, 2)', args: [kv(rng, 1, 3, 2, 2), 9] },
    { name: 'as many kv heads as query heads: unchanged', args: [kv(rng, 2, 4, 2, 3), 4] },
    { name: 'one position (1, 2, 1, 5)', args: [kv(rng, 1, 2, 1, 5), 8] },
    { name: 'batch of 3, 4 kv heads for 8', args: [kv(rng, 3, 4, 2, 2), 8] },
  ],
  diagnose(got, _want, c) {
    const [x, nHead] = c.args as [Tensor, number];
    const shape = (got as { shape?: number[] } | null)?.shape;
    if (shape && shape[1] !== nHead) return `return (B, nh, T, hs) with nh = ${nHead} heads on axis 1`;
    if (near(got, tiledKv(x, nHead), 0))
      return (
        'the kv heads are tiled (0 1 0 1): repeat each in place (0 0 1 1), ' +
        'query head h reads kv head floor(h / (nh / nkv))'
      );
    return null;
  },
  extra: [
    tinyTrainStep('tiny GPT with 1 kv head for 2 query heads trains 40 steps (readable attention)', {
      nKvHead: 1,
      dropout: 0.1,
    }),
  ],
};

// rope-permute

const weight = (rng: Rng, nh: number, hs: number, C: number) => randn(rng, [nh * hs, C]);

const ropePermuteSpec: ExerciseSpec = {
  id: 'rope-permute',
  chapter: 16,
  section: 'Two ways to pair the channels',
  title: 'Meta’s interleaved q/k rows to Hugging Face’s rotate_half order, and back',
  exportName: 'permuteForRotateHalf',
  slot: 'permuteForRotateHalf',
  pureInputs: true,
  topics: ['positions', 'weights'],
  compare:
    "transformers' convert_llama_weights_to_hf.py does this with view(nh, hs/2, 2, C).transpose(1, 2); " +
    "llama.cpp's convert_hf_to_gguf.py undoes it (its permute) because GGUF keeps Meta's interleaved " +
    "order; GPT-J and GPT-NeoX differ in exactly this choice (SmolLM2's config.json even states " +
    '"rope_interleaved": false).',
  hints: [
    "Within each head, Meta's row 2i + j (pair i, j = 0 or 1) becomes HF's row j·hs/2 + i: the even " +
      'rows of a head go to its first half, the odd rows to its second half. Rows never leave their head.',
    'Copy whole rows (each has C values): for every head h, pair i and j, copy row h·hs + 2i + j of w to ' +
      'row h·hs + j·hs/2 + i of the output. With inverse, copy the other way.',
    'for h, i, j: const meta = h*hs + 2*i + j, hf = h*hs + j*half + i; const [from, to] = inverse ? ' +
      '[hf, meta] : [meta, hf]; out.set(w.data.subarray(from*C, from*C + C), to*C); ' +
      'then new Tensor(out, [rows, C])',
  ],
  cases: (rng) => [
    { name: '2 heads of 4, C = 3', args: [weight(rng, 2, 4, 3), 2, false] },
    { name: 'the inverse: HF back to Meta', args: [weight(rng, 2, 4, 3), 2, true] },
    { name: '1 head of 8, C = 1', args: [weight(rng, 1, 8, 1), 1, false] },
    { name: '3 heads of 8, C = 5', args: [weight(rng, 3, 8, 5), 3, false] },
    { name: 'head size 2: nothing moves', args: [weight(rng, 4, 2, 3), 4, false] },
    { name: 'inverse, 4 heads of 6', args: [weight(rng, 4, 6, 2), 4, true] },
  ],
  diagnose(got, _want, c) {
    const [w, nh, inverse] = c.args as [Tensor, number, boolean];
    if (near(got, permuteOf(w, nh, !inverse).data, 0))
      return inverse
        ? 'that moves Meta to HF; inverse moves HF row h·hs + j·hs/2 + i back to h·hs + 2i + j'
        : 'that is the inverse: Meta row h·hs + 2i + j goes TO HF row h·hs + j·hs/2 + i';
    if (nh > 1 && near(got, permuteOf(w, 1, inverse).data, 0))
      return 'the rows were permuted across the matrix as one head: permute within each head of hs rows';
    return null;
  },
  extra: [ropeScoresStep],
};

/** The permutation by plain indices (for the diagnoses: what a mistake gives). */
function permuteOf(w: Tensor, nh: number, inverse: boolean): { data: Float32Array } {
  const [rows, cols] = w.shape as [number, number];
  const hs = rows / nh;
  const out = new Float32Array(rows * cols);
  for (let h = 0; h < nh; h++)
    for (let i = 0; i < hs / 2; i++)
      for (let j = 0; j < 2; j++) {
        const meta = h * hs + 2 * i + j;
        const hf = h * hs + (j * hs) / 2 + i;
        const [from, to] = inverse ? [hf, meta] : [meta, hf];
        out.set(w.data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
  return { data: out };
}

// llama3-rope-scaling

const llama3 = (factor: number, lo: number, hi: number, L: number): RopeScaling => ({
  type: 'llama3',
  factor,
  lowFreqFactor: lo,
  highFreqFactor: hi,
  originalMaxPositions: L,
});

const ropeScalingSpec: ExerciseSpec = {
  id: 'llama3-rope-scaling',
  chapter: 16,
  section: 'Longer contexts',
  title: 'RoPE’s frequencies, with linear and Llama 3 scaling',
  exportName: 'ropeFrequencies',
  slot: 'ropeFrequencies',
  pureInputs: true,
  topics: ['positions'],
  tolerance: { atol: 1e-12, rtol: 1e-9 },
  compare:
    "Hugging Face's _compute_llama3_parameters (modeling_rope_utils.py) and Meta's apply_scaling compute " +
    'this rule; YaRN (Qwen2.5 long-context, DeepSeek) blends by wavelength the same way but also ' +
    'rescales the attention temperature, and NTK-aware scaling raises the base instead.',
  hints: [
    'θ_i = base^(-2i/hs) for i = 0..hs/2-1. null: return them. linear: every θ_i / factor. llama3: ' +
      'look at each wavelength λ = 2π/θ_i against the pretraining context L = originalMaxPositions.',
    'llama3: λ < L/highFreqFactor (fast, local): keep θ. λ > L/lowFreqFactor (slow, long range): θ / ' +
      'factor. In between blend: smooth = (L/λ - lowFreqFactor) / (highFreqFactor - lowFreqFactor), ' +
      'θ·smooth + (θ/factor)·(1 - smooth).',
    'theta.map((t) => { const w = 2*Math.PI/t; if (w < L/hi) return t; if (w > L/lo) return t/factor; ' +
      'const s = (L/w - lo)/(hi - lo); return (1 - s)*t/factor + s*t; })',
  ],
  cases: () => [
    { name: 'no scaling, hs 8, base 10000', args: [8, 10000, null] },
    { name: 'linear ×4, hs 8', args: [8, 10000, { type: 'linear', factor: 4 }] },
    { name: 'Llama 3.1: hs 128, θ 500000, ×8, L 8192', args: [128, 500000, llama3(8, 1, 4, 8192)] },
    { name: 'Llama 3.2: hs 64, θ 500000, ×32, L 8192', args: [64, 500000, llama3(32, 1, 4, 8192)] },
    { name: 'every branch: hs 8, L 64 (keep, blend, divide)', args: [8, 10000, llama3(4, 1, 4, 64)] },
    { name: 'head size 2: one frequency, θ_0 = 1', args: [2, 10000, llama3(8, 1, 4, 8192)] },
  ],
  diagnose(got, want, c) {
    const [hs, base, s] = c.args as [number, number, RopeScaling | null];
    if (!(got instanceof Float64Array) && !Array.isArray(got))
      return 'return a Float64Array of hs/2 frequencies';
    if ((got as ArrayLike<number>).length !== hs / 2)
      return `return hs/2 = ${hs / 2} frequencies, one per channel pair`;
    if (s?.type === 'llama3' && near(got, blendReversed(hs, base, s), 1e-12))
      return 'the blend is the wrong way round: smooth = 1 at the high-frequency edge, where θ is kept';
    const [g, w, last] = [got as ArrayLike<number>, want as Float64Array, hs / 2 - 1];
    if (s && hs > 2 && Math.abs(g[last]! / w[last]! - s.factor ** 2) < 1e-6)
      return 'scaling slows frequencies down: divide θ by the factor, never multiply';
    return null;
  },
  extra: [scaledGptStep],
};

export const chapter16: ExerciseSpec[] = [swigluSpec, repeatKvSpec, ropePermuteSpec, ropeScalingSpec];
