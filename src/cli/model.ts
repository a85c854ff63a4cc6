// `llmfs model info --preset NAME` (or --model DIR): prints a model's parameter count with a
// per-module table (the blocks h.0..h.N-1 shown once, with a multiplier), trainable vs frozen
// (`--freeze wte,h.0` shows what a fine-tune freezing those would train). A GPT preset's table is
// computed from its config (gptParameterShapes), so gpt2-xl costs no memory; --model loads, and
// --adapter DIR puts a PEFT LoRA adapter on it (its A and B trainable, the base frozen). With
// --model it also prints the family (ours, GPT-2, or a Llama-family architecture such as
// Qwen3ForCausalLM), the dtypes the files store, the weights' memory and the process's resident
// memory (now and at its peak); --quantize int8|int4 loads the weights quantized (load-flags.ts).

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { EncoderDecoder, GPT_PRESETS, SEQ2SEQ_PRESETS, PRESET_NAMES, gptConfig } from '../model/index.js';
import { gptParameterShapes } from '../model/param-shapes.js';
import type { Module } from '../nn/module.js';
import { checkNotRunDir } from './run-dir.js';
import { fmtShape } from '../tensor/shape.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { LlmfsError } from '../errors.js';
import { quantizedModules } from '../quant/quantize-model.js';
import { isInt8 } from '../quant/qmatmul.js';
import { loadFlagSpecs, quantizeOf } from './load-flags.js';

