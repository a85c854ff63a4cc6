// A small, strict command-line flag parser shared by every sub-command: `--name value`,
// `--name=value`, boolean `--flag`, and `--no-flag`. Unknown flags and bad values are errors.

import { LlmfsError } from '../errors.js';

export type FlagType = 'string' | 'number' | 'int' | 'boolean';

export interface FlagSpec {
  type: FlagType;
  /** One line for --help. */
  help: string;
  default?: string | number | boolean;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;
export type ParsedFlags = Record<string, string | number | boolean | undefined>;

export interface Parsed {
  flags: ParsedFlags;
  positionals: string[];
}

/** Parses argv against `specs`; throws LlmfsError naming the command and flag on any fault. */
export function parseArgs(command: string, argv: readonly string[], specs: FlagSpecs): Parsed {
  const flags: ParsedFlags = {};
  for (const [name, spec] of Object.entries(specs)) flags[name] = spec.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean' && value === undefined) {
      flags[name.slice(3)] = false;
      continue;
    }
    if (!spec) {
      throw new LlmfsError(`${command}: unknown option --${name} (see 'llmfs ${command} --help')`);
    }
    if (spec.type === 'boolean') {
      if (value === undefined) flags[name] = true;
      else if (value === 'true' || value === '1') flags[name] = true;
      else if (value === 'false' || value === '0') flags[name] = false;
      else throw new LlmfsError(`${command}: --${name} takes true or false, got '${value}'`);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new LlmfsError(`${command}: --${name} needs a value`);
      value = argv[++i];
    }
    flags[name] = convert(command, name, spec, value);
  }
  return { flags, positionals };
}

function convert(command: string, name: string, spec: FlagSpec, value: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(value)) {
      throw new LlmfsError(`${command}: --${name} must be one of ${spec.choices.join(', ')}, got '${value}'`);
    }
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new LlmfsError(`${command}: --${name} must be a number, got '${value}'`);
  }
  if (spec.type === 'int' && !Number.isInteger(n)) {
    throw new LlmfsError(`${command}: --${name} must be an integer, got '${value}'`);
  }
  return n;
}

/** The --help text for a command: usage line, then one line per flag with its default. */
export function helpText(usage: string, description: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, '', description, '', 'options:'];
  const width = Math.max(...Object.keys(specs).map((k) => k.length + specs[k].type.length + 5), 10);
  for (const [name, spec] of Object.entries(specs)) {
    const left = spec.type === 'boolean' ? `--${name}` : `--${name} <${spec.type}>`;
    const def = spec.default === undefined ? '' : ` (default: ${String(spec.default)})`;
    const choices = spec.choices ? ` [${spec.choices.join('|')}]` : '';
    lines.push(`  ${left.padEnd(width)}  ${spec.help}${choices}${def}`);
  }
  return lines.join('\n');
}
