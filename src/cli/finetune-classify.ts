// `llmfs finetune classify --model M --data DIR --out DIR`: puts a classification head
// Linear(C -> K) on a GPT's last real token and fine-tunes (all, the last blocks + head, or LoRA
// adapters + head) on labelled text (CSV or JSONL); prints accuracy, per-class precision and
// recall and the confusion matrix on the validation and test splits; saves what `llmfs classify`
// reads. With a preset name as --model the GPT starts from random weights (the from-scratch
// baseline).

import { parseArgs, helpText, type ParsedFlags } from './args.js';
import { LlmfsError } from '../errors.js';
import { GPT } from '../model/gpt.js';
import { GPT_PRESETS, gptPreset } from '../model/presets.js';
import { manualSeed } from '../tensor/rng.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { resolveTokenizer } from '../io/text-data.js';
import {
  readLabelledFile,
  readLabelledSplits,
  labelNames,
  type LabelledExample,
} from '../io/labelled-data.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { GPTClassifier } from '../train/classify/head.js';
import { encodeExamples } from '../train/classify/batches.js';
import { setTrainable, TRAIN_MODES, type TrainMode } from '../train/classify/trainable.js';
import { trainClassifier, evaluate, CLASSIFY_DEFAULTS } from '../train/classify/loop.js';
import { formatMetrics, type ClassMetrics } from '../train/classify/metrics.js';
import { saveClassifier } from './classify.js';

