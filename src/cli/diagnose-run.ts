// `llmfs diagnose run DIR`: reads a training run's directory (run.json, log.jsonl and, if it was
// trained with --diagnostics, diagnostics.jsonl), finds what looks wrong with the usual fix
// (src/diagnose/run-findings.ts), prints them, and writes an HTML report with the curves
// (src/diagnose/run-report.ts). --json prints the findings and the data behind them.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, helpText } from './args.js';
import { REPORT_FLAG, writeReport } from './report-file.js';
import { LlmfsError } from '../errors.js';
import { LOG_FILE, RUN_FILE } from '../io/training-run.js';
import { DIAGNOSTICS_FILE, readJsonLines } from '../io/run-diagnostics.js';
import { analyzeRun, type RunData } from '../diagnose/run-findings.js';
import { findingLine, runReport } from '../diagnose/run-report.js';
import type { HealthRecord } from '../diagnose/training-health.js';

const specs = {
  ...REPORT_FLAG,
  json: { type: 'boolean', help: 'print the findings and the data behind them as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE = 'llmfs diagnose run DIR [--report FILE] [--json]';
const CMD = 'diagnose run';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LlmfsError(`${CMD}: ${file} is not valid JSON (${(err as Error).message.slice(0, 80)})`);
  }
}

/** The run's vocabulary size from a checkpoint's config.json (last/ or best/), if there is one. */
function vocabSizeOf(dir: string): number | undefined {
  for (const c of ['last', 'best', 'last.previous']) {
    const file = join(dir, c, 'config.json');
    if (!existsSync(file)) continue;
    const v = (readJson(file) as { vocabSize?: unknown; vocab_size?: unknown }) ?? {};
    const n = v.vocabSize ?? v.vocab_size;
    if (typeof n === 'number') return n;
  }
  return undefined;
}

const num = (x: unknown): number => (typeof x === 'number' ? x : x === null ? NaN : NaN);

/** Everything the findings read, from the run directory; one clear line for a bad one. */
export function loadRunData(dir: string): RunData {
  if (!existsSync(dir)) throw new LlmfsError(`${CMD}: ${dir} not found`);
  if (!statSync(dir).isDirectory()) throw new LlmfsError(`${CMD}: ${dir} is a file, not a run directory`);
  const runFile = join(dir, RUN_FILE);
  const logFile = join(dir, LOG_FILE);
  if (!existsSync(runFile)) {
    const hint = existsSync(join(dir, 'config.json'))
      ? ' (it is a checkpoint; give the run directory above it)'
      : '';
    throw new LlmfsError(
      `${CMD}: ${dir} is not a training run's directory: no ${RUN_FILE}${hint}; ` +
        'give the --out of llmfs train',
    );
  }
  const r = readJson(runFile) as { train?: Record<string, unknown>; init?: unknown } | null;
  const t = r?.train;
  const fields = ['steps', 'lr', 'warmupSteps', 'gradClip'] as const;
  if (typeof t !== 'object' || t === null || fields.some((k) => typeof t[k] !== 'number'))
    throw new LlmfsError(`${CMD}: ${runFile} has no "train" settings (steps, lr, warmupSteps, gradClip)`);
  if (!existsSync(logFile))
    throw new LlmfsError(`${CMD}: ${logFile} not found: the run has logged no step yet`);
  const records = readJsonLines(logFile).map((x) => ({ ...x, step: x.step as number }));
  // JSON has no NaN: a non-finite loss or norm was written as null.
  const steps = records
    .filter((x) => 'loss' in x)
    .map((x) => ({
      step: x.step,
      loss: num(x.loss),
      ...('gradNorm' in x ? { gradNorm: num(x.gradNorm) } : {}),
    }));
  const evals = records
    .filter((x) => 'trainLoss' in x)
    .map((x) => ({
      step: x.step,
      trainLoss: num(x.trainLoss),
      valLoss: num((x as Record<string, unknown>).valLoss),
    }));
  if (steps.length === 0) throw new LlmfsError(`${CMD}: ${logFile} holds no training steps`);
  const diagFile = join(dir, DIAGNOSTICS_FILE);
  let health: HealthRecord[] | null = null;
  if (existsSync(diagFile)) {
    const rows = readJsonLines(diagFile);
    rows.forEach((x, i) => {
      if (!Array.isArray(x.groups) || !Array.isArray(x.residual) || !Array.isArray(x.layers))
        throw new LlmfsError(
          `${CMD}: ${diagFile}: record ${i + 1} (step ${x.step}) lacks groups/residual/layers`,
        );
    });
    health = rows as unknown as HealthRecord[];
    if (health.length === 0) health = null;
  }
  return {
    config: {
      steps: t.steps as number,
      lr: t.lr as number,
      warmupSteps: t.warmupSteps as number,
      gradClip: t.gradClip as number,
    },
    vocabSize: vocabSizeOf(dir),
    init: typeof r?.init === 'string',
    steps,
    evals,
    health,
  };
}

export function runDiagnoseRun(argv: string[]): number {
  const { flags, positionals } = parseArgs(CMD, argv, specs, { positionals: true });
  if (flags.help) {
    console.log(helpText(USAGE, 'what looks wrong in a training run, and the usual fix', specs));
    return 0;
  }
  if (positionals.length === 0) throw new LlmfsError(`${CMD}: give the run directory (${USAGE})`);
  if (positionals.length > 1)
    throw new LlmfsError(
      `${CMD}: one run directory at a time, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  const dir = positionals[0];
  const run = loadRunData(dir);
  const a = analyzeRun(run);
  const path = writeReport(flags.report as string | undefined, 'diagnose-run.html', runReport(dir, run, a));
  if (flags.json) {
    const last = run.health?.[run.health.length - 1] ?? null;
    const { findings, lossSpikes, gradSpikes } = a;
    console.log(
      JSON.stringify(
        { dir, config: run.config, findings, lossSpikes, gradSpikes, last, report: path },
        null,
        2,
      ),
    );
    return 0;
  }
  const s = run.steps;
  const last = s[s.length - 1];
  const lastEval = run.evals[run.evals.length - 1];
  const val = lastEval && Number.isFinite(lastEval.valLoss) ? `, val ${lastEval.valLoss.toFixed(4)}` : '';
  console.log(
    `${dir}: ${last.step} of ${run.config.steps} steps, ` +
      `loss ${s[0].loss.toFixed(4)} -> ${last.loss.toFixed(4)}${val}; ` +
      `${a.lossSpikes.spikes.length} loss spike(s), ${a.gradSpikes.spikes.length} grad-norm spike(s)` +
      (run.health ? `, ${run.health.length} diagnostics records` : ''),
  );
  if (run.health) {
    const h = run.health[run.health.length - 1];
    const ratios = h.groups.map((g) => `${g.name} ${g.updateRatio.toExponential(1)}`).join(', ');
    const dead = h.layers.map((l) => `${(100 * l.dead).toFixed(0)}%`).join(' ');
    const std = h.residual.map((r) => r.std.toFixed(2)).join(' ');
    console.log(`step ${h.step}: update/weight ${ratios}\n  residual std ${std}; dead MLP units ${dead}`);
  }
  for (const f of a.findings) console.log(`- ${findingLine(f)}`);
  console.log(`report: ${path}`);
  return 0;
}
