// Chapter 7 exercises: training (docs/07-training.md). The optimizer updates work on one parameter's
// flat arrays, as the library's optimizers call them; the schedule is one step's learning rate.

import type { AdamWStepOptions, AdamWStepResult } from '../../train/adamw.js';
import type { SGDStepOptions, SGDStepResult } from '../../train/sgd.js';
import type { CosineScheduleOptions } from '../../train/schedule.js';
import type { ClipResult } from '../../train/clip.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import { adamwVariant, closeTo, cosineVariants, randf, randPositive, sgdVariant } from './ch07-helpers.js';

const ADAM: AdamWStepOptions = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 1 };

const adamwStep: ExerciseSpec = {
  id: 'adamw-step',
  chapter: 7,
  section: 'AdamW',
  title: 'One AdamW update, with bias correction and decoupled weight decay',
  exportName: 'adamwStep',
  slot: 'adamwStep',
  topics: ['training'],
  hints: [
    'Per element: update the two running averages m and v from the gradient, divide each by ' +
      '(1 - β^t) to undo their start at zero, then move θ by lr · m̂ / (sqrt(v̂) + ε).',
    'Weight decay is DECOUPLED: it is not added to the gradient (that is Adam + L2, which Adam then ' +
      'normalises away); it shrinks the weight directly, θ -= lr·λ·θ, before the Adam move.',
    'for each i: p[i] -= lr*λ*p[i]; m[i] = β1 m[i] + (1-β1) g[i]; v[i] = β2 v[i] + (1-β2) g[i]²; ' +
      'p[i] -= lr * (m[i]/(1-β1^t)) / (sqrt(v[i]/(1-β2^t)) + ε); return { param: p, m, v }.',
  ],
  cases: (rng) => {
    const c = (
      name: string,
      n: number,
      o: Partial<AdamWStepOptions>,
      gScale = 1,
      fresh = false,
    ): CheckCase => ({
      name,
      args: [
        randf(rng, n),
        randf(rng, n, gScale),
        fresh ? new Float32Array(n) : randf(rng, n, 0.1 * gScale),
        fresh ? new Float32Array(n) : randPositive(rng, n, 0.01 * gScale * gScale),
        { ...ADAM, ...o },
      ],
    });
    return [
      c('first step t = 1 (moments start at 0: bias correction matters most)', 6, { step: 1 }, 1, true),
      c('step t = 10, odd length 7, weight decay 0.1', 7, { step: 10 }),
      c('size 1', 1, { step: 3 }),
      c('no weight decay (λ = 0)', 5, { step: 5, weightDecay: 0 }),
      c('large gradients (±1000)', 8, { step: 4 }, 1000),
      c('tiny gradients (1e-9): ε matters', 5, { step: 2 }, 1e-9, true),
      c('late step t = 10000 (bias correction ≈ 1)', 9, { step: 10000, beta2: 0.99 }),
      // Every hyperparameter comes from the options: none may be a constant in the learner's code.
      c('other β1, β2, ε, lr (0.8, 0.95, 1e-3, 3e-3)', 6, {
        step: 7,
        beta1: 0.8,
        beta2: 0.95,
        eps: 1e-3,
        lr: 3e-3,
      }),
      // With lr·λ large, decaying before or after the Adam step differs visibly (by lr²·λ·u).
      c('large lr and decay (lr 0.5, λ 0.5): decay uses θ before the step', 5, {
        step: 6,
        lr: 0.5,
        weightDecay: 0.5,
      }),
    ];
  },
  diagnose(got, want, c) {
    const [p, g, m, v, o] = c.args as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      AdamWStepOptions,
    ];
    const param = (got as Partial<AdamWStepResult> | null)?.param;
    if (!param) return 'return an object { param, m, v } (the updated arrays)';
    if (o.weightDecay > 0 && closeTo(param, adamwVariant(p, g, m, v, o, 'coupled')))
      return (
        'the weight decay is coupled (L2: λθ added to the gradient, as in classic Adam); ' +
        'AdamW decouples it: θ -= lr·λ·θ apart from the gradient'
      );
    if (closeTo(param, adamwVariant(p, g, m, v, o, 'no-bias-correction')))
      return 'no bias correction: divide m by (1 - β1^t) and v by (1 - β2^t) before using them';
    if (o.weightDecay > 0 && closeTo(param, adamwVariant(p, g, m, v, o, 'decay-without-lr')))
      return 'the decay is θ -= λθ; it is scaled by the learning rate too: θ -= lr·λ·θ';
    if (o.weightDecay > 0 && closeTo(param, adamwVariant(p, g, m, v, o, 'no-decay')))
      return 'no weight decay applied: shrink θ by lr·λ·θ';
    const w = want as AdamWStepResult;
    if (closeTo(param, w.param)) return 'the parameter is right but the moments m or v are not';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps with your AdamW',
      run: () => lossFallsAsReference(() => trainTiny()),
    },
  ],
};

const SCHED: CosineScheduleOptions = { lr: 6e-4, warmupSteps: 10, totalSteps: 100, minLr: 6e-5 };

