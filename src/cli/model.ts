// `llmfs model info --preset NAME`: builds a model from a preset and prints its parameter count
// with a per-module table (the blocks h.0..h.N-1 are shown once, with a multiplier).

import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { GPT, EncoderDecoder, GPT_PRESETS, SEQ2SEQ_PRESETS, PRESET_NAMES } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { fmtShape } from '../tensor/shape.js';
import { LlmfsError } from '../errors.js';

const specs = {
  preset: { type: 'string', help: 'model preset', default: 'tiny', choices: PRESET_NAMES },
  json: { type: 'boolean', help: 'print JSON instead of a table' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

interface Row { module: string; shapes: string; params: number; times: number }

/** Groups parameters by module; repeated layers (`h.3.attn`) collapse to `h.*.attn`. */
export function moduleTable(model: Module): Row[] {
  const rows = new Map<string, Row>();
  for (const [name, p] of model.namedParameters()) {
    const parts = name.split('.');
    const mod = parts.slice(0, -1).join('.');
    const generic = mod.replace(/\.(\d+)(?=\.|$)/g, '.*');
    const key = generic;
    const row = rows.get(key);
    const first = !row || row.module === mod;
    if (!row) rows.set(key, { module: mod, shapes: `${parts[parts.length - 1]} ${fmtShape(p.shape)}`, params: p.size, times: 1 });
    else if (first) {
      row.shapes += `, ${parts[parts.length - 1]} ${fmtShape(p.shape)}`;
      row.params += p.size;
    } else if (name.endsWith(rowFirstParam(row))) row.times++;
  }
  return [...rows.entries()].map(([key, r]) => ({ ...r, module: r.times > 1 ? key : r.module }));
}

function rowFirstParam(r: Row): string {
  return `.${r.shapes.split(' ')[0]}`;
}

export const modelCommand: Command = {
  summary: 'model tools: `model info --preset NAME` prints the parameter count and a per-module table',
  run(argv) {
    const [sub, ...rest] = argv;
    const { flags } = parseArgs('model', rest, specs);
    if (flags.help || sub === '--help' || sub === undefined) {
      console.log(helpText('llmfs model info [--preset NAME] [--json]', modelCommand.summary, specs));
      return 0;
    }
    if (sub !== 'info') throw new LlmfsError(`model: unknown sub-command '${sub}' (known: info)`);
    const preset = flags.preset as string;
    const model: Module = GPT_PRESETS[preset] ? new GPT(GPT_PRESETS[preset]) : new EncoderDecoder(SEQ2SEQ_PRESETS[preset]);
    const config = model instanceof GPT ? model.config : (model as EncoderDecoder).config;
    const table = moduleTable(model);
    const total = model.numParameters();
    if (flags.json) {
      console.log(JSON.stringify({ preset, config, parameters: total, modules: table }, null, 2));
      return 0;
    }
    console.log(`preset ${preset}: ${total.toLocaleString('en-US')} parameters`);
    console.log(`config ${JSON.stringify(config)}`);
    const head = ['module', 'parameters', 'x', 'total', 'tensors'];
    const body = table.map((r) => [r.module, r.params.toLocaleString('en-US'), String(r.times), (r.params * r.times).toLocaleString('en-US'), r.shapes]);
    const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (c: string[]) => c.map((s, i) => (i >= 1 && i <= 3 ? s.padStart(w[i]) : s.padEnd(w[i]))).join('  ').trimEnd();
    console.log([line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n'));
    return 0;
  },
};
