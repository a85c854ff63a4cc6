// Chapter 12 exercises: alignment (docs/12-alignment.md). The per-token log-probabilities every
// method starts from, DPO's loss (Rafailov et al., 2023, eq. 7), the reward model's Bradley-Terry
// loss (InstructGPT eq. 1) and GRPO's group-relative advantages (Shao et al., 2024, DeepSeekMath).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { tokenLogProbs } from '../../train/align/logprobs.js';
import { dpoLoss } from '../../train/align/dpo.js';
import { bradleyTerryLoss } from '../../train/align/reward-model.js';
import '../../train/align/grpo.js'; // registers groupAdvantages
import {
  advantagesVariant,
  dpoCase,
  dpoMargins,
  dpoRaisesMarginStep,
  logSigmoid,
  logpCase,
  logpVariant,
  near,
  nonFinite,
  pairLoss,
  pairLossMistake,
  rewardsCase,
  sequenceLogProbsStep,
  vec,
  type DpoArgs,
  type LogpArgs,
} from './ch12-helpers.js';

// token-logprobs

const tokenLogProbsSpec: ExerciseSpec = {
  id: 'token-logprobs',
  chapter: 12,
  section: 'Sequence log-probabilities',
  title: "Each target token's log-probability, masked to the response",
  exportName: 'tokenLogProbs',
  slot: 'tokenLogProbs',
  differentiable: true,
  topics: ['training'],
  compare:
    "TRL's selective_log_softmax (DPO, GRPO) gathers the target's logit and subtracts its row's " +
    "logsumexp, to save memory; rasbt's DPO notebook writes log_softmax, torch.gather and a mask " +
    "multiply, then averages over the response tokens; DPO's paper, TRL's and OpenRLHF's DPO sum " +
    'them (the mean is for IPO and SimPO, length-normalised).',
  hints: [
    'log π(y_t | ...) is the log-softmax of the logits at position t, read at the target id y[b, t]. ' +
      'The mask is 1 on response tokens and 0 on the prompt and the padding, which must count 0.',
    'log-softmax(x) = x - max - log Σ exp(x - max) over the vocabulary (the last axis): subtracting the ' +
      'max keeps exp from overflowing at ±1000, and never take log(softmax(x)), which underflows to ' +
      'log 0. Then pick entry y[b, t] with gather along axis 2 and multiply by the mask.',
    'const [B, T] = targets.shape; return logits.logSoftmax(-1).gather(2, targets.reshape(B, T, 1))' +
      '.reshape(B, T).mul(mask);',
  ],
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: (rng) => [
    {
      name: 'right-padded (2, 5, 7): prompt 0, response 1, padding 0',
      args: logpCase(
        rng,
        [2, 5, 7],
        [
          [0, 0, 1, 1, 0],
          [0, 1, 1, 1, 1],
        ],
      ),
    },
    {
      name: 'odd shape (3, 4, 11), a random mask',
      args: logpCase(
        rng,
        [3, 4, 11],
        [0, 1, 2].map(() => [0, 1, 2, 3].map(() => (rng.random() < 0.6 ? 1 : 0))),
      ),
    },
    { name: 'size 1 (1, 1, 1): a one-word vocabulary, log p = 0', args: logpCase(rng, [1, 1, 1], [[1]]) },
    { name: 'one position (1, 1, 6)', args: logpCase(rng, [1, 1, 6], [[1]]) },
    {
      name: 'mask all 0 (2, 3, 4): nothing counts',
      args: logpCase(
        rng,
        [2, 3, 4],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
      ),
    },
    {
      name: 'large logits (±1e3) (2, 3, 5): the log-softmax must be stable',
      args: logpCase(
        rng,
        [2, 3, 5],
        [
          [1, 1, 1],
          [0, 1, 1],
        ],
        1e3,
      ),
      tolerance: { atol: 1e-2, rtol: 1e-4 },
    },
  ],
  diagnose(got, want, c) {
    const args = c.args as LogpArgs;
    if (nonFinite(got) && !nonFinite(want))
      return (
        'an infinite or NaN log-probability: exp(x) overflows at x = 1000 and log(softmax(x)) is log 0 ' +
        'for a token far below the max; compute x - max - log Σ exp(x - max)'
      );
    if (args[2].data.some((m) => m === 0) && near(got, logpVariant(args, { noMask: true })))
      return 'the mask is not applied: prompt and padding positions must give 0 (multiply by mask)';
    if (
      near(got, logpVariant(args, { probs: true })) ||
      near(got, logpVariant(args, { probs: true, noMask: true }))
    )
      return 'these are probabilities (softmax), not log-probabilities: use the log-softmax';
    if (args[0].shape[1]! > 1 && near(got, logpVariant(args, { axisT: true })))
      return 'the log-softmax is over the wrong axis (time): normalise over the vocabulary, the last axis';
    if (
      want instanceof Tensor &&
      want.data.some((v) => v !== 0) &&
      near(
        got,
        want.data.map((v) => -v),
      )
    )
      return 'these are -log p (the cross-entropy), not log p: a log-probability is ≤ 0';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through log-softmax, pick and mask',
      (logits) => {
        const y = new Tensor(Float64Array.from([2, 0, 4, 1, 3, 3]), [2, 3]);
        const m = new Tensor(Float64Array.from([0, 1, 1, 1, 1, 0]), [2, 3]);
        return tokenLogProbs(logits, y, m);
      },
      () => [randn(new Rng(21), [2, 3, 5], { dtype: 'float64', requiresGrad: true })],
    ),
    sequenceLogProbsStep(),
  ],
};

