// `llmfs finetune grpo --model M --data FILE.json --out DIR`: reinforcement learning with GRPO
// (Shao et al., 2024; train/align/grpo.ts): for each prompt a group of sampled responses, rewarded
// by a verifiable rule (exact match with the example's output, or numeric partial credit) or by a
// trained reward model (--reward DIR), group-relative advantages, PPO's clipped ratio and a KL
// penalty to the starting model. Logs mean reward, accuracy, KL and response length per step, and
// writes the reward and KL curves (rewards.svg, kl.svg) and the per-step log beside the model.

import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { existsSync } from 'node:fs';
import { saveModel } from '../io/model-checkpoint.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { loadRewardModel } from '../io/reward-model-dir.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { readInstructions, type TaskExample } from '../data/instructions.js';
import { scoreExactMatch } from '../train/instruct/score.js';
import { trainAsync } from '../train/trainer.js';
import { lossCurveSvg } from '../train/loss-curve.js';
import { GrpoSource, grpoLossFn, type GrpoSampleStats } from '../train/align/grpo-train.js';
import type { GrpoLossStats } from '../train/align/grpo.js';
import { NAMED_REWARDS, rewardModelReward, type RewardFunction } from '../train/align/rewards.js';
import { scoreLine, TEMPLATE_FILE, templateJson } from './instruct-prompt.js';
import {
  LORA_SPECS,
  atLeast,
  loraFromFlags,
  need,
  startingModel,
  stopOnSignal,
  printJson,
  subCommand,
} from './align-common.js';

