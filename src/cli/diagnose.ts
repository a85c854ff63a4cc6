// `llmfs diagnose generation --model M --prompt P`: generates with the given settings, measures the
// repetition (distinct-n, the longest repeated n-gram, the loop and its period), shows the model's
// distribution where the loop began, tries the standard remedies and recommends the mildest that
// breaks the loop (src/diagnose/generation.ts). --json prints the whole report for scripts.

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { checkNotRunDir } from './run-dir.js';
import { diagnoseGeneration } from '../diagnose/generation.js';
import { generationReport } from '../diagnose/generation-report.js';
import { REPORT_FLAG, writeReport } from './report-file.js';
import { runDiagnoseRun } from './diagnose-run.js';

const specs = {
  model: { type: 'string', help: 'the model directory (ours, quantized, or Hugging Face GPT-2)' },
  prompt: { type: 'string', help: 'the text to continue' },
  'max-new-tokens': { type: 'int', help: 'tokens to generate', default: 64 },
  strategy: {
    type: 'string',
    help: 'decoding to diagnose',
    default: 'greedy',
    choices: ['greedy', 'sample'],
  },
  temperature: { type: 'number', help: 'sampling temperature (with --strategy sample)' },
  'top-p': { type: 'number', help: 'nucleus sampling (with --strategy sample)' },
  seed: { type: 'int', help: 'seed of the sampler (the remedies that sample use it too)', default: 0 },
  json: { type: 'boolean', help: 'print the whole report as JSON' },
  ...REPORT_FLAG,
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs diagnose generation --model DIR --prompt TEXT [--max-new-tokens N] [--report FILE] [--json]';

function runGeneration(argv: string[]): number {
  const { flags, given } = parseArgs('diagnose generation', argv, specs);
  if (flags.help) {
    console.log(helpText(USAGE, 'why a generation repeats itself, and which remedy breaks the loop', specs));
    return 0;
  }
  if (flags.model === undefined) throw new LlmfsError(`diagnose generation: --model is required (${USAGE})`);
  if (flags.prompt === undefined || flags.prompt === '')
    throw new LlmfsError('diagnose generation: give the text to continue with --prompt "..."');
  const strategy = flags.strategy as 'greedy' | 'sample';
  for (const f of ['temperature', 'top-p'])
    if (given.has(f) && strategy === 'greedy')
      throw new LlmfsError(`diagnose generation: --${f} applies to --strategy sample`);
  const n = flags['max-new-tokens'] as number;
  if (n < 1) throw new LlmfsError(`diagnose generation: --max-new-tokens must be >= 1, got ${n}`);
  const dir = String(flags.model);
  checkNotRunDir('diagnose generation', dir);
  const { model, tokenizer } = loadPretrained(dir);
  if (!tokenizer)
    throw new LlmfsError(`diagnose generation: ${dir} has no tokenizer, so the prompt cannot be read`);
  const prompt = tokenizer.encode(String(flags.prompt));
  const T = model.config.blockSize;
  if (prompt.length + n > T)
    throw new LlmfsError(
      `diagnose generation: the prompt (${prompt.length} tokens) and --max-new-tokens ${n} exceed the ` +
        `model's context of ${T} tokens; shorten one of them`,
    );
  model.eval();
  const d = diagnoseGeneration(model, prompt, {
    maxNewTokens: n,
    strategy,
    temperature: flags.temperature as number | undefined,
    topP: flags['top-p'] as number | undefined,
    seed: flags.seed as number,
    decode: (ids) => tokenizer.decode(ids),
  });
  const unit = tokenizer.kind === 'char' ? 'characters' : 'tokens'; // the tokenizer's unit
  const settings =
    strategy === 'greedy'
      ? 'greedy'
      : `sampled (temperature ${flags.temperature ?? 1}, top-p ${flags['top-p'] ?? 1}, seed ${flags.seed})`;
  const report = writeReport(
    flags.report as string | undefined,
    'diagnose-generation.html',
    generationReport(d, {
      decode: (ids) => tokenizer.decode(ids),
      prompt,
      unit,
      subtitle: `model ${dir}, prompt ${JSON.stringify(flags.prompt)}, ${settings}, ${n} new tokens`,
    }),
  );
  if (flags.json) {
    const { loop } = d.report;
    const head = { loop: loop !== null, period: loop?.period ?? null, unit, recommended: d.recommended };
    console.log(JSON.stringify({ ...head, html: report, ...d }, null, 2));
    return 0;
  }
  const r = d.report;
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  console.log(`output: ${JSON.stringify(d.text.length > 200 ? `${d.text.slice(0, 197)}...` : d.text)}`);
  const run = `${r.longestRepeat.length} ${unit}`;
  console.log(`distinct-1/2/3: ${r.distinct.map(pct).join(' / ')}; longest repeated run: ${run}`);
  if (r.loop && d.loopStart) {
    const cycle = tokenizer.decode(d.ids.slice(r.loop.start, r.loop.start + r.loop.period));
    console.log(
      `loop: period ${r.loop.period} ${unit} (${JSON.stringify(cycle)}), from token ${r.loop.start}, ` +
        `${r.loop.cycles} cycles`,
    );
    const alts = d.loopStart.alternatives
      .map((a) => `${JSON.stringify(tokenizer.decode([a.id]))} ${(100 * a.prob).toFixed(1)}%`)
      .join(', ');
    console.log(
      `where it began: entropy ${d.loopStart.entropy.toFixed(2)} nats; the model's top choices: ${alts}`,
    );
  } else console.log('loop: none');
  console.log('\nremedy                               loop        distinct-3  mean log p');
  for (const m of d.remedies) {
    const l = m.report.loop ? `period ${m.report.loop.period}` : 'none';
    const d3 = pct(m.report.distinct[2]).padStart(10);
    console.log(`${m.name.padEnd(37)}${l.padEnd(12)}${d3}  ${m.report.meanLogprob.toFixed(3)}`);
  }
  if (r.loop)
    console.log(
      d.recommended
        ? `\nrecommended: ${d.recommended} (the loop-free output the model itself finds most likely)`
        : '\nno remedy tried here breaks the loop',
    );
  console.log(`report: ${report}`);
  return 0;
}

export const diagnoseCommand: Command = {
  summary:
    'diagnose a model or a run: `diagnose generation` finds repetition loops and the remedy that breaks ' +
    'them; `diagnose run DIR` finds what went wrong in a training run, with the usual fix',
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      const usage = `usage: ${USAGE}\n       llmfs diagnose run DIR [--report FILE] [--json]`;
      console.log(`${usage}\n\n${diagnoseCommand.summary}`);
      return 0;
    }
    if (sub === 'generation') return runGeneration(rest);
    if (sub === 'run') return runDiagnoseRun(rest);
    throw new LlmfsError(`diagnose: unknown sub-command '${sub}' (known: generation, run)`);
  },
};
