// `llmfs compare --variants full,sliding,linear [train flags]` and `llmfs experiment FILE.json`:
// train several architecture variants on the same data, tokens and seed, each an ordinary run
// directory (OUT/<variant>) that every other command can use, then print and save the comparison
// (compare.md, compare.json, loss-curves.svg, and the HTML report) with the attention cost of each
// variant against context length. Each variant trains in its own process, so its tokens/s and
// peak memory are its own.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';
import { parseArgs, helpText, type FlagSpecs } from './args.js';
import { trainSpecs, MODEL_FLAGS } from './train-flags.js';
import { REPORT_FLAG, writeReport } from './report-file.js';
import { LlmfsError } from '../errors.js';
import { atomicWriteFile, makeDirs } from '../io/atomic-write.js';
import { LOG_FILE } from '../io/training-run.js';
import { readJsonLines } from '../io/run-diagnostics.js';
import { GPT_PRESETS } from '../model/presets.js';
import { VARIANTS, variantsByName, type Variant, type VariantConfig } from '../experiment/variants.js';
import { attentionCost } from '../experiment/attention-cost.js';
import {
  comparisonMarkdown,
  comparisonReport,
  lossCurvesSvg,
  type Comparison,
  type VariantResult,
} from '../experiment/compare-report.js';

const BIN = fileURLToPath(new URL('../../bin/llmfs.mjs', import.meta.url));
const DEFAULT_VARIANTS = 'full,sliding,sparse-strided,linear,alibi,moe';
/** Train flags compare sets itself, for every variant. */
const OWN = new Set(['out', 'resume', 'init', 'json', 'quiet', 'help', 'diagnostics', 'force']);
const ATTENTION_LENGTHS = [64, 128, 256, 512, 1024];