const cosineSchedule: ExerciseSpec = {
  id: 'cosine-schedule',
  chapter: 7,
  section: 'Learning-rate schedule and clipping',
  title: 'Linear warm-up, then cosine decay to a floor',
  exportName: 'cosineSchedule',
  slot: 'cosineSchedule',
  topics: ['schedules'],
  compare:
    "PyTorch's CosineAnnealingLR has no warm-up (chain it after a LinearLR) and anneals to eta_min " +
    "over T_max steps. Hugging Face's get_cosine_schedule_with_warmup warms up as lr·s/W, so step 0 " +
    "trains at lr 0, and decays to 0 rather than to a floor. Ours, like Karpathy's build-nanogpt, " +
    'warms up as lr·(s+1)/W: step 0 already learns, step W-1 reaches the peak, and the floor is minLr.',
  hints: [
    'Three pieces: steps 0..W-1 warm up linearly, steps W..N-1 follow half a cosine from lr down to ' +
      'minLr, and from step N on the rate stays at minLr.',
    'Warm-up: lr·(step+1)/W (step 0 gets lr/W, step W-1 gets the full lr). Decay: with ' +
      'ratio = (step - W)/(N - W) going 0 -> 1, the rate is minLr + ½(1 + cos(π·ratio))·(lr - minLr).',
    'if (step < W) return lr*(step+1)/W; if (step >= N) return minLr; ' +
      'const r = (step-W)/(N-W); return minLr + 0.5*(1+Math.cos(Math.PI*r))*(lr-minLr);',
  ],
  tolerance: { atol: 1e-12, rtol: 1e-9 },
  cases: () => {
    const c = (name: string, step: number, o: Partial<CosineScheduleOptions> = {}): CheckCase => ({
      name,
      args: [step, { ...SCHED, ...o }],
    });
    return [
      c('step 0: the first warm-up step already gets lr/W', 0),
      c('step 4: inside the warm-up', 4),
      c('step W-1 = 9: the last warm-up step reaches lr', 9),
      c('step W = 10: the decay starts at the peak', 10),
      c('step 55: halfway through the decay', 55),
      c('step 99: one step before the floor', 99),
      c('step N = 100: the floor minLr', 100),
      c('step 250: past the end, still the floor', 250),
      c('no warm-up (W = 0): step 0 is the peak', 0, { warmupSteps: 0 }),
      c('W = 1, N = 2, minLr 0: the smallest schedule', 1, { warmupSteps: 1, totalSteps: 2, minLr: 0 }),
    ];
  },
  diagnose(got, _want, c) {
    const [step, o] = c.args as [number, CosineScheduleOptions];
    if (typeof got !== 'number') return 'return the learning rate as a number';
    const why: Record<string, string> = {
      'warm-up from 0':
        'warm-up off by one: step s gets lr·(s+1)/W, ' +
        'so step 0 already learns (at lr/W) and step W-1 reaches lr',
      'warm-up through step W':
        'warm-up off by one at its end: steps 0..W-1 warm up (step < W); ' +
        'step W is the peak, where the decay starts',
      'decay over totalSteps':
        'the cosine runs over the N - W steps after the warm-up: ratio = (step - W)/(N - W), not step/N',
      'decay from step 0': 'the cosine ratio is (step - W)/(N - W): divide by N - W, not N',
      'decay to 0': 'the decay ends at minLr, not 0: minLr + ½(1 + cos(π·ratio))·(lr - minLr)',
      'no floor after totalSteps': 'from step N on the rate stays at minLr (the cosine would rise again)',
    };
    for (const [k, v] of Object.entries(cosineVariants(step, o)))
      if (Math.abs(got - v) <= 1e-12 + 1e-9 * Math.abs(v)) return why[k]!;
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps on your schedule (warm-up 5)',
      run: () => lossFallsAsReference(() => trainTiny({}, { warmupSteps: 5, schedule: 'cosine' })),
    },
  ],
};

