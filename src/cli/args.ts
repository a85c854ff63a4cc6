// A small, strict command-line flag parser shared by every sub-command: `--name value`,
// `--name=value`, boolean `--flag`, `--no-flag`, and `-h` for `--help`. Unknown flags, bad values
// and stray positional words (unless the command takes them) are errors.

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
  /** The flags the user gave (as opposed to those left at their defaults). */
  given: Set<string>;
}

export interface ParseOptions {
  /** The command takes positional words (tokenize's text); otherwise a stray word is an error. */
  positionals?: boolean;
  /** Replaces the generic hint in the stray-word error (e.g. "give the text with --prompt"). */
  strayHint?: string;
}

/** Parses argv against `specs`; throws LlmfsError naming the command and flag on any fault. */
export function parseArgs(
  command: string,
  argv: readonly string[],
  specs: FlagSpecs,
  options: ParseOptions = {},
): Parsed {
  const flags: ParsedFlags = {};
  for (const [name, spec] of Object.entries(specs)) flags[name] = spec.default;
  const positionals: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' && specs.help?.type === 'boolean') {
      flags.help = true;
      given.add('help');
      continue;
    }
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
      given.add(name.slice(3));
      continue;
    }
    if (!spec) {
      throw new LlmfsError(`${command}: unknown option --${name} (see 'llmfs ${command} --help')`);
    }
    given.add(name);
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
  if (positionals.length > 0 && !options.positionals && !flags.help) {
    const word = positionals[0];
    const hint =
      options.strayHint ??
      (specs.preset?.choices?.includes(word)
        ? `did you mean --preset ${word}?`
        : specs.data && !word.startsWith('-')
          ? `did you mean --data ${word}?`
          : `options are written --name value; see 'llmfs ${command} --help'`);
    throw new LlmfsError(`${command}: unexpected argument '${word}' (${hint})`);
  }
  return { flags, positionals, given };
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

/**
 * The --help text for a command: usage line, then one line per flag with its default. Booleans
 * that default to on are shown as --[no-]NAME; a footer says every boolean takes --no-NAME.
 */
export function helpText(usage: string, description: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, '', description, '', 'options:'];
  const left = (name: string, spec: FlagSpec): string => {
    if (name === 'help') return '-h, --help';
    if (spec.type !== 'boolean') return `--${name} <${spec.type}>`;
    return spec.default === true ? `--[no-]${name}` : `--${name}`;
  };
  const width = Math.max(...Object.entries(specs).map(([k, s]) => left(k, s).length), 10);
  for (const [name, spec] of Object.entries(specs)) {
    const def = spec.default === undefined ? '' : ` (default: ${String(spec.default)})`;
    const choices = spec.choices ? ` [${spec.choices.join('|')}]` : '';
    lines.push(`  ${left(name, spec).padEnd(width)}  ${spec.help}${choices}${def}`);
  }
  if (Object.entries(specs).some(([k, s]) => s.type === 'boolean' && k !== 'help'))
    lines.push('', 'A boolean option --NAME is switched off with --no-NAME (or --NAME=false).');
  return lines.join('\n');
}
