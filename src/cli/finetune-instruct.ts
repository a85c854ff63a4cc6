// `llmfs finetune instruct --model M --data FILE.json --out DIR`: full instruction fine-tuning
// (Ouyang et al., 2022; rasbt ch. 7). Alpaca JSON examples become prompt + response + end-of-text
// batches with the loss masked to the response (train/instruct/batches.ts), trained by the usual
// loop. --score FILE measures exact-match accuracy per task before and after tuning.

import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { saveModel } from '../io/model-checkpoint.js';
import { applyLora, mergeAndUnloadLora } from '../model/lora-apply.js';
import { savePeftAdapter } from '../io/peft-adapter.js';
import { readInstructions, type TaskExample } from '../data/instructions.js';
import { encodeExample, instructBatches, InstructionSource } from '../train/instruct/batches.js';
import { scoreExactMatch, type ScoreReport } from '../train/instruct/score.js';
import type { PromptTemplate } from '../train/instruct/template.js';
import { loadTemplate } from '../io/prompt-template-file.js';
import { train } from '../train/trainer.js';
import type { GPT } from '../model/gpt.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { eosIdOf, scoreLine, TEMPLATE_FILE, templateJson } from './instruct-prompt.js';
import { checkNotRunDir } from './run-dir.js';

const specs = {
  model: { type: 'string', help: 'the model to tune (an llmfs checkpoint or an HF GPT-2 directory)' },
  data: { type: 'string', help: 'training examples: Alpaca JSON [{instruction, input, output}]' },
  val: { type: 'string', help: 'validation examples (Alpaca JSON) for the validation loss' },
  score: { type: 'string', help: 'held-out examples to score by exact match, before and after tuning' },
  template: { type: 'string', help: "prompt template: 'alpaca', 'phi3' or a file", default: 'alpaca' },
  out: { type: 'string', help: 'directory to write the tuned model into' },
  steps: { type: 'int', help: 'optimizer steps', default: 300 },
  'batch-size': { type: 'int', help: 'examples per batch', default: 8 },
  lr: { type: 'number', help: 'peak learning rate (cosine decay, short warm-up)', default: 5e-4 },
  'weight-decay': { type: 'number', help: 'AdamW weight decay', default: 0 },
  'eval-interval': { type: 'int', help: 'validation loss every N steps', default: 100 },
  'max-new-tokens': { type: 'int', help: 'longest response when scoring', default: 24 },
  seed: { type: 'int', help: 'seed of the batch order', default: 0 },
  'pad-multiple': {
    type: 'int',
    help: 'pad each batch to a multiple of N positions (1: the longest)',
    default: 16,
  },
  'lora-r': { type: 'int', help: 'train LoRA adapters of rank R (Hu et al., 2021) instead of every weight' },
  'lora-alpha': { type: 'number', help: 'LoRA scale α (the update is scaled by α/r; default r)' },
  'lora-targets': {
    type: 'string',
    help: 'with --lora-r: comma-separated layer names (default c_attn,c_proj,c_fc; Llama: docs/11)',
  },
  'adapter-out': {
    type: 'string',
    help: 'with --lora-r: also write the adapter alone here, in PEFT format (for --adapter, finetune merge)',
  },
  json: { type: 'boolean', help: 'print a JSON summary at the end' },
  quiet: { type: 'boolean', help: 'no progress lines' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs finetune instruct --model DIR --data FILE.json --out DIR [--template alpaca|FILE] [options]';

function encodeAll(
  tok: Tokenizer,
  t: PromptTemplate,
  xs: TaskExample[],
  eos: number,
  T: number,
  file: string,
) {
  return xs.map((ex, i) => encodeExample(tok, t, ex, eos, T + 1, `${file}: example ${i}`));
}

const ABOUT = 'instruction tuning on Alpaca JSON, the loss masked to the response (full fine-tune)';

/** Runs the command: results to `out`, progress to `log` (one line each); returns the exit code. */
export function runFinetuneInstruct(
  argv: string[],
  out: (line: string) => void,
  progress: (line: string) => void,
): number {
  const { flags } = parseArgs('finetune instruct', argv, specs);
  if (flags.help) {
    out(helpText(USAGE, ABOUT, specs));
    return 0;
  }
  for (const f of ['model', 'data', 'out'] as const)
    if (flags[f] === undefined)
      throw new LlmfsError(`finetune instruct: --${f} is required (usage: ${USAGE})`);
  const steps = flags.steps as number;
  const batchSize = flags['batch-size'] as number;
  if (steps < 1) throw new LlmfsError(`finetune instruct: --steps must be >= 1, got ${steps}`);
  if (batchSize < 1) throw new LlmfsError(`finetune instruct: --batch-size must be >= 1, got ${batchSize}`);
  const template = loadTemplate(String(flags.template));
  const trainSet = readInstructions(String(flags.data));
  const valSet = flags.val !== undefined ? readInstructions(String(flags.val)) : [];
  const scoreSet = flags.score !== undefined ? readInstructions(String(flags.score)) : [];
  const modelDir = String(flags.model);
  checkNotRunDir('finetune instruct', modelDir);
  const { model, tokenizer, eosTokenId } = loadPretrained(modelDir, { forTraining: 'finetune instruct' });
  if (!tokenizer)
    throw new LlmfsError(
      `finetune instruct: ${modelDir} has no tokenizer, so the examples cannot be encoded`,
    );
  const eos = eosIdOf(tokenizer, eosTokenId, 'finetune instruct');
  const T = model.config.blockSize;
  const enc = encodeAll(tokenizer, template, trainSet, eos, T, String(flags.data));
  // Batches padded to a multiple of 16 positions: a handful of shapes, so the buffer arena keeps
  // a handful of buffer sets instead of one per batch length.
  const pad = { multiple: flags['pad-multiple'] as number, maxT: T };
  const val = instructBatches(
    encodeAll(tokenizer, template, valSet, eos, T, String(flags.val)),
    batchSize,
    eos,
    pad,
  );
  const log = (s: string) => void (flags.quiet ? undefined : progress(s));
  const maxNewTokens = flags['max-new-tokens'] as number;
  const score = (m: GPT): ScoreReport =>
    scoreExactMatch(m, tokenizer, template, scoreSet, { eosId: eos, maxNewTokens });

  const t0 = performance.now();
  const before = scoreSet.length > 0 ? score(model) : null;
  if (before) out(scoreLine('exact match before', before));
  const t1 = performance.now();
  const loraR = flags['lora-r'] as number | undefined;
  if (loraR !== undefined) {
    if (loraR < 1)
      throw new LlmfsError(`finetune instruct: --lora-r must be a positive integer, got ${loraR}`);
    const alpha = flags['lora-alpha'] as number | undefined;
    const targets = (flags['lora-targets'] as string | undefined)?.split(',').map((t) => t.trim());
    applyLora(model, {
      r: loraR,
      ...(alpha !== undefined ? { alpha } : {}),
      ...(targets ? { targets } : {}),
    });
  } else
    for (const f of ['lora-alpha', 'lora-targets', 'adapter-out'])
      if (flags[f] !== undefined) throw new LlmfsError(`finetune instruct: --${f} needs --lora-r`);
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  log(
    `tuning ${trainable.reduce((a, p) => a + p.size, 0).toLocaleString('en-US')} parameters on ` +
      `${enc.length} examples (template ${template.name}), ${steps} steps of ${batchSize}`,
  );
  const result = train(
    model,
    { batches: new InstructionSource(enc, batchSize, eos, flags.seed as number, pad), val },
    {
      steps,
      batchSize,
      lr: flags.lr as number,
      weightDecay: flags['weight-decay'] as number,
      evalInterval: flags['eval-interval'] as number,
      seed: flags.seed as number,
    },
    {
      onStep: (s) => {
        if (s.step % 10 === 0 || s.step === steps)
          log(`step ${s.step}/${steps} loss ${s.loss.toFixed(4)} lr ${s.lr.toExponential(2)}`);
      },
      onEval: (e) => {
        if (!Number.isNaN(e.valLoss)) log(`eval at step ${e.step}: val loss ${e.valLoss.toFixed(4)}`);
      },
    },
  );
  const trainSeconds = (performance.now() - t1) / 1000;
  const outDir = String(flags.out);
  const adapterOut = flags['adapter-out'] as string | undefined;
  if (adapterOut !== undefined) savePeftAdapter(adapterOut, model, { baseModel: modelDir });
  if (loraR !== undefined) mergeAndUnloadLora(model); // W + (α/r)·B·A: a plain model to save
  saveModel(outDir, model, { tokenizer, extraFiles: { [TEMPLATE_FILE]: templateJson(template) } });
  const after = scoreSet.length > 0 ? score(model) : null;
  if (after) out(scoreLine('exact match after ', after));
  if (adapterOut !== undefined) out(`wrote the LoRA adapter to ${adapterOut} (PEFT format)`);
  const total = (performance.now() - t0) / 1000;
  out(
    `wrote ${outDir} (${result.steps} steps, train loss ${result.trainLoss.toFixed(4)}, ` +
      `training ${trainSeconds.toFixed(1)} s, all ${total.toFixed(1)} s)`,
  );
  if (flags.json)
    out(
      JSON.stringify(
        {
          out: outDir,
          steps: result.steps,
          trainLoss: result.trainLoss,
          valLoss: result.valLoss,
          trainSeconds,
          totalSeconds: total,
          before,
          after,
        },
        null,
        2,
      ),
    );
  return 0;
}

export const finetuneInstruct = {
  about: ABOUT,
  run(argv: string[]): number {
    return runFinetuneInstruct(
      argv,
      (s) => console.log(s),
      (s) => console.error(s),
    );
  },
};