const clipGradNorm: ExerciseSpec = {
  id: 'clip-grad-norm',
  chapter: 7,
  section: 'Learning-rate schedule and clipping',
  title: 'Clip the gradients by their global norm',
  exportName: 'clipGradNorm',
  slot: 'clipGradNorm',
  topics: ['training'],
  hints: [
    'One norm for ALL gradients together: the square root of the sum of every element squared, over ' +
      'every array. Not one norm per array.',
    'Only when maxNorm > 0 and norm > maxNorm, multiply every element of every array by the same ' +
      'factor maxNorm / (norm + 1e-6); otherwise leave them. Return the norm from BEFORE clipping.',
    'let sq = 0; for (const g of grads) for (const x of g) sq += x*x; const norm = Math.sqrt(sq); ' +
      'if (maxNorm > 0 && norm > maxNorm) scale each g[i] by maxNorm/(norm+1e-6); return { norm, grads };',
  ],
  cases: (rng) => {
    const c = (name: string, sizes: number[], scales: number[], maxNorm: number): CheckCase => ({
      name,
      args: [sizes.map((n, i) => randf(rng, n, scales[i]!)), maxNorm],
    });
    return [
      c('norm above the limit: three arrays (5, 1, 7) scaled together', [5, 1, 7], [1, 1, 1], 1),
      c('one big array and one small one (per-array clipping differs)', [6, 4], [5, 0.05], 1),
      c('norm below the limit: unchanged', [3, 4], [0.01, 0.01], 1),
      c('maxNorm 0 disables clipping', [4], [10], 0),
      c('size 1', [1], [3], 0.5),
      c('large gradients (±1e6)', [5, 3], [1e6, 1e6], 1),
    ];
  },
  diagnose(got, want, c) {
    const [grads, maxNorm] = c.args as [Float32Array[], number];
    const g = got as Partial<ClipResult> | null;
    const w = want as ClipResult;
    if (!g || typeof g.norm !== 'number' || !Array.isArray(g.grads))
      return 'return an object { norm, grads }: the norm before clipping and the (clipped) arrays';
    const perArray = grads.map((a) => {
      const n = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
      return maxNorm > 0 && n > maxNorm ? a.map((x) => x * (maxNorm / (n + 1e-6))) : a;
    });
    if (w.norm > maxNorm && maxNorm > 0 && g.grads.every((a, i) => closeTo(a, perArray[i]!)))
      return 'each array was clipped by its own norm; clipping uses ONE norm over all the gradients together';
    if (Math.abs(g.norm - Math.min(w.norm, maxNorm)) < 1e-3 * maxNorm && w.norm > maxNorm && maxNorm > 0)
      return 'the norm returned is the one after clipping; return the norm before (what the log records)';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps with your clipping (maxNorm 0.5)',
      run: () => lossFallsAsReference(() => trainTiny({}, { gradClip: 0.5 })),
    },
  ],
};

const SGD_O: SGDStepOptions = { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false };

const sgdMomentum: ExerciseSpec = {
  id: 'sgd-momentum',
  chapter: 7,
  section: 'AdamW',
  title: "One SGD update with momentum, as PyTorch's SGD",
  exportName: 'sgdStep',
  slot: 'sgdStep',
  topics: ['training'],
  hints: [
    'The gradient with L2 decay is d = g + λθ. Momentum keeps a velocity v per element: v = μv + d ' +
      '(the full d, not (1-μ)·d), and θ moves by lr·v.',
    'velocity null means the first step: v starts as d itself (a new array). With μ = 0 there is no ' +
      'velocity at all: θ -= lr·d and return velocity null. Nesterov moves by lr·(d + μv) instead.',
    'for each i: d = g[i] + λ·p[i]; ' +
      'if (v) { v[i] = first ? d : μ·v[i] + d; d = nesterov ? d + μ·v[i] : v[i]; } ' +
      'p[i] -= lr·d; return { param: p, velocity: v };',
  ],
  cases: (rng) => {
    const c = (name: string, n: number, o: Partial<SGDStepOptions>, first = false): CheckCase => ({
      name,
      args: [randf(rng, n), randf(rng, n), first ? null : randf(rng, n, 0.5), { ...SGD_O, ...o }],
    });
    return [
      c('first step (velocity null): v = g', 5, {}, true),
      c('later step, odd length 7: v = μv + g', 7, {}),
      c('weight decay λ = 0.01 (added to the gradient)', 6, { weightDecay: 0.01 }),
      c('Nesterov', 4, { nesterov: true }),
      c('momentum 0: plain SGD, velocity null', 5, { momentum: 0 }, true),
      c('size 1, μ = 0.99', 1, { momentum: 0.99 }),
      c('another learning rate (lr 0.03)', 5, { lr: 0.03 }),
    ];
  },
  diagnose(got, _want, c) {
    const [p, g, v, o] = c.args as [Float32Array, Float32Array, Float32Array | null, SGDStepOptions];
    const r = got as Partial<SGDStepResult> | null;
    if (!r || !r.param) return 'return an object { param, velocity }';
    if (o.momentum > 0 && closeTo(r.param, sgdVariant(p, g, v, o, 'dampened').param))
      return (
        "v = μv + (1-μ)g is an exponential average (Adam's m); " +
        "PyTorch's momentum adds the full gradient: v = μv + g"
      );
    if (
      o.momentum > 0 &&
      r.velocity &&
      closeTo(r.velocity, sgdVariant(p, g, v, o, 'lr-in-velocity').velocity)
    )
      return (
        'the learning rate is inside the velocity (v = μv + lr·g); ' +
        "PyTorch's is outside: v = μv + g, θ -= lr·v"
      );
    if (o.momentum === 0 && r.velocity)
      return 'with momentum 0 there is no velocity buffer: return velocity null';
    return null;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps with your SGD (μ = 0.9)',
      run: () => lossFallsAsReference(() => trainTiny({}, { optimizer: 'sgd', lr: 0.1, momentum: 0.9 })),
    },
  ],
};

export const chapter7: ExerciseSpec[] = [adamwStep, sgdMomentum, cosineSchedule, clipGradNorm];
