// `llmfs inspect --model M --prompt P`: what the heads attend to and what each layer would predict.
// Scores every head (entropy, previous-token, first-token/sink, local on the prompt; induction on
// a repeated random sequence), classifies it, reads the residual stream with the logit lens
// (src/diagnose/inspect.ts), prints a summary and writes an HTML report with the pictures.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { checkNotRunDir } from './run-dir.js';
import { REPORT_FLAG, writeReport } from './report-file.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import { checkHeadSelection, defaultSeqLen, inspectModel, type InspectData } from '../diagnose/inspect.js';
import { headName, inspectReport } from '../diagnose/inspect-report.js';

const specs = {
  model: { type: 'string', help: 'the model directory (ours, quantized, or Hugging Face GPT-2)' },
  prompt: { type: 'string', help: 'the text to look at' },
  layer: { type: 'int', help: 'draw the attention heatmaps of this layer only (0-based)' },
  head: {
    type: 'int',
    help: 'draw the attention heatmaps of this head only (0-based; in every layer unless --layer)',
  },
  'top-k': { type: 'int', help: 'predictions per position and layer in the logit lens', default: 5 },
  'seq-len': {
    type: 'int',
    help: 'R, random tokens in the induction test, repeated twice (default 50, or half the context)',
  },
  seed: { type: 'int', help: 'seed of the random tokens in the induction test', default: 0 },
  ...REPORT_FLAG,
  json: { type: 'boolean', help: 'print the data as JSON (patterns only for a --layer/--head pick)' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs inspect --model DIR --prompt TEXT [--layer N] [--head N] [--top-k 5] [--seq-len R] [--seed S] ' +
  '[--report FILE] [--json]';

/** --json: the data without the pictures; attention patterns only for the picked heads. */
function jsonData(d: InspectData, layer?: number, head?: number) {
  const picked = layer !== undefined || head !== undefined;
  const attention = picked
    ? d.heads
        .filter((h) => (layer === undefined || h.layer === layer) && (head === undefined || h.head === head))
        .map((h) => ({ layer: h.layer, head: h.head, pattern: d.patterns[h.layer][h.head] }))
    : undefined;
  const { best, ...ind } = d.induction;
  return {
    ids: d.ids,
    tokens: d.tokens,
    nLayer: d.nLayer,
    nHead: d.nHead,
    heads: d.heads,
    uniform: d.uniform,
    induction: { ...ind, best: { layer: best.layer, head: best.head, score: best.score } },
    lens: d.lens,
    attention,
  };
}

function summary(d: InspectData): void {
  console.log('head  class           entropy  norm  previous  sink   local  induction');
  for (const h of d.heads) {
    const n = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-').padStart(5);
    console.log(
      `${headName(h).padEnd(6)}${h.class.padEnd(15)}${n(h.entropy)}   ${n(h.entropyNormalised)} ` +
        `${n(h.previous)}    ${n(h.sink)}  ${n(h.local)}  ${n(h.induction)}`,
    );
  }
  const u = d.uniform;
  console.log(
    `uniform attention would score: previous ${u.previous.toFixed(2)}, sink ${u.sink.toFixed(2)}, ` +
      `local ${u.local.toFixed(2)}, induction ${u.induction.toFixed(3)}`,
  );
  const b = d.induction.best;
  console.log(
    `most induction-like head: ${headName(b)} (score ${b.score.toFixed(3)} on ${d.induction.R} random ` +
      `tokens repeated)`,
  );
  const T = d.tokens.length;
  const from = Math.max(0, T - 4);
  console.log(`\nlogit lens: top-1 next token per layer at the last ${T - from} positions`);
  const w = 22;
  const head = d.tokens.slice(from).map((t, k) => `${from + k}:${JSON.stringify(t)}`.slice(0, w - 1));
  console.log(`${'layer'.padEnd(12)}${head.map((s) => s.padEnd(w)).join('')}`);
  d.lens.names.forEach((name, l) => {
    const cells = d.lens.top[l]
      .slice(from)
      .map((ps) => `${JSON.stringify(ps[0].token)} ${ps[0].prob.toFixed(2)}`.slice(0, w - 1).padEnd(w));
    console.log(`${name.padEnd(12)}${cells.join('')}`);
  });
}

function run(argv: string[]): number {
  const { flags } = parseArgs('inspect', argv, specs);
  if (flags.help) {
    console.log(helpText(USAGE, 'attention heads (patterns, entropy, scores) and the logit lens', specs));
    return 0;
  }
  if (flags.model === undefined) throw new LlmfsError(`inspect: --model is required (${USAGE})`);
  if (flags.prompt === undefined || flags.prompt === '')
    throw new LlmfsError('inspect: give the text to look at with --prompt "..."');
  const topK = flags['top-k'] as number;
  if (topK < 1) throw new LlmfsError(`inspect: --top-k must be >= 1, got ${topK}`);
  const dir = String(flags.model);
  checkNotRunDir('inspect', dir);
  const { model, tokenizer } = loadPretrained(dir);
  if (!tokenizer) throw new LlmfsError(`inspect: ${dir} has no tokenizer, so the prompt cannot be read`);
  const layer = flags.layer as number | undefined;
  const head = flags.head as number | undefined;
  checkHeadSelection(model, layer, head);
  const T = model.config.blockSize;
  const seqLen = (flags['seq-len'] as number | undefined) ?? defaultSeqLen(T);
  if (seqLen < 2 || 2 * seqLen > T)
    throw new LlmfsError(
      `inspect: --seq-len must be in 2..${Math.floor(T / 2)} (twice it must fit the context of ${T}), ` +
        `got ${seqLen}`,
    );
  const ids = tokenizer.encode(String(flags.prompt));
  if (ids.length > T)
    throw new LlmfsError(
      `inspect: the prompt is ${ids.length} tokens, longer than the model's context of ${T}; shorten it`,
    );
  if (ids.length < 2) throw new LlmfsError('inspect: the prompt must be at least 2 tokens long');
  const vocab = Math.min(tokenizer.vocabSize, model.config.vocabSize);
  // Only ordinary tokens in the induction test: no special tokens, no ids the vocabulary leaves unused.
  const usable =
    tokenizer instanceof BpeTokenizer
      ? (id: number) => id < vocab && tokenizer.vocab[id] !== undefined
      : undefined;
  const d = inspectModel(model, ids, (id) => tokenizer.piece(id), {
    topK,
    seqLen,
    seed: flags.seed as number,
    usable: usable ?? ((id: number) => id < vocab),
  });
  const path = writeReport(
    flags.report as string | undefined,
    'inspect.html',
    inspectReport(d, { layer, head }),
  );
  if (flags.json) {
    console.log(JSON.stringify({ ...jsonData(d, layer, head), report: path }));
    return 0;
  }
  summary(d);
  console.log(`\nreport: ${path}`);
  return 0;
}

export const inspectCommand: Command = {
  summary: 'look inside a model: attention heads (patterns, scores, induction) and the logit lens',
  run,
};