// dpo-loss

const dpoLossSpec: ExerciseSpec = {
  id: 'dpo-loss',
  chapter: 12,
  section: 'DPO',
  title: 'The DPO loss: -mean log σ(β((π_c - ref_c) - (π_r - ref_r)))',
  exportName: 'dpoLoss',
  slot: 'dpoLoss',
  differentiable: true,
  topics: ['training'],
  compare:
    "rasbt's DPO notebook: logits = (π_c - π_r) - (ref_c - ref_r), loss = -F.logsigmoid(beta * logits), " +
    "then .mean(); TRL's DPOTrainer (loss_type 'sigmoid') is the same, with label_smoothing for " +
    "conservative DPO and other loss types (IPO's squared loss, hinge); OpenRLHF's DPOLoss as well. " +
    'All of them use logsigmoid, never log(sigmoid(x)).',
  hints: [
    'DPO treats β log(π/π_ref) as an implicit reward: the chosen one should beat the rejected one. The ' +
      'margin of pair i is z_i = β((π_c - ref_c) - (π_r - ref_r)), and the loss is -log σ(z_i), averaged.',
    'β multiplies the whole difference of the two log-ratios (both sides). ' +
      'log σ(z) = log(1 / (1 + e^{-z})) underflows for z = -200: use min(z, 0) - log(1 + e^{-|z|}), ' +
      'which z.logSigmoid() computes ' +
      '(its gradient is σ(-z)). Written with minimum and abs, mind z = 0 exactly (every pair at the ' +
      "first step, where the policy is the reference): the kinks' gradients must add up to σ(0) = ½.",
    'return policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected)).mul(beta).logSigmoid()' +
      '.mean().neg();',
  ],
  cases: (rng) => {
    const big: DpoArgs = [
      vec([-250, 150, -1050, -20]),
      vec([-40, -40, -40, -40]),
      vec([-50, -50, -50, -50]),
      vec([-40, -40, -40, -40]),
      1,
    ];
    const same = dpoCase(rng, 5, 1);
    return [
      { name: 'batch of 4, β = 0.1 (log-probs ≈ -20)', args: dpoCase(rng, 4, 0.1) },
      { name: 'one pair (B = 1), β = 0.5', args: dpoCase(rng, 1, 0.5) },
      { name: 'odd batch 7, β = 2', args: dpoCase(rng, 7, 2) },
      {
        name: 'policy = reference (B = 5): every margin 0, loss log 2',
        args: [same[2], same[3], same[2], same[3], 1] as DpoArgs,
      },
      { name: 'large margins (β·Δ = -200, 200, -1000, 30): log σ must not underflow', args: big },
    ];
  },
  diagnose(got, want, c) {
    const args = c.args as DpoArgs;
    const mistake = pairLossMistake(got, want, dpoMargins(args));
    if (mistake) return mistake;
    const beta = args[4];
    const loss = (o: Parameters<typeof dpoMargins>[1]) => [pairLoss(dpoMargins(args, o))];
    if (beta !== 1 && (near(got, loss({ br: 1 })) || near(got, loss({ bc: 1 }))))
      return 'β multiplies only one side: it scales the whole difference, β((π_c - ref_c) - (π_r - ref_r))';
    if (beta !== 1 && near(got, loss({ bc: 1, br: 1 })))
      return 'β is missing: the margin is β times the difference';
    if (near(got, loss({ noRef: true })))
      return 'the reference is left out: each side is a log-ratio, π - ref, not π alone';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences (margins from -30 to 30, and exactly 0)',
      (pc, pr) =>
        dpoLoss(
          pc,
          pr,
          new Tensor(Float64Array.from([-12, -20, -8, -30, -12]), [5]),
          new Tensor(Float64Array.from([-15, -18, -9, -5, -16]), [5]),
          0.7,
        ),
      () => [
        new Tensor(Float64Array.from([-11, -60, -9, -20, -10]), [5], true),
        new Tensor(Float64Array.from([-14.5, -19, -52, -9, -14]), [5], true),
      ],
    ),
    dpoRaisesMarginStep(),
  ],
};

