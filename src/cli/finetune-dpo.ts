// `llmfs finetune dpo --model M --data pairs.jsonl --out DIR`: Direct Preference Optimization
// (Rafailov et al., 2023; train/align/dpo.ts) from the model in M, which is also the frozen
// reference. Logs the loss, the implicit chosen/rejected rewards, the reward margin and the
// preference accuracy at every evaluation (and dpo-log.jsonl and the margin curve dpo-margin.svg
// beside the model); --score FILE measures exact match before and after.

import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { saveModel } from '../io/model-checkpoint.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { readInstructions } from '../data/instructions.js';
import { scoreExactMatch } from '../train/instruct/score.js';
import { trainAsync } from '../train/trainer.js';
import type { DpoStats } from '../train/align/dpo.js';
import { mergeDpoStats } from '../train/align/dpo.js';
import {
  dpoBatches,
  dpoLossFn,
  evaluateDpo,
  PairSource,
  referenceLogProbs,
} from '../train/align/dpo-train.js';
import { scoreLine, TEMPLATE_FILE, templateJson } from './instruct-prompt.js';
import { lossCurveSvg } from '../train/loss-curve.js';
import {
  LORA_SPECS,
  SKIP_SPEC,
  readPairs,
  atLeast,
  encodePairs,
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
    help: 'the model to align (llmfs checkpoint or HF GPT-2 dir); also the reference',
  },
  data: {
    type: 'string',
    help: 'preference pairs: JSONL or a JSON array of {instruction|prompt, chosen, rejected}',
  },
  'eval-data': {
    type: 'string',
    help: 'held-out pairs: loss, rewards, margin and accuracy at each evaluation',
  },
  score: {
    type: 'string',
    help: 'held-out instructions (Alpaca JSON) to score by exact match before and after',
  },
  template: { type: 'string', help: "prompt template for instruction pairs: 'alpaca', 'phi3' or a file" },
  out: { type: 'string', help: 'directory to write the aligned model into' },
  beta: {
    type: 'number',
    help: 'β: how far from the reference the policy may move (smaller: further)',
    default: 0.1,
  },
  'label-smoothing': {
    type: 'number',
    help: 'conservative DPO: trust each preference with prob. 1 - ε',
    default: 0,
  },
  steps: { type: 'int', help: 'optimizer steps', default: 200 },
  'batch-size': { type: 'int', help: 'pairs per batch', default: 8 },
  lr: { type: 'number', help: 'peak learning rate (cosine decay, short warm-up)', default: 5e-5 },
  'weight-decay': { type: 'number', help: 'AdamW weight decay', default: 0 },
  'eval-interval': { type: 'int', help: 'evaluate every N steps', default: 25 },
  'max-new-tokens': { type: 'int', help: 'longest response when scoring', default: 24 },
  seed: { type: 'int', help: 'seed of the batch order', default: 0 },
  'pad-multiple': { type: 'int', help: 'pad each batch to a multiple of N positions', default: 16 },
  ...LORA_SPECS,
  ...SKIP_SPEC,
  json: { type: 'boolean', help: 'print a JSON summary at the end' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const CMD = 'finetune dpo';
const USAGE = 'llmfs finetune dpo --model DIR --data PAIRS.jsonl --out DIR [--eval-data FILE] [options]';
const ABOUT = 'Direct Preference Optimization on chosen/rejected pairs (full or LoRA)';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const statsLine = (s: DpoStats): string =>
  `loss ${s.loss.toFixed(4)}, rewards chosen ${s.chosenReward.toFixed(3)} rejected ` +
  `${s.rejectedReward.toFixed(3)}, margin ${s.rewardMargin.toFixed(3)}, ` +
  `accuracy ${pct(s.preferenceAccuracy)}`;

export async function runFinetuneDpo(
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
  atLeast(CMD, flags, ['steps', 'batch-size', 'eval-interval', 'pad-multiple', 'max-new-tokens']);
  const log = (s: string) => void (flags.quiet ? undefined : progress(s));
  const beta = flags.beta as number;
  if (!(beta > 0 && Number.isFinite(beta))) throw new LlmfsError(`${CMD}: --beta must be > 0, got ${beta}`);
  const smoothing = flags['label-smoothing'] as number;
  if (!(smoothing >= 0 && smoothing < 0.5))
    throw new LlmfsError(`${CMD}: --label-smoothing must be in [0, 0.5), got ${smoothing}`);
  const batchSize = flags['batch-size'] as number;
  const start = startingModel(CMD, String(flags.model), flags.template);
  const { model, tokenizer, eos, template } = start;
  const T = model.config.blockSize;
  const pad = { multiple: flags['pad-multiple'] as number, maxT: T };
  const trainPairs = encodePairs(
    start,
    readPairs(String(flags.data), flags['skip-identical'], log),
    String(flags.data),
    T + 1,
  );
  const evalFile = flags['eval-data'] as string | undefined;
  const evalPairs = evalFile
    ? encodePairs(start, readPairs(evalFile, flags['skip-identical'], log), evalFile, T + 1)
    : [];
  const scoreSet = flags.score !== undefined ? readInstructions(String(flags.score)) : [];
  const maxNewTokens = flags['max-new-tokens'] as number;
  const score = () => scoreExactMatch(model, tokenizer, template, scoreSet, { eosId: eos, maxNewTokens });

  const t0 = performance.now();
  // The reference: the starting model's log-probabilities of every response, computed once.
  log(`reference log-probabilities of ${trainPairs.length + evalPairs.length} pairs (the starting model)`);
  const refBatch = Math.max(batchSize, 32); // no graph: larger batches are cheaper per pair
  const refTrain = referenceLogProbs(model, trainPairs, refBatch, eos, pad);
  const refEval = referenceLogProbs(model, evalPairs, refBatch, eos, pad);
  const evalBatches = dpoBatches(evalPairs, refEval, batchSize, eos, pad);
  // A fixed subset of the training pairs for the summary's training-set figures.
  const trainProbe = dpoBatches(trainPairs.slice(0, 512), refTrain, batchSize, eos, pad);
  const evalBefore = evalBatches.length > 0 ? evaluateDpo(model, evalBatches, beta, smoothing) : null;
  if (evalBefore) out(`held-out pairs before: ${statsLine(evalBefore)}`);
  const before = scoreSet.length > 0 ? score() : null;
  if (before) out(scoreLine('exact match before', before));

  const lora = loraFromFlags(CMD, model, flags);
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  const steps = flags.steps as number;
  log(
    `DPO (β = ${beta}) on ${trainPairs.length.toLocaleString('en-US')} pairs, tuning ` +
      `${trainable.reduce((a, p) => a + p.size, 0).toLocaleString('en-US')} parameters` +
      `${lora ? ' (LoRA)' : ''}, ` +
      `${steps} steps of ${batchSize}`,
  );
  let sinceEval: DpoStats[] = [];
  let evalStats: DpoStats[] = [];
  const history: { step: number; train: DpoStats; eval: DpoStats | null }[] = [];
  const lossFn = dpoLossFn(beta, smoothing, (s, training) => (training ? sinceEval : evalStats).push(s));
  const stop = stopOnSignal(progress);
  const t1 = performance.now();
  let result;
  try {
    result = await trainAsync(
      model,
      {
        batches: new PairSource(trainPairs, refTrain, batchSize, eos, flags.seed as number, pad),
        val: evalBatches,
        loss: lossFn,
      },
      {
        steps,
        batchSize,
        lr: flags.lr as number,
        weightDecay: flags['weight-decay'] as number,
        evalInterval: flags['eval-interval'] as number,
        warmupSteps: Math.min(10, steps - 1),
        seed: flags.seed as number,
      },
      {
        signal: stop.signal,
        onStep: (s) => {
          if (s.step % 10 === 0 || s.step === steps) {
            const last = sinceEval.at(-1);
            log(
              `step ${s.step}/${steps} loss ${s.loss.toFixed(4)}` +
                (last ? `, margin ${last.rewardMargin.toFixed(3)}` : ''),
            );
          }
        },
        onEval: (e) => {
          const tr = mergeDpoStats(sinceEval);
          const ev = evalStats.length > 0 ? mergeDpoStats(evalStats) : null;
          history.push({ step: e.step, train: tr, eval: ev });
          log(`eval at step ${e.step}: train ${statsLine(tr)}`);
          if (ev) log(`  held-out: ${statsLine(ev)}`);
          sinceEval = [];
          evalStats = [];
        },
      },
    );
  } finally {
    stop.done();
  }
  const trainSeconds = (performance.now() - t1) / 1000;
  const trainAfter = evaluateDpo(model, trainProbe, beta, smoothing);
  const evalAfter = evalBatches.length > 0 ? evaluateDpo(model, evalBatches, beta, smoothing) : null;
  if (lora) mergeAndUnloadLora(model);
  const outDir = String(flags.out);
  const curve = (name: string, color: string, pick: (h: (typeof history)[number]) => number | undefined) => ({
    name,
    color,
    points: history.flatMap((h) => {
      const v = pick(h);
      return v === undefined ? [] : [{ step: h.step, loss: v }];
    }),
  });
  saveModel(outDir, model, {
    tokenizer,
    extraFiles: {
      [TEMPLATE_FILE]: templateJson(template),
      'dpo-margin.svg': lossCurveSvg(
        [
          curve('training pairs', '#1f77b4', (h) => h.train.rewardMargin),
          curve('held-out pairs', '#d62728', (h) => h.eval?.rewardMargin),
        ],
        'DPO: reward margin',
        'β · (log-ratio chosen − log-ratio rejected)',
      ),
      'dpo-log.jsonl': history.map((h) => JSON.stringify(h)).join('\n') + '\n',
    },
  });
  out(`training pairs after: ${statsLine(trainAfter)}`);
  if (evalAfter) out(`held-out pairs after: ${statsLine(evalAfter)}`);
  const after = scoreSet.length > 0 ? score() : null;
  if (after) out(scoreLine('exact match after ', after));
  const total = (performance.now() - t0) / 1000;
  out(
    `wrote ${outDir} (${result.steps} steps${result.stopped ? ', stopped early' : ''}, ` +
      `training ${trainSeconds.toFixed(1)} s, all ${total.toFixed(1)} s)`,
  );
  if (flags.json)
    printJson(out, {
      out: outDir,
      steps: result.steps,
      stopped: result.stopped,
      beta,
      rewardMargin: trainAfter.rewardMargin,
      preferenceAccuracy: trainAfter.preferenceAccuracy,
      train: trainAfter,
      eval: evalAfter && { ...evalAfter, before: evalBefore },
      exactMatch: before || after ? { before, after } : null,
      history,
      trainSeconds,
      totalSeconds: total,
    });
  return 0;
}

export const finetuneDpo = subCommand(ABOUT, runFinetuneDpo);