const specs = {
  model: {
    type: 'string',
    help: 'the model to train (an instruction-tuned checkpoint); also the KL reference',
  },
  data: {
    type: 'string',
    help: 'prompts: Alpaca JSON [{instruction, input, output}] (output: the checkable answer)',
  },
  tasks: { type: 'string', help: 'only these tasks of the data (comma-separated `task` fields)' },
  score: {
    type: 'string',
    help: 'held-out instructions (Alpaca JSON) to score by exact match before and after',
  },
  reward: {
    type: 'string',
    help: "'exact-match', 'numeric' (partial credit for near numbers) or a reward model directory",
    default: 'exact-match',
  },
  template: { type: 'string', help: "prompt template: 'alpaca', 'phi3' or a file (default: the model's)" },
  out: { type: 'string', help: 'directory to write the trained model into' },
  steps: { type: 'int', help: 'optimizer steps', default: 100 },
  'group-size': { type: 'int', help: 'G: responses sampled per prompt', default: 8 },
  'prompts-per-step': { type: 'int', help: 'P: prompts per step (a batch is P·G responses)', default: 4 },
  'max-new-tokens': { type: 'int', help: 'longest response', default: 16 },
  temperature: { type: 'number', help: 'sampling temperature (1: the policy itself)', default: 1 },
  'inner-steps': { type: 'int', help: 'μ: updates per sampled batch (> 1: the clip matters)', default: 1 },
  clip: { type: 'number', help: "ε: PPO's clip range of the ratio", default: 0.2 },
  beta: { type: 'number', help: 'β: KL penalty to the starting model (0: none)', default: 0.04 },
  lr: { type: 'number', help: 'peak learning rate (cosine decay, short warm-up)', default: 2e-5 },
  seed: { type: 'int', help: 'seed of the prompt order and the sampling', default: 0 },
  ...LORA_SPECS,
  json: { type: 'boolean', help: 'print a JSON summary at the end' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const CMD = 'finetune grpo';
const USAGE =
  'llmfs finetune grpo --model DIR --data FILE.json --out DIR [--reward exact-match|DIR] [options]';
const ABOUT = 'reinforcement learning with GRPO: sampled groups, verifiable rewards or a reward model';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One step's figures, as logged and written to grpo-log.jsonl. */
export interface GrpoStepLog extends GrpoSampleStats, GrpoLossStats {
  step: number;
  loss: number;
}

function rewardFrom(spec: string, eos: number): RewardFunction {
  if (NAMED_REWARDS[spec]) return NAMED_REWARDS[spec];
  if (!existsSync(spec))
    throw new LlmfsError(
      `${CMD}: --reward '${spec}' is neither ${Object.keys(NAMED_REWARDS).join(' nor ')} nor a directory`,
    );
  const { rm, tokenizer, template, info } = loadRewardModel(spec);
  return rewardModelReward(rm, tokenizer, template, info.eosId ?? eos);
}

function select(xs: TaskExample[], tasks: unknown, file: string): TaskExample[] {
  if (tasks === undefined) return xs;
  const want = String(tasks)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const have = new Set(xs.map((x) => x.task));
  const missing = want.filter((t) => !have.has(t));
  if (missing.length > 0)
    throw new LlmfsError(`${CMD}: ${file} has no task '${missing[0]}' (it has: ${[...have].join(', ')})`);
  return xs.filter((x) => want.includes(x.task));
}

export async function runFinetuneGrpo(
  argv: string[],
  out: (line: string) => void,
  progress: (line: string) => void,
): Promise<number> {
  const { flags } = parseArgs(CMD, argv, specs);
  if (flags.help) {
    out(helpText(USAGE, ABOUT, specs));
    return 0;
  }
  need(CMD, flags, ['model', 'data', 'out'], USAGE);
  atLeast(CMD, flags, ['steps', 'prompts-per-step', 'max-new-tokens', 'inner-steps']);
  atLeast(CMD, flags, ['group-size'], 2);
  const log = (s: string) => void (flags.quiet ? undefined : progress(s));
  const modelDir = String(flags.model);
  const start = startingModel(CMD, modelDir, flags.template);
  const { model, tokenizer, eos, template } = start;
  const prompts = select(readInstructions(String(flags.data)), flags.tasks, String(flags.data));
  const scoreSet =
    flags.score !== undefined
      ? select(readInstructions(String(flags.score)), flags.tasks, String(flags.score))
      : [];
  const reward = rewardFrom(String(flags.reward), eos);
  const beta = flags.beta as number;
  const ref = beta > 0 ? loadPretrained(modelDir).model : null; // frozen: never given to an optimizer
  const score = () => scoreExactMatch(model, tokenizer, template, scoreSet, { eosId: eos, maxNewTokens: 24 });

  const t0 = performance.now();
  const before = scoreSet.length > 0 ? score() : null;
  if (before) out(scoreLine('exact match before', before));
  const lora = loraFromFlags(CMD, model, flags);
  let samples: GrpoSampleStats | null = null;
  let lossStats: GrpoLossStats = { kl: 0, clipFraction: 0 };
  const history: GrpoStepLog[] = [];
  const source = new GrpoSource(model, prompts, {
    tokenizer,
    template,
    eosId: eos,
    reward,
    ref,
    pad: { multiple: 16, maxT: model.config.blockSize },
    settings: {
      groupSize: flags['group-size'] as number,
      promptsPerStep: flags['prompts-per-step'] as number,
      maxNewTokens: flags['max-new-tokens'] as number,
      temperature: flags.temperature as number,
      innerSteps: flags['inner-steps'] as number,
      clip: flags.clip as number,
      beta,
      seed: flags.seed as number,
    },
    onSamples: (s) => (samples = s),
    onWarning: (w) => progress(w),
  });
  const s = source.settings;
  const steps = flags.steps as number;
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  log(
    `GRPO on ${prompts.length.toLocaleString('en-US')} prompts, ${steps} steps of ` +
      `${s.promptsPerStep} prompts x ` +
      `${s.groupSize} responses, reward ${String(flags.reward)}, β ${beta}, tuning ` +
      `${trainable.reduce((a, p) => a + p.size, 0).toLocaleString('en-US')} parameters` +
      `${lora ? ' (LoRA)' : ''}`,
  );
  const stop = stopOnSignal(progress);
  let result;
  try {
    result = await trainAsync(
      model,
      { batches: source, val: [], loss: grpoLossFn(s, (st) => (lossStats = st)) },
      {
        steps,
        batchSize: s.promptsPerStep * s.groupSize,
        lr: flags.lr as number,
        weightDecay: 0,
        evalInterval: steps,
        warmupSteps: Math.min(5, steps - 1),
        seed: flags.seed as number,
      },
      {
        signal: stop.signal,
        onStep: (st) => {
          const row: GrpoStepLog = { step: st.step, loss: st.loss, ...samples!, ...lossStats };
          history.push(row);
          log(
            `step ${st.step}/${steps} reward ${row.meanReward.toFixed(3)} accuracy ${pct(row.accuracy)} ` +
              `KL ${row.kl.toFixed(4)} length ${row.responseLength.toFixed(1)}` +
              (row.flatGroups > 0 ? ` (${row.flatGroups} flat groups)` : ''),
          );
        },
      },
    );
  } finally {
    stop.done();
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  if (lora) mergeAndUnloadLora(model);
  const series = (name: string, color: string, key: 'meanReward' | 'kl') => ({
    name,
    color,
    points: history.map((h) => ({ step: h.step, loss: h[key] })),
  });
  const outDir = String(flags.out);
  saveModel(outDir, model, {
    tokenizer,
    extraFiles: {
      [TEMPLATE_FILE]: templateJson(template),
      'rewards.svg': lossCurveSvg(
        [series('mean reward of the sampled responses', '#1f77b4', 'meanReward')],
        'GRPO: reward per step',
        'mean reward',
      ),
      'kl.svg': lossCurveSvg(
        [series('KL to the reference (k3, per token)', '#d62728', 'kl')],
        'GRPO: KL per step',
        'KL to the reference (per token)',
      ),
      'grpo-log.jsonl': history.map((h) => JSON.stringify(h)).join('\n') + '\n',
    },
  });
  const after = scoreSet.length > 0 ? score() : null;
  if (after) out(scoreLine('exact match after ', after));
  const lastN = history.slice(-10);
  const avg = (k: 'meanReward' | 'accuracy' | 'kl' | 'responseLength') =>
    lastN.reduce((a, h) => a + h[k], 0) / Math.max(lastN.length, 1);
  const total = (performance.now() - t0) / 1000;
  out(
    `wrote ${outDir} (${result.steps} steps${result.stopped ? ', stopped early' : ''}, ` +
      'last 10 steps: reward ' +
      `${avg('meanReward').toFixed(3)}, KL ${avg('kl').toFixed(4)}; ${total.toFixed(1)} s)`,
  );
  if (flags.json)
    printJson(out, {
      out: outDir,
      steps: result.steps,
      stopped: result.stopped,
      meanReward: avg('meanReward'),
      accuracy: avg('accuracy'),
      kl: avg('kl'),
      responseLength: avg('responseLength'),
      skippedGroups: history.reduce((a, h) => a + h.skippedGroups, 0),
      exactMatch: before || after ? { before, after } : null,
      history,
      trainSeconds,
      totalSeconds: total,
    });
  return 0;
}

export const finetuneGrpo = subCommand(ABOUT, runFinetuneGrpo);