const specs = {
  preset: { type: 'string', help: 'model preset', default: 'tiny', choices: PRESET_NAMES },
  model: {
    type: 'string',
    help: 'a checkpoint or Hugging Face directory (GPT-2, Llama, Qwen2, Qwen3, Mistral) instead of a preset',
  },
  adapter: {
    type: 'string',
    help: 'with --model: a PEFT LoRA adapter to apply (the table then shows LoRA trainable, the rest frozen)',
  },
  ...loadFlagSpecs,
  freeze: {
    type: 'string',
    help: 'modules or parameters to freeze, comma-separated (e.g. wte,h.0); the rest is trainable',
  },
  json: { type: 'boolean', help: 'print JSON instead of a table' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

interface Row {
  module: string;
  shapes: string;
  /** Parameters in one instance of the module, and how many of them are frozen. */
  params: number;
  frozen: number;
  times: number;
}

/** A parameter as the table sees it: its name, shape, and whether it is frozen. */
export interface NamedShape {
  name: string;
  shape: readonly number[];
  frozen: boolean;
  /** A quantized weight's format ('int8', 'int4'); absent for float parameters. */
  format?: string;
}

/** A built model's parameters as NamedShapes, quantized weights (frozen) included. */
export function namedShapes(model: Module): NamedShape[] {
  const out: NamedShape[] = model
    .namedParameters()
    .map(([name, p]) => ({ name, shape: p.shape, frozen: !p.requiresGrad }));
  for (const [name, m] of quantizedModules(model)) {
    const w = m.weightQ;
    out.push({
      name: `${name}.weight`,
      shape: [w.rows, w.cols],
      frozen: true,
      format: isInt8(w) ? 'int8' : 'int4',
    });
  }
  return out;
}

/**
 * Groups parameters by module; repeated layers (`h.3.attn`) with the same shapes and the same
 * frozen count collapse to `h.*.attn`, with a multiplier.
 */
export function moduleTable(params: readonly NamedShape[]): Row[] {
  const instances = new Map<string, Row>();
  for (const p of params) {
    const parts = p.name.split('.');
    const mod = parts.slice(0, -1).join('.');
    const entry = `${parts[parts.length - 1]}${p.format ? ` ${p.format}` : ''} ${fmtShape(p.shape)}`;
    const r = instances.get(mod);
    const size = p.shape.reduce((a, b) => a * b, 1);
    const frozen = p.frozen ? size : 0;
    if (!r) instances.set(mod, { module: mod, shapes: entry, params: size, frozen, times: 1 });
    else {
      r.shapes += `, ${entry}`;
      r.params += size;
      r.frozen += frozen;
    }
  }
  const rows = new Map<string, Row & { generic: string }>();
  for (const r of instances.values()) {
    const generic = r.module.replace(/\.(\d+)(?=\.|$)/g, '.*');
    const key = `${generic}|${r.shapes}|${r.frozen}`;
    const row = rows.get(key);
    if (row) row.times++;
    else rows.set(key, { ...r, generic });
  }
  return [...rows.values()].map(({ generic, ...r }) => ({ ...r, module: r.times > 1 ? generic : r.module }));
}

/** Bytes the weights take in memory: float32 parameters 4 each, int8 codes 1, int4 codes 1/2 (no scales). */
export function weightBytes(params: readonly NamedShape[]): number {
  const per: Record<string, number> = { int8: 1, int4: 0.5 };
  return params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1) * (per[p.format ?? ''] ?? 4), 0);
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Freezes the parameters named by `list` (module or parameter names, comma-separated). */
function freezeNamed(params: NamedShape[], list: string): void {
  for (const name of list
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')) {
    const hits = params.filter((p) => p.name === name || p.name.startsWith(`${name}.`));
    if (hits.length === 0) {
      throw new LlmfsError(
        `model info: --freeze '${name}' matches no module or parameter (e.g. wte, h.0, h.0.attn, ln_f)`,
      );
    }
    for (const p of hits) p.frozen = true;
  }
}

export const modelCommand: Command = {
  summary: 'model tools: `model info --preset NAME` prints the parameter count and a per-module table',
  run(argv) {
    const [sub, ...rest] = argv;
    const { flags } = parseArgs('model info', rest, specs);
    if (flags.help || sub === '--help' || sub === '-h' || sub === 'help' || sub === undefined) {
      const usage =
        'llmfs model info [--preset NAME | --model DIR [--adapter DIR] [--quantize int8|int4]] ' +
        '[--freeze LIST] [--json]';
      console.log(helpText(usage, modelCommand.summary, specs));
      return 0;
    }
    if (sub !== 'info') throw new LlmfsError(`model: unknown sub-command '${sub}' (known: info)`);
    const preset = flags.preset as string;
    const dir = flags.model as string | undefined;
    if (flags.adapter !== undefined && dir === undefined)
      throw new LlmfsError('model info: --adapter needs --model DIR (the base model the adapter is for)');
    let params: NamedShape[];
    let config: object;
    let loaded: {
      family: string;
      storedDtypes: string[] | null;
      quantized: string | null;
      rssBytes: number;
      peakRssBytes: number;
    } | null = null;
    if (dir !== undefined) {
      checkNotRunDir('model info', dir);
      const adapter = flags.adapter as string | undefined;
      const p = loadPretrained(dir, { adapter, quantize: quantizeOf(flags) });
      [params, config] = [namedShapes(p.model), p.model.config];
      loaded = {
        family: p.family,
        storedDtypes: p.storedDtypes ?? null,
        quantized: p.quantized ?? null, // --quantize (a quantized checkpoint shows in the table)
        rssBytes: process.memoryUsage().rss,
        peakRssBytes: process.resourceUsage().maxRSS * 1024, // kilobytes
      };
    } else if (GPT_PRESETS[preset]) {
      // from the config alone: the same names and shapes as new GPT(config), no weights allocated
      config = gptConfig(GPT_PRESETS[preset]);
      params = gptParameterShapes(GPT_PRESETS[preset]).map((p) => ({ ...p, frozen: false }));
    } else {
      const model = new EncoderDecoder(SEQ2SEQ_PRESETS[preset]); // small: built
      [params, config] = [namedShapes(model), model.config];
    }
    if (flags.freeze !== undefined) freezeNamed(params, flags.freeze as string);
    const table = moduleTable(params);
    const total = table.reduce((n, r) => n + r.params * r.times, 0);
    const frozen = table.reduce((n, r) => n + r.frozen * r.times, 0);
    const label = dir !== undefined ? `model ${dir}` : `preset ${preset}`;
    if (flags.json) {
      const modules = table.map((r) => ({ ...r, trainable: r.params - r.frozen }));
      const source = dir !== undefined ? { model: dir } : { preset };
      const memory = { weightBytes: weightBytes(params), ...(loaded ?? {}) };
      const summary = {
        ...source,
        config,
        parameters: total,
        trainable: total - frozen,
        frozen,
        ...memory,
        modules,
      };
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    const fmt = (n: number) => n.toLocaleString('en-US');
    const counts = `${fmt(total - frozen)} trainable, ${fmt(frozen)} frozen`;
    console.log(`${label}: ${fmt(total)} parameters (${counts})`);
    if (loaded) {
      // F16/BF16 files are widened to float32 on load (4 bytes per parameter) unless --quantize.
      const stored = loaded.storedDtypes ? `, stored as ${loaded.storedDtypes.join('/')}` : '';
      console.log(`family ${loaded.family}${stored}`);
      const kinds = [...new Set(params.map((p) => p.format ?? 'float32'))].join(' + ');
      console.log(
        `memory: weights ${mb(weightBytes(params))} in memory (${kinds}), ` +
          `resident ${mb(loaded.rssBytes)} after loading (peak ${mb(loaded.peakRssBytes)})`,
      );
    } else console.log(`memory: weights ${mb(weightBytes(params))} as float32`);
    console.log(`config ${JSON.stringify(config)}`);
    const head = ['module', 'parameters', 'x', 'total', 'trainable', 'frozen', 'tensors'];
    const body = table.map((r) => [
      r.module,
      fmt(r.params),
      String(r.times),
      fmt(r.params * r.times),
      fmt((r.params - r.frozen) * r.times),
      fmt(r.frozen * r.times),
      r.shapes,
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const pad = (s: string, i: number) => (i >= 1 && i <= 5 ? s.padStart(w[i]) : s.padEnd(w[i]));
    const line = (c: string[]) => c.map(pad).join('  ').trimEnd();
    console.log([line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n'));
    return 0;
  },
};
