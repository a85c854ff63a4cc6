// `llmfs chat --model DIR`: an interactive loop over an instruction-tuned model. Each line you
// type is an instruction, put into the model's prompt template (the one saved by `finetune
// instruct`, or --template) and answered, streaming, up to end-of-text. Every turn is a fresh
// single-turn prompt, as the model was tuned. `/input TEXT` sets the context of the next
// instruction; Ctrl-D or Ctrl-C (or /quit) ends it. Works with piped stdin too.
// A model directory with a chat template (tokenizer_config.json, as Hugging Face chat models ship)
// gets a multi-turn conversation in that template instead (chat-turns.ts), unless --template is given.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command } from './command.js';
import { parseArgs, helpText } from './args.js';
import { LlmfsError } from '../errors.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { generate } from '../generate/generate.js';
import { formatPrompt } from '../train/instruct/template.js';
import { eosIdOf, templateFor } from './instruct-prompt.js';
import { checkNotRunDir } from './run-dir.js';
import { readChatFiles, type ChatFiles } from '../io/chat-files.js';
import type { ChatTemplate } from '../chat/render.js';
import { chatSetupOf } from './chat-prompt.js';
import { Conversation } from './chat-turns.js';
import type { ParsedFlags } from './args.js';
import { loadFlagSpecs, quantizeOf } from './load-flags.js';

const specs = {
  model: {
    type: 'string',
    help: 'an instruction-tuned model directory (a chat template is used if it has one)',
  },
  ...loadFlagSpecs,
  template: {
    type: 'string',
    help:
      "instruction template, instead of the model's chat template: 'alpaca', 'phi3' or a file (default: " +
      "the chat template, else the model's saved one, else 'alpaca')",
  },
  system: { type: 'string', help: 'a system message for a chat template (the model may have a default)' },
  'chat-template': { type: 'string', help: 'which named chat template (default: "default")' },
  'max-new-tokens': { type: 'int', help: 'longest answer', default: 64 },
  temperature: { type: 'number', help: 'sample at this temperature (default: greedy)' },
  'top-k': { type: 'int', help: 'sample from the k most likely tokens' },
  seed: { type: 'int', help: 'sampling seed', default: 0 },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs chat --model DIR [--quantize int8|int4] [--system TEXT] [--template alpaca|FILE] ' +
  '[--temperature T] [--max-new-tokens N]';

/** Runs the loop over `input` lines, writing answers to `out`; resolves with the exit code. */
export async function runChat(
  argv: string[],
  input: Readable,
  out: (s: string) => void,
  interactive: boolean,
): Promise<number> {
  const { flags } = parseArgs('chat', argv, specs);
  if (flags.help) {
    out(`${helpText(USAGE, chatCommand.summary, specs)}\n`);
    return 0;
  }
  if (flags.model === undefined) throw new LlmfsError(`chat: --model DIR is required (usage: ${USAGE})`);
  const dir = String(flags.model);
  checkNotRunDir('chat', dir);
  const files =
    flags.template === undefined ? readChatFiles(dir, flags['chat-template'] as string | undefined) : null;
  if (files?.template)
    return runTemplateChat(flags, dir, { ...files, template: files.template }, input, out, interactive);
  if (flags.system !== undefined || flags['chat-template'] !== undefined)
    throw new LlmfsError(
      `chat: --system and --chat-template need a chat template, and ${dir} has none` +
        (flags.template !== undefined ? ' in use (--template is given)' : ''),
    );
  const template = templateFor(flags.template as string | undefined, dir);
  const { model, tokenizer, eosTokenId } = loadPretrained(dir, { quantize: quantizeOf(flags) });
  if (!tokenizer) throw new LlmfsError(`chat: ${dir} has no tokenizer, so text cannot be encoded`);
  const eosId = eosIdOf(tokenizer, eosTokenId, 'chat');
  model.eval();
  const temperature = flags.temperature as number | undefined;
  const sampling = temperature !== undefined || flags['top-k'] !== undefined;
  let seed = flags.seed as number;

  const rl = createInterface({ input, terminal: false });
  const ask = () => void (interactive ? out('> ') : undefined);
  let ended = false;
  // Ctrl-C between answers ends the chat like Ctrl-D (during an answer it stops the process).
  const onSigint = () => rl.close();
  if (interactive) process.once('SIGINT', onSigint);
  if (interactive)
    out(`chat with ${dir} (template ${template.name}); /input TEXT gives context; Ctrl-D ends\n`);
  let context = '';
  ask();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') {
      ended = true;
      break;
    }
    if (line.startsWith('/input')) {
      context = line.slice('/input'.length).trim();
      ask();
      continue;
    }
    if (line === '') {
      ask();
      continue;
    }
    const prompt = tokenizer.encode(formatPrompt(template, { instruction: line, input: context }));
    context = '';
    generate(model, prompt, {
      strategy: sampling ? 'sample' : 'greedy',
      temperature,
      topK: flags['top-k'] as number | undefined,
      seed: seed++,
      maxNewTokens: flags['max-new-tokens'] as number,
      eosId,
      overflow: 'slide',
      decode: (ids) => tokenizer.decode(ids.filter((id) => id !== eosId)),
      onText: (s) => out(s),
    });
    out('\n');
    ask();
  }
  rl.close();
  process.off('SIGINT', onSigint);
  if (interactive && !ended) out('\n');
  return 0;
}

/** The multi-turn loop in the model's own chat template. */
async function runTemplateChat(
  flags: ParsedFlags,
  dir: string,
  files: ChatFiles & { template: ChatTemplate },
  input: Readable,
  out: (s: string) => void,
  interactive: boolean,
): Promise<number> {
  const { model, tokenizer } = loadPretrained(dir, { quantize: quantizeOf(flags) });
  if (!tokenizer) throw new LlmfsError(`chat: ${dir} has no tokenizer, so text cannot be encoded`);
  model.eval();
  const setup = chatSetupOf(files, tokenizer, model.config.vocabSize);
  const conv = new Conversation(model, tokenizer, setup, {
    maxNewTokens: flags['max-new-tokens'] as number,
    temperature: flags.temperature as number | undefined,
    topK: flags['top-k'] as number | undefined,
    seed: flags.seed as number,
    system: flags.system as string | undefined,
  });
  const rl = createInterface({ input, terminal: false });
  const ask = () => void (interactive ? out('> ') : undefined);
  const onSigint = () => rl.close();
  if (interactive) process.once('SIGINT', onSigint);
  if (interactive)
    out(`chat with ${dir} (its chat template, ${files.template.file}); /reset forgets; Ctrl-D ends\n`);
  let ended = false;
  ask();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') {
        ended = true;
        break;
      }
      if (line === '/reset') conv.reset();
      else if (line !== '') {
        conv.answer(line, out);
        out('\n');
      }
      ask();
    }
  } finally {
    rl.close();
    process.off('SIGINT', onSigint);
  }
  if (interactive && !ended) out('\n');
  return 0;
}

export const chatCommand: Command = {
  summary: 'chat with an instruction-tuned model in its chat or prompt template (Ctrl-D ends)',
  run(argv) {
    return runChat(argv, process.stdin, (s) => process.stdout.write(s), process.stdin.isTTY === true);
  },
};