const d = CLASSIFY_DEFAULTS;
const specs = {
  model: {
    type: 'string',
    help: `base model directory (ours or HF GPT-2), or a preset name for from scratch`,
  },
  data: { type: 'string', help: 'a directory with train/val/test .jsonl or .csv, or one training file' },
  val: { type: 'string', help: 'validation file (overrides the directory one)' },
  test: { type: 'string', help: 'test file (overrides the directory one)' },
  out: { type: 'string', help: 'output directory for the fine-tuned classifier' },
  'text-column': { type: 'string', help: 'column holding the text', default: 'text' },
  'label-column': { type: 'string', help: 'column holding the label', default: 'label' },
  labels: { type: 'string', help: 'comma-separated allowed labels (default: those in the training data)' },
  train: { type: 'string', help: 'what trains', default: 'all', choices: TRAIN_MODES },
  'last-blocks': { type: 'int', help: 'with --train last-blocks: how many final blocks train', default: 1 },
  'lora-r': { type: 'int', help: 'with --train lora: the rank r', default: 8 },
  'lora-alpha': { type: 'number', help: 'with --train lora: α (scale α/r; default r)' },
  'lora-dropout': { type: 'number', help: 'with --train lora: dropout on the LoRA path', default: 0 },
  'lora-targets': {
    type: 'string',
    help: 'with --train lora: comma-separated layer names (default c_attn,c_proj,c_fc; Llama: docs/11)',
  },
  epochs: { type: 'int', help: 'passes over the training set', default: d.epochs },
  'batch-size': { type: 'int', help: 'examples per step', default: d.batchSize },
  lr: { type: 'number', help: 'AdamW learning rate', default: d.lr },
  'weight-decay': { type: 'number', help: 'AdamW weight decay on matrices', default: d.weightDecay },
  'grad-clip': { type: 'number', help: 'clip the global gradient norm (0: off)', default: d.gradClip },
  balanced: { type: 'boolean', help: 'draw every class equally often (for skewed data)' },
  'max-length': { type: 'int', help: "truncate texts to N tokens (default: the model's context)" },
  tokenizer: { type: 'string', help: "with a preset: 'gpt2', 'char' or a saved tokenizer", default: 'gpt2' },
  scratch: {
    type: 'boolean',
    help: "keep --model's shape and tokenizer but start from random weights (the baseline)",
  },
  seed: { type: 'int', help: 'random seed (head, batches, from-scratch weights)', default: d.seed },
  json: { type: 'boolean', help: 'print the results as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs finetune classify --model DIR|PRESET --data FILE|DIR --out DIR ' +
  '[--train all|last-blocks|lora] [options]';

async function baseModel(flags: ParsedFlags, text: string): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const name = flags.model as string;
  if (GPT_PRESETS[name]) {
    const tokenizer = await resolveTokenizer(flags.tokenizer as string, text);
    return { model: new GPT(gptPreset(name, { vocabSize: tokenizer.vocabSize })), tokenizer };
  }
  const pre = loadPretrained(name, { forTraining: 'finetune classify' });
  if (!pre.tokenizer) throw new LlmfsError(`finetune classify: ${name} has no tokenizer`);
  if (flags.scratch) pre.model.initWeights();
  return { model: pre.model, tokenizer: pre.tokenizer };
}

const list = (v: unknown): string[] | undefined =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : undefined;

export const finetuneClassify = {
  about: 'a classification head on the last token: fine-tune all, the last blocks, or LoRA',
  async run(argv: string[]): Promise<number> {
    const { flags } = parseArgs('finetune classify', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, finetuneClassify.about, specs));
      return 0;
    }
    for (const f of ['model', 'data', 'out'])
      if (flags[f] === undefined) throw new LlmfsError(`finetune classify: --${f} is required (see --help)`);
    const ro = {
      textColumn: flags['text-column'] as string,
      labelColumn: flags['label-column'] as string,
      labels: list(flags.labels),
    };
    const splits = readLabelledSplits(flags.data as string, ro);
    if (flags.val) splits.val = readLabelledFile(flags.val as string, ro);
    if (flags.test) splits.test = readLabelledFile(flags.test as string, ro);
    const labels = ro.labels ?? labelNames(splits.train);
    if (labels.length < 2)
      throw new LlmfsError(
        `finetune classify: the training data has only one label ('${labels[0]}'); need 2+`,
      );
    const seed = flags.seed as number;
    manualSeed(seed);
    const { model, tokenizer } = await baseModel(flags, splits.train.map((r) => r.text).join('\n'));
    const clf = new GPTClassifier(model, labels);
    const mode = flags.train as TrainMode;
    const sum = await setTrainable(clf, {
      mode,
      lastBlocks: flags['last-blocks'] as number,
      lora: {
        r: flags['lora-r'] as number,
        alpha: (flags['lora-alpha'] as number | undefined) ?? (flags['lora-r'] as number),
        dropout: flags['lora-dropout'] as number,
        targets: list(flags['lora-targets']),
      },
    });
    const eot = tokenizer instanceof BpeTokenizer ? tokenizer.specialTokens['<|endoftext|>'] : undefined;
    const padId = eot ?? 0;
    const maxLen = Math.min((flags['max-length'] as number | undefined) ?? Infinity, model.config.blockSize);
    const enc = (rows: LabelledExample[] | null) =>
      rows ? encodeExamples(rows, tokenizer, labels, maxLen, padId) : null;
    const train = enc(splits.train)!;
    const val = enc(splits.val);
    const test = enc(splits.test);
    const log = flags.json ? () => {} : (s: string) => console.log(s);
    log(
      `classifier: ${labels.length} labels (${labels.join(', ')}), train ${train.length}, ` +
        `val ${val?.length ?? 0}, test ${test?.length ?? 0}; texts cut to ${maxLen} tokens`,
    );
    const pctTrain = ((100 * sum.trainable) / sum.total).toFixed(2);
    const n = (x: number): string => x.toLocaleString('en-US');
    log(`trains (${mode}): ${n(sum.trainable)} of ${n(sum.total)} parameters (${pctTrain}%)`);
    const cfg = {
      epochs: flags.epochs as number,
      batchSize: flags['batch-size'] as number,
      lr: flags.lr as number,
      weightDecay: flags['weight-decay'] as number,
      gradClip: flags['grad-clip'] as number,
      balanced: Boolean(flags.balanced),
      seed,
      padId,
    };
    const result = trainClassifier(clf, { train, val }, cfg, {
      onEpoch: (e) =>
        log(
          `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, ` +
            `acc ${(100 * e.trainAccuracy).toFixed(2)}%` +
            (e.val ? `; val loss ${e.val.loss.toFixed(4)}, acc ${(100 * e.val.accuracy).toFixed(2)}%` : '') +
            ` (${e.seconds.toFixed(1)} s)`,
        ),
    });
    const reports: Record<string, ClassMetrics & { loss: number }> = {};
    for (const [name, ex] of [
      ['val', val],
      ['test', test],
    ] as const)
      if (ex) reports[name] = evaluate(clf, ex, cfg.batchSize, padId);
    for (const [name, m] of Object.entries(reports)) log(`\n${formatMetrics(m, name)}`);
    if (sum.lora) sum.lora.mergeAndUnloadLora(clf.gpt); // a plain GPT on disk
    const trainedWith = { model: flags.model, mode, ...cfg, trainable: sum.trainable, total: sum.total };
    saveClassifier(flags.out as string, clf, tokenizer, { labels, padId, trainedWith });
    log(`\nsaved ${flags.out}: try  llmfs classify --model ${flags.out} "some text"`);
    if (flags.json) {
      const out = {
        mode,
        trainable: sum.trainable,
        total: sum.total,
        secondsPerEpoch: result.secondsPerEpoch,
        epochs: result.epochs,
        ...Object.fromEntries(Object.entries(reports).map(([k, m]) => [k, m])),
      };
      console.log(JSON.stringify(out, null, 2));
    }
    return 0;
  },
};
