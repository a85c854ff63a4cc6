// Chapter 6 exercises: the GPT's forward pass and its loss (docs/06-gpt-and-encoder-decoder.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng, manualSeed } from '../../tensor/rng.js';
import { linear } from '../../tensor/ops/matmul.js';
import { crossEntropy } from '../../tensor/ops/loss.js';
import { GPT } from '../../model/gpt.js';
import type { GPTConfigInput } from '../../model/config.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn, randomIds } from '../helpers.js';
import { tinyTrainStep } from './ch04-helpers.js';
import { matches } from './ch05-helpers.js';

const SMALL: GPTConfigInput = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

function gptCase(
  rng: Rng,
  name: string,
  B: number,
  T: number,
  config: Partial<GPTConfigInput> = {},
): CheckCase {
  manualSeed(rng.randint(0, 1 << 30));
  const model = new GPT({ ...SMALL, ...config });
  const idx = new Tensor(Float32Array.from(randomIds(rng, B * T, SMALL.vocabSize)), [B, T]);
  return { name, args: [model, idx] };
}

/** The forward with a piece left out, to name the mistake a learner's output matches. */
function gptVariant(m: GPT, idx: Tensor, skip: 'positions' | 'ln_f' | 'blocks'): Tensor {
  const T = idx.shape[1]!;
  let x = m.wte.forward(idx); // (B, T, C)
  if (skip !== 'positions') x = x.add(m.wpe!.forward(Array.from({ length: T }, (_, t) => t)));
  if (skip !== 'blocks') for (const block of m.h) x = block.forward(x);
  if (skip !== 'ln_f') x = m.ln_f.forward(x);
  return m.lm_head ? m.lm_head.forward(x) : linear(x, m.wte.weight); // (B, T, V)
}

const gptForwardSpec: ExerciseSpec = {
  id: 'gpt-forward',
  chapter: 6,
  section: 'GPT: a decoder-only language model',
  title: "The GPT's forward pass: token ids to next-token logits",
  exportName: 'gptForward',
  slot: 'gptForward',
  differentiable: true,
  topics: ['model'],
  hints: [
    'Each position starts as its token embedding plus its position embedding: model.wte.forward(idx) is ' +
      '(B, T, C), model.wpe.forward([0, 1, ..., T-1]) is (T, C) and broadcasts over the batch.',
    'Then dropout (model.drop), every block in model.h in order (block.forward(x)), the final norm ' +
      'model.ln_f, and the head: model.lm_head, or, when it is null (tied weights), x times the ' +
      'transposed token embedding matrix.',
    'let x = model.wte.forward(idx).add(model.wpe!.forward(positions)); x = model.drop.forward(x); for ' +
      '(const b of model.h) x = b.forward(x); x = model.ln_f.forward(x); return model.lm_head ? ' +
      'model.lm_head.forward(x) : x.matmul(model.wte.weight.transpose(0, 1));',
  ],
  cases: (rng) => [
    gptCase(rng, 'tied head, (2, 5) ids', 2, 5),
    gptCase(rng, 'one token (1, 1)', 1, 1),
    gptCase(rng, 'full context (3, 8)', 3, 8),
    gptCase(rng, 'separate lm_head (tieWeights: false), (2, 6)', 2, 6, { tieWeights: false }),
    // Training mode with dropout: the same seed gives the same masks only if model.drop is applied
    // where the reference applies it (after the embeddings, before the blocks).
    gptCase(rng, 'dropout 0.2, training mode, (2, 6)', 2, 6, { dropout: 0.2 }),
  ],
  before: () => manualSeed(4242),
  diagnose(got, _want, c) {
    const [m, idx] = c.args as [GPT, Tensor];
    if (matches(got, gptVariant(m, idx, 'positions').data))
      return (
        'the position embeddings are missing: add model.wpe.forward([0, ..., T-1]) to the token ' +
        'embeddings'
      );
    if (matches(got, gptVariant(m, idx, 'ln_f').data))
      return 'the final layer norm model.ln_f is missing before the head';
    if (matches(got, gptVariant(m, idx, 'blocks').data)) return 'the blocks (model.h) are not applied';
    if (c.name.startsWith('dropout'))
      return 'only the dropout case differs: apply model.drop to the embeddings sum, before the blocks';
    return null;
  },
  extra: [tinyTrainStep('tiny GPT trains 40 steps with your forward pass')],
};

