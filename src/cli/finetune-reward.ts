// `llmfs finetune reward --model M --data pairs.jsonl --out DIR`: a reward model (InstructGPT
// section 3.5; train/align/reward-model.ts): the GPT body from M with a new scalar head on the last
// real token, trained on preference pairs with -log σ(r_chosen - r_rejected). Reports the pairwise
// accuracy on held-out pairs (--eval-data); `llmfs reward --model DIR` scores responses with it.

import { parseArgs, helpText } from './args.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { saveRewardModel } from '../io/reward-model-dir.js';
import { RewardModel } from '../train/align/reward-model.js';
import { evaluateRewardModel, trainRewardModel, type RewardStats } from '../train/align/reward-train.js';
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
  model: { type: 'string', help: 'the body to start from (llmfs checkpoint or HF GPT-2 directory)' },
  data: {
    type: 'string',
    help: 'preference pairs: JSONL or a JSON array of {instruction|prompt, chosen, rejected}',
  },
  'eval-data': { type: 'string', help: 'held-out pairs: pairwise accuracy at each evaluation' },
  template: { type: 'string', help: "prompt template for instruction pairs: 'alpaca', 'phi3' or a file" },
  out: { type: 'string', help: 'directory to write the reward model into' },
  steps: { type: 'int', help: 'optimizer steps', default: 300 },
  'batch-size': { type: 'int', help: 'pairs per batch', default: 8 },
  lr: { type: 'number', help: 'peak learning rate (cosine decay, short warm-up)', default: 1e-4 },
  'weight-decay': { type: 'number', help: 'AdamW weight decay', default: 0 },
  'eval-interval': { type: 'int', help: 'evaluate every N steps', default: 50 },
  seed: { type: 'int', help: 'seed of the batch order', default: 0 },
  ...LORA_SPECS,
  ...SKIP_SPEC,
  json: { type: 'boolean', help: 'print a JSON summary at the end' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const CMD = 'finetune reward';
const USAGE = 'llmfs finetune reward --model DIR --data PAIRS.jsonl --out DIR [--eval-data FILE] [options]';
const ABOUT = 'a reward model: a scalar head trained on preference pairs (Bradley-Terry)';

const line = (s: RewardStats) =>
  `loss ${s.loss.toFixed(4)}, margin ${s.margin.toFixed(3)}, ` +
  `pairwise accuracy ${(100 * s.accuracy).toFixed(1)}%`;

export async function runFinetuneReward(
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
  atLeast(CMD, flags, ['steps', 'batch-size', 'eval-interval']);
  const log = (s: string) => void (flags.quiet ? undefined : progress(s));
  const start = startingModel(CMD, String(flags.model), flags.template);
  const { model, tokenizer, eos, template } = start;
  const T = model.config.blockSize;
  const train = encodePairs(
    start,
    readPairs(String(flags.data), flags['skip-identical'], log),
    String(flags.data),
    T + 1,
  );
  const evalFile = flags['eval-data'] as string | undefined;
  const val = evalFile
    ? encodePairs(start, readPairs(evalFile, flags['skip-identical'], log), evalFile, T + 1)
    : [];
  const batchSize = flags['batch-size'] as number;
  const t0 = performance.now();
  const lora = loraFromFlags(CMD, model, flags);
  const rm = new RewardModel(model);
  const before = val.length > 0 ? evaluateRewardModel(rm, val, batchSize, eos) : null;
  if (before) out(`held-out pairs before: ${line(before)}`);
  const trainable = rm.trainableParameters().reduce((a, [, p]) => a + p.size, 0);
  const steps = flags.steps as number;
  log(
    `reward model on ${train.length.toLocaleString('en-US')} pairs, tuning ` +
      `${trainable.toLocaleString('en-US')} parameters${lora ? ' (LoRA + head)' : ''}, ` +
      `${steps} steps of ${batchSize}`,
  );
  const history: { step: number; eval: RewardStats }[] = [];
  const stop = stopOnSignal(progress);
  let r;
  try {
    r = trainRewardModel(
      rm,
      { train, val },
      {
        steps,
        batchSize,
        lr: flags.lr as number,
        weightDecay: flags['weight-decay'] as number,
        evalInterval: flags['eval-interval'] as number,
        seed: flags.seed as number,
        padId: eos,
      },
      {
        signal: stop.signal,
        onStep: (s) => {
          if (s.step % 10 === 0 || s.step === steps)
            log(
              `step ${s.step}/${steps} loss ${s.loss.toFixed(4)} ` +
                `batch accuracy ${(100 * s.accuracy).toFixed(0)}%`,
            );
        },
        onEval: (step, s) => {
          history.push({ step, eval: s });
          log(`eval at step ${step}: held-out ${line(s)}`);
        },
      },
    );
  } finally {
    stop.done();
  }
  const trainStats = evaluateRewardModel(rm, train.slice(0, 512), batchSize, eos);
  if (lora) mergeAndUnloadLora(rm.gpt);
  const outDir = String(flags.out);
  saveRewardModel(outDir, rm, tokenizer, {
    template: { name: template.name, withInput: template.withInput, noInput: template.noInput },
    eosId: eos,
    trainedWith: { model: String(flags.model), data: String(flags.data), steps: r.steps, lr: flags.lr },
  });
  out(`training pairs: ${line(trainStats)}`);
  if (r.final) out(`held-out pairs after: ${line(r.final)}`);
  const total = (performance.now() - t0) / 1000;
  out(`wrote ${outDir} (${r.steps} steps${r.stopped ? ', stopped early' : ''}, ${total.toFixed(1)} s)`);
  out(`try: llmfs reward --model ${outDir} --instruction "..." --response "..."`);
  if (flags.json)
    printJson(out, {
      out: outDir,
      steps: r.steps,
      stopped: r.stopped,
      pairwiseAccuracy: trainStats.accuracy,
      margin: trainStats.margin,
      train: trainStats,
      eval: r.final && { ...r.final, pairwiseAccuracy: r.final.accuracy, before },
      history,
      totalSeconds: total,
    });
  return 0;
}

export const finetuneReward = subCommand(ABOUT, runFinetuneReward);