// bradley-terry-loss

const bradleyTerrySpec: ExerciseSpec = {
  id: 'bradley-terry-loss',
  chapter: 12,
  section: 'Reward models',
  title: "The reward model's Bradley-Terry loss: -mean log σ(r_c - r_r)",
  exportName: 'bradleyTerryLoss',
  slot: 'bradleyTerryLoss',
  differentiable: true,
  topics: ['training'],
  compare:
    "InstructGPT's reward model loss, -E log σ(r(x, y_w) - r(x, y_l)); TRL's RewardTrainer writes " +
    '-nn.functional.logsigmoid(rewards_chosen - rewards_rejected).mean() (minus a margin, if the data ' +
    "has one); OpenRLHF's PairWiseLoss is the same, and its LogExpLoss the equal log(1 + e^{r_r - r_c}).",
  hints: [
    'Bradley-Terry: the chosen response wins with probability σ(r_c - r_r). Training maximises the log ' +
      'of that probability, so the loss of a pair is -log σ(r_c - r_r), averaged over the batch.',
    'Only the difference of the two rewards matters. For r_c - r_r = -200, log(σ) of a float32 σ is ' +
      'log 0: use min(z, 0) - log(1 + e^{-|z|}), or z.logSigmoid(); build it from tensor ops. With ' +
      'minimum and abs, at z = 0 exactly (equal rewards) the gradient must still be σ(0) = ½.',
    'return chosen.sub(rejected).logSigmoid().mean().neg();',
  ],
  cases: (rng) => [
    { name: 'batch of 6, rewards ≈ N(0, 1)', args: rewardsCase(rng, 6) },
    { name: 'one pair (B = 1)', args: rewardsCase(rng, 1) },
    { name: 'equal rewards (B = 3): loss log 2', args: [vec([0.5, -1, 2]), vec([0.5, -1, 2])] },
    { name: 'odd batch 7 around +50: only differences matter', args: rewardsCase(rng, 7, 50, 3) },
    {
      name: 'large margins (r_c - r_r = -200, 200, -1000, 5): log σ must not underflow',
      args: [vec([-190, 210, -995, 3]), vec([10, 10, 5, -2])],
    },
  ],
  diagnose(got, want, c) {
    const [rc, rr] = c.args as [Tensor, Tensor];
    const z = Array.from(rc.data, (v, i) => v - rr.data[i]!);
    const mistake = pairLossMistake(got, want, z);
    if (mistake) return mistake;
    const apart = -Array.from(rc.data, (v, i) => logSigmoid(v) + logSigmoid(-rr.data[i]!)).reduce(
      (a, b) => a + b,
      0,
    );
    if (near(got, [apart / z.length]))
      return 'each reward went through σ on its own: the model compares the two, σ(r_c - r_r)';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences (margins from -25 to 25, and exactly 0)',
      (rc, rr) => bradleyTerryLoss(rc, rr),
      () => [
        new Tensor(Float64Array.from([0.3, -25, 4, 1.5, 10]), [5], true),
        new Tensor(Float64Array.from([-0.2, 0, -21, 1.5, 12]), [5], true),
      ],
    ),
  ],
};