const ceCase = (
  rng: Rng,
  name: string,
  N: number,
  V: number,
  o: { scale?: number; ignore?: number[]; ignoreIndex?: number } = {},
): CheckCase => {
  const ignoreIndex = o.ignoreIndex ?? -100;
  const targets = randomIds(rng, N, V);
  for (const n of o.ignore ?? []) targets[n] = ignoreIndex;
  if (o.ignoreIndex !== undefined)
    for (let n = 0; n < N; n++)
      if (targets[n] === ignoreIndex && !(o.ignore ?? []).includes(n)) targets[n] = 1;
  return { name, args: [randn(rng, [N, V], { scale: o.scale ?? 2 }), targets, ignoreIndex] };
};

/** -log softmax(logits_n)[t_n] of every counted row, in float64 with the max subtracted. */
function rowLosses(logits: Tensor, targets: readonly number[], ignoreIndex: number): number[] {
  const V = logits.shape[1]!;
  const out: number[] = [];
  targets.forEach((t, n) => {
    if (t === ignoreIndex) return;
    const row = Array.from(logits.data.subarray(n * V, (n + 1) * V));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
    out.push(lse - row[t]!);
  });
  return out;
}

const crossEntropySpec: ExerciseSpec = {
  id: 'cross-entropy',
  chapter: 6,
  section: 'GPT: a decoder-only language model',
  title: 'Cross-entropy: the mean of −log softmax at the target',
  exportName: 'crossEntropy',
  slot: 'crossEntropy',
  differentiable: true,
  topics: ['training'],
  hints: [
    'For each row n: log p_n = log_softmax(logits_n) = logits_n - log Σ_v exp(logits_n[v]); its loss is ' +
      '-log p_n[t_n]. Rows whose target is ignoreIndex are left out entirely.',
    "exp overflows for logits near 1000: subtract each row's max first " +
      '(log Σ exp(x) = m + log Σ exp(x - m)). Average over the counted rows only.',
    'keep = rows with t !== ignoreIndex; const z = logits.indexSelect(0, keep); const s = ' +
      'z.sub(z.max(-1, true)); const logp = s.sub(s.exp().sum(-1, true).log()); return logp.gather(1, ' +
      'targetsOfKeptRows (M, 1)).mean().neg();',
  ],
  cases: (rng) => [
    ceCase(rng, '(6, 5) logits', 6, 5),
    ceCase(rng, 'one row (1, 3)', 1, 3),
    ceCase(rng, 'large logits (±1000)', 4, 6, { scale: 1000 }),
    ceCase(rng, 'ignored rows (target -100) are not counted', 6, 4, { ignore: [1, 4] }),
    ceCase(rng, 'ignoreIndex 0 instead of -100', 5, 4, { ignore: [0, 2], ignoreIndex: 0 }),
    ceCase(rng, 'one class (3, 1): loss 0', 3, 1),
  ],
  diagnose(got, want, c) {
    const [logits, targets, ignoreIndex] = c.args as [Tensor, number[], number];
    const g = got as Tensor;
    const w = (want as Tensor).data[0]!;
    if (!g?.data || g.data.length !== 1) return 'return the mean loss as a scalar (0-d) tensor';
    const v = g.data[0]!;
    if (!Number.isFinite(v) && Number.isFinite(w))
      return (
        `the loss is ${v}: exp of a large logit overflows; subtract each row's max before exp ` +
        `(softmax without max-subtraction)`
      );
    const losses = rowLosses(logits, targets, ignoreIndex);
    const sum = losses.reduce((a, x) => a + x, 0);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b));
    if (losses.length < targets.length && close(v, sum / targets.length))
      return 'the mean counts the ignored rows: divide by the number of rows whose target is not ignoreIndex';
    if (losses.length > 1 && close(v, sum)) return 'that is the sum over rows: the loss is their mean';
    if (close(v, -w)) return 'the sign is flipped: the loss is -log p, a positive number';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through your loss',
      (logits) => crossEntropy(logits!, [2, -100, 0, 4]),
      () => [randn(new Rng(8), [4, 5], { dtype: 'float64', requiresGrad: true })],
    ),
    tinyTrainStep('tiny GPT trains 40 steps with your loss'),
  ],
};

export const chapter6: ExerciseSpec[] = [gptForwardSpec, crossEntropySpec];