const specs = {
  ...Object.fromEntries(Object.entries(trainSpecs).filter(([k]) => !OWN.has(k))),
  variants: { type: 'string', help: `variants to train (${VARIANTS.map((v) => v.name).join(', ')})` },
  out: {
    type: 'string',
    help: 'directory of the runs (one per variant) and the comparison',
    default: 'out/compare',
  },
  force: { type: 'boolean', help: 'replace earlier runs in the output directory' },
  cost: { type: 'boolean', help: 'measure attention cost against context length', default: true },
  'cost-lengths': {
    type: 'string',
    help: 'context lengths of the cost measurement',
    default: '64,128,256,512,1024',
  },
  ...REPORT_FLAG,
  json: { type: 'boolean', help: 'print the comparison as JSON' },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies FlagSpecs;

const COMPARE_ONLY = new Set(['variants', 'out', 'force', 'cost', 'cost-lengths', 'report', 'json', 'help']);
const FLAG_OF_FIELD = new Map<string, string>(MODEL_FLAGS.map(([flag, field]) => [field as string, flag]));

/** A variant's config fields as `llmfs train` flags. */
export function variantFlags(config: VariantConfig): string[] {
  return Object.entries(config).flatMap(([field, value]) => {
    const flag = FLAG_OF_FIELD.get(field);
    if (!flag) throw new LlmfsError(`compare: the model field '${field}' has no llmfs train flag`);
    if (typeof value === 'boolean') return [value ? `--${flag}` : `--no-${flag}`];
    return [`--${flag}`, String(value)];
  });
}

/** argv without compare's own flags (and their values): the flags every variant's training shares. */
function sharedFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--(no-)?/, '').split('=')[0];
    if (argv[i].startsWith('--') && COMPARE_ONLY.has(name)) {
      const spec = specs[name as keyof typeof specs] as { type: string };
      if (spec.type !== 'boolean' && !argv[i].includes('=')) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

function trainVariant(v: Variant, T: number, shared: string[], dir: string, force: boolean): VariantResult {
  const flags = variantFlags(v.config(T));
  for (const f of flags.filter((x) => x.startsWith('--'))) {
    const name = f.replace(/^--(no-)?/, '');
    if (shared.some((s) => s.replace(/^--(no-)?/, '').split('=')[0] === name))
      throw new LlmfsError(
        `compare: ${f} is set by the variant '${v.name}'; leave it out of the shared flags`,
      );
  }
  const argv = [
    BIN,
    'train',
    ...shared,
    ...flags,
    '--out',
    dir,
    '--json',
    '--quiet',
    ...(force ? ['--force'] : []),
  ];
  console.error(`compare: training '${v.name}' ${flags.join(' ')}`.trimEnd());
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`;
    throw new LlmfsError(`compare: variant '${v.name}' failed: ${why.replace(/^error: /, '')}`);
  }
  const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, number>;
  const evals = readJsonLines(join(dir, LOG_FILE), { lenient: true })
    .filter((x) => typeof x.trainLoss === 'number')
    .map(
      (x) =>
        [x.step as number, (Number.isFinite(x.valLoss) ? x.valLoss : x.trainLoss) as number] as [
          number,
          number,
        ],
    );
  return {
    name: v.name,
    what: v.what,
    flags,
    dir,
    parameters: j.parameters,
    valLoss: j.valLoss,
    bestValLoss: j.bestValLoss,
    tokensPerSecond: j.tokensPerSecond,
    peakMemoryMB: j.peakMemoryMB,
    seconds: j.seconds,
    evals,
  };
}

interface RunOptions {
  variants: Variant[];
  shared: string[];
  out: string;
  force: boolean;
  blockSize: number;
  costLengths: number[];
  report?: string;
  json: boolean;
}

function runComparison(o: RunOptions): number {
  makeDirs('compare', o.out);
  const results = o.variants.map((v) => trainVariant(v, o.blockSize, o.shared, join(o.out, v.name), o.force));
  const attentionVariants = o.variants.filter((v) => {
    const c = v.config(64);
    return v.name === 'full' || 'attention' in c;
  });
  const cost = o.costLengths.length ? attentionCost(attentionVariants, o.costLengths) : [];
  const c: Comparison = { shared: o.shared, results, cost };
  const md = comparisonMarkdown(c);
  atomicWriteFile(join(o.out, 'compare.md'), `${md}\n`);
  atomicWriteFile(join(o.out, 'compare.json'), `${JSON.stringify(c, null, 2)}\n`);
  atomicWriteFile(join(o.out, 'loss-curves.svg'), lossCurvesSvg(c));
  const report = writeReport(o.report, join(o.out, 'compare.html'), comparisonReport(c));
  if (o.json) console.log(JSON.stringify({ ...c, html: report }, null, 2));
  else console.log(`${md}\n\nruns: ${o.out}/<variant>; report: ${report}`);
  return 0;
}

function parseLengths(s: string): number[] {
  const xs = s.split(',').map((x) => Number(x.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 2 || x > 4096))
    throw new LlmfsError(`compare: --cost-lengths must be whole numbers in 2..4096, got '${s}'`);
  return xs;
}

function blockSizeOf(flags: Record<string, unknown>): number {
  if (typeof flags['block-size'] === 'number') return flags['block-size'];
  return GPT_PRESETS[String(flags.preset)]?.blockSize ?? 64;
}

const USAGE = 'llmfs compare [--variants a,b,c] [--out DIR] [llmfs train flags: --steps, --preset, ...]';

export const compareCommand: Command = {
  summary: 'train architecture variants on the same data, tokens and seed, and compare them',
  run(argv) {
    const { flags, positionals } = parseArgs('compare', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, compareCommand.summary, specs));
      return 0;
    }
    if (positionals.length > 0) throw new LlmfsError(`compare: unexpected argument '${positionals[0]}'`);
    const variants = variantsByName(
      String(flags.variants ?? DEFAULT_VARIANTS)
        .split(',')
        .map((s) => s.trim()),
    );
    return runComparison({
      variants,
      shared: sharedFlags(argv),
      out: String(flags.out),
      force: flags.force === true,
      blockSize: blockSizeOf(flags),
      costLengths: flags.cost ? parseLengths(String(flags['cost-lengths'])) : [],
      report: flags.report as string | undefined,
      json: flags.json === true,
    });
  },
};

/** An experiment file: { "out"?, "train": { flag: value }, "variants": [names] or { name: fields } }. */
export interface ExperimentFile {
  out?: string;
  train?: Record<string, string | number | boolean>;
  variants: string[] | Record<string, VariantConfig>;
  costLengths?: number[];
}

export const experimentCommand: Command = {
  summary: 'run the comparison an experiment file describes (llmfs compare, from JSON)',
  run(argv) {
    const { flags, positionals } = parseArgs(
      'experiment',
      argv,
      {
        ...REPORT_FLAG,
        force: { type: 'boolean', help: 'replace earlier runs' },
        json: { type: 'boolean', help: 'print the comparison as JSON' },
        help: { type: 'boolean', help: 'show this help' },
      },
      { positionals: true },
    );
    if (positionals.length > 1) throw new LlmfsError(`experiment: give one file, got ${positionals.length}`);
    if (flags.help || positionals.length === 0) {
      console.log('usage: llmfs experiment FILE.json [--force] [--report FILE] [--json]');
      return flags.help ? 0 : 1;
    }
    const file = positionals[0];
    if (!existsSync(file)) throw new LlmfsError(`experiment: ${file} does not exist`);
    let spec: ExperimentFile;
    try {
      spec = JSON.parse(readFileSync(file, 'utf8')) as ExperimentFile;
    } catch (e) {
      throw new LlmfsError(`experiment: ${file} is not valid JSON (${(e as Error).message.slice(0, 80)})`);
    }
    if (typeof spec !== 'object' || spec === null || !spec.variants)
      throw new LlmfsError(
        `experiment: ${file} needs "variants": a list of names or { name: { field: value } }`,
      );
    const shared = Object.entries(spec.train ?? {}).flatMap(([k, v]) =>
      typeof v === 'boolean' ? [v ? `--${k}` : `--no-${k}`] : [`--${k}`, String(v)],
    );
    const parsed = parseArgs('experiment: "train"', shared, specs).flags;
    const variants: Variant[] = Array.isArray(spec.variants)
      ? variantsByName(spec.variants)
      : Object.entries(spec.variants).map(([name, config]) => ({
          name,
          what: 'from the experiment file',
          config: () => config,
        }));
    return runComparison({
      variants,
      shared,
      out: spec.out ?? 'out/experiment',
      force: flags.force === true,
      blockSize: blockSizeOf(parsed),
      costLengths: spec.costLengths ?? ATTENTION_LENGTHS,
      report: flags.report as string | undefined,
      json: flags.json === true,
    });
  },
};
