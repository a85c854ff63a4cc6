// Measurement run (not a test; issue 20): train one VLM kind on one task with trainVlm's defaults
// unless an environment variable overrides one, then evaluate on the test and unseen splits.
// Usage: node --import tsx scripts/vlm-measure.ts <prefix|cross> <caption|vqa|mixed>
// Overrides: STEPS, BATCH, LR, WARMUP, CLIP, SEED (batch order and weights), PROJ (linear|mlp),
// MIXED_LOSS (per-task|per-token), PATCH, VIT_WIDTH, VIT_LAYERS, EMBD, LAYERS, EVAL (scenes per split, default 200).
import { useBackendFromEnv } from '../src/kernels/threads/select.js';
import { createVlm, WordTokenizer, trainVlm, evaluateCaptions, evaluateVqa } from '../src/vision/index.js';
import type { VlmConfigInput, VlmKind, VlmTask } from '../src/vision/index.js';

await useBackendFromEnv(process.env);
const [kind, task] = process.argv.slice(2) as [VlmKind, VlmTask];
const env = (k: string): number | undefined =>
  process.env[k] === undefined ? undefined : Number(process.env[k]);
const tok = new WordTokenizer();
const vit: NonNullable<VlmConfigInput['vit']> = {};
if (env('PATCH')) vit.patchSize = env('PATCH');
if (env('VIT_WIDTH')) vit.dModel = env('VIT_WIDTH');
if (env('VIT_LAYERS')) vit.nLayer = env('VIT_LAYERS');
const cfg: VlmConfigInput = { kind, vocabSize: tok.vocabSize, vit };
if (process.env.PROJ) cfg.projector = process.env.PROJ as 'linear' | 'mlp';
if (env('EMBD')) cfg.nEmbd = env('EMBD');
if (env('LAYERS')) cfg.nLayer = env('LAYERS');
const seed = env('SEED') ?? 0;
const m = createVlm(cfg, seed);
const params = m.parameters().reduce((s, p) => s + p.size, 0);
console.log(JSON.stringify({ kind, task, params, config: m.config, env: process.env.RUN_NOTE ?? '' }));
const r = trainVlm(m, tok, {
  task,
  seed,
  steps: env('STEPS'),
  batchSize: env('BATCH'),
  lr: env('LR'),
  warmupSteps: env('WARMUP'),
  gradClip: env('CLIP'),
  mixedLoss: process.env.MIXED_LOSS as 'per-task' | 'per-token' | undefined,
  onStep: (s, l) => {
    if (s % 100 === 0 || s === 1) console.log(`step ${s} loss ${l.toFixed(4)}`);
  },
});
const last = r.losses.slice(-20);
console.log(
  JSON.stringify({ trainSeconds: r.seconds, lastLoss: last.reduce((a, b) => a + b) / last.length }),
);
const count = env('EVAL') ?? 200;
const evals = task === 'mixed' ? ['caption', 'vqa'] : [task];
for (const ev of evals)
  for (const split of ['test', 'unseen'] as const) {
    const t0 = Date.now();
    const res =
      ev === 'caption' ? evaluateCaptions(m, tok, { split, count }) : evaluateVqa(m, tok, { split, count });
    const { samples: _s, ...rest } = res as typeof res & { samples?: unknown };
    console.log(JSON.stringify({ ev, split, evalSeconds: (Date.now() - t0) / 1000, ...rest }));
  }