// group-advantages

const groupAdvantagesSpec: ExerciseSpec = {
  id: 'group-advantages',
  chapter: 12,
  section: 'GRPO',
  title: "GRPO's group-relative advantages: (r - mean) / (std + 1e-4)",
  exportName: 'groupAdvantages',
  slot: 'groupAdvantages',
  pureInputs: true,
  topics: ['training'],
  compare:
    "DeepSeekMath's GRPO normalises the rewards of a group by their mean and std, (r - mean(r)) / std(r), " +
    "with no critic; TRL's GRPOTrainer computes (r - mean) / (std + 1e-4) with torch.std, the sample std " +
    '(n - 1), as here; Dr. GRPO (Liu et al., 2025) drops the division by std as a bias towards easy and ' +
    'hard questions, and nanochat keeps only r - mean.',
  hints: [
    'GRPO has no value network: a response is good if its reward beats the other responses to the SAME ' +
      'prompt. Its advantage is its reward minus the group mean, divided by the group std.',
    'Use the sample standard deviation, √(Σ (r - mean)² / (G - 1)), and divide by std + 1e-4 (outside ' +
      'the root). With one response (G = 1), or all rewards equal, there is nothing to prefer: every ' +
      'advantage is 0, never NaN.',
    'if (G < 2) return zeros; const m = Σr / G; const s = Math.sqrt(Σ (r - m)² / (G - 1)); return ' +
      'rewards.map((r) => (s === 0 ? 0 : (r - m) / (s + 1e-4)));',
  ],
  cases: (rng) => [
    { name: 'binary rewards (G = 8): three of eight right', args: [[1, 0, 0, 1, 0, 0, 0, 1]] },
    { name: 'real rewards (G = 5)', args: [Array.from({ length: 5 }, () => rng.random())] },
    { name: 'a pair (G = 2)', args: [[0.2, 0.9]] },
    { name: 'one response (G = 1): advantage 0', args: [[0.7]] },
    { name: 'equal rewards (G = 6): zeros, not NaN', args: [[1, 1, 1, 1, 1, 1]] },
    { name: 'small spread (std ≈ 1e-3): the 1e-4 counts', args: [[0.5, 0.501, 0.502, 0.4995]] },
    {
      name: 'large rewards (±1e3, G = 16)',
      args: [Array.from({ length: 16 }, () => 1e3 * (2 * rng.random() - 1))],
    },
  ],
  diagnose(got, _want, c) {
    const [r] = c.args as [number[]];
    if (nonFinite(got))
      return (
        'a NaN or infinite advantage: with one response or equal rewards the std is 0 (0 / 0); ' +
        'return zeros for such a group'
      );
    if (r.length === 1) return 'with one response there is no group to compare with: its advantage is 0';
    const is = (o: Parameters<typeof advantagesVariant>[1]) => near(got, advantagesVariant(r, o), 1e-4);
    if (is({ population: true }))
      return 'this is the population std (÷ G): use the sample std, ÷ (G - 1), as torch.std and TRL do';
    if (is({ noEps: true })) return 'the 1e-4 is missing: divide by std + 1e-4';
    if (is({ epsInRoot: true })) return 'the 1e-4 went inside the root: divide by √variance + 1e-4';
    if (is({ population: true, noEps: true }))
      return 'population std (÷ G) and no 1e-4: divide by the sample std (÷ (G - 1)) + 1e-4';
    if (is({ noStd: true })) return 'the advantages are centred but not divided by the std (+ 1e-4)';
    if (is({ noMean: true })) return 'the mean is not subtracted: an advantage is r - mean, over std + 1e-4';
    return null;
  },
};

export const chapter12: ExerciseSpec[] = [
  tokenLogProbsSpec,
  dpoLossSpec,
  bradleyTerrySpec,
  groupAdvantagesSpec,
];
