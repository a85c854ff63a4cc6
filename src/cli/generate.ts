// `llmfs generate --model DIR --prompt "..."`: continues a prompt with a saved model, streaming
// tokens as they come. Greedy, sampling (temperature, top-k, top-p, min-p, penalties, seed) or
// beam search; --show-probs prints each token's probability and the distribution's entropy.
// --chat puts --prompt into the model's own chat template (tokenizer_config.json) as a user message
// and stops on the family's stop tokens.

import type { Command } from './command.js';
import { buildProcessors } from '../generate/settings.js';
import { parseArgs, helpText, type ParsedFlags } from './args.js';
import { loadPretrained } from '../io/load-pretrained.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { generate, type GenerateOptions, type GeneratedToken } from '../generate/generate.js';
import { beamSearch, type BeamSearchOptions } from '../generate/beam-search.js';
import { LlmfsError } from '../errors.js';
import { checkNotRunDir } from './run-dir.js';
import { instructionPrompt } from './instruct-prompt.js';
import { chatOf, encodeChatPrompt, singleTurn } from './chat-prompt.js';
import { loadFlagSpecs, memoryMB, quantizeOf } from './load-flags.js';

const specs = {
  model: { type: 'string', help: 'checkpoint directory (model.safetensors, config.json, tokenizer.json)' },
  adapter: { type: 'string', help: 'a PEFT LoRA adapter directory to apply to the model' },
  ...loadFlagSpecs,
  prompt: { type: 'string', help: 'the text to continue (default: <|endoftext|> when the tokenizer has it)' },
  template: { type: 'string', help: "prompt template for --instruction: 'alpaca', 'phi3' or a file" },
  instruction: { type: 'string', help: 'an instruction, put into the template (instead of --prompt)' },
  input: { type: 'string', help: "context for --instruction (the template's {input})" },
  chat: {
    type: 'boolean',
    help: "put --prompt into the model's chat template (tokenizer_config.json) as a user message",
  },
  system: { type: 'string', help: 'with --chat: a system message before the user message' },
  'chat-template': { type: 'string', help: 'with --chat: which named chat template (default: "default")' },
  'max-new-tokens': { type: 'int', help: 'most tokens to generate', default: 64 },
  strategy: {
    type: 'string',
    help:
      'decoding strategy (default: sample when a sampling flag is given, beam when --beams is, else ' +
      'greedy)',
    choices: ['greedy', 'sample', 'beam'],
  },
  temperature: { type: 'number', help: 'sampling temperature (0 = greedy)' },
  'top-k': { type: 'int', help: 'sample from the k most likely tokens' },
  'top-p': { type: 'number', help: 'nucleus sampling: the smallest set with probability >= p' },
  'min-p': { type: 'number', help: 'keep tokens with probability >= min-p times the top one' },
  'repetition-penalty': {
    type: 'number',
    help: "CTRL's penalty for tokens already present (> 1 discourages repeats)",
  },
  'no-repeat-ngram-size': { type: 'int', help: 'never repeat an n-gram of this many tokens (0: off)' },
  'frequency-penalty': { type: 'number', help: "subtract count x this from a generated token's logit" },
  'presence-penalty': { type: 'number', help: "subtract this once from any generated token's logit" },
  beams: { type: 'int', help: 'beam width for --strategy beam (default 4)' },
  'length-penalty': { type: 'number', help: 'beam search: score = logprob / length^a (0: none)', default: 1 },
  'length-penalty-formula': {
    type: 'string',
    help: "beam search: 'hf' divides by length^a, 'gnmt' by ((5 + length) / 6)^a",
    default: 'hf',
    choices: ['hf', 'gnmt'],
  },
  'early-stopping': {
    type: 'string',
    help: "beam search, as HF's early_stopping: true = once B have finished, false = heuristic, never",
    default: 'false',
    choices: ['true', 'false', 'never'],
  },
  'num-return-sequences': { type: 'int', help: 'beam search: hypotheses to print, best first', default: 1 },
  seed: { type: 'int', help: 'seed of the sampler (the same seed gives the same text)', default: 0 },
  cache: { type: 'boolean', help: 'use the KV cache (--no-cache recomputes every step)', default: true },
  stop: { type: 'string', help: 'stop when the text contains this (\\n is a newline)' },
  'eos-id': { type: 'int', help: 'end-of-text token id (default: <|endoftext|> when the tokenizer has it)' },
  overflow: {
    type: 'string',
    help:
      'when prompt + new tokens outgrow the context window: slide it (keep the last block-size tokens, ' +
      'as nanoGPT crops), or stop with an error',
    default: 'slide',
    choices: ['error', 'slide'],
  },
  json: { type: 'boolean', help: 'print ids, text, per-token log-probs and memory as JSON at the end' },
  'show-probs': {
    type: 'boolean',
    help: 'one line per token: probability, entropy and the top-3 alternatives',
  },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const USAGE =
  'llmfs generate --model DIR [--adapter DIR] --prompt TEXT [--max-new-tokens N] ' +
  '[--strategy greedy|sample|beam] [options]';

function num(flags: ParsedFlags, name: string): number | undefined {
  return flags[name] as number | undefined;
}

function strategyOf(flags: ParsedFlags): 'greedy' | 'sample' | 'beam' {
  if (flags.strategy !== undefined) return flags.strategy as 'greedy' | 'sample' | 'beam';
  if (['temperature', 'top-k', 'top-p', 'min-p'].some((f) => flags[f] !== undefined)) return 'sample';
  return flags.beams !== undefined ? 'beam' : 'greedy';
}

function eosOf(tok: Tokenizer, flags: ParsedFlags, vocabSize: number): number | undefined {
  const id = flags['eos-id'] as number | undefined;
  const V = Math.min(vocabSize, tok.vocabSize);
  if (id !== undefined && (id < 0 || id >= V))
    throw new LlmfsError(`generate: --eos-id ${id} is not a token id of this model (ids 0..${V - 1})`);
  if (id !== undefined) return id;
  return tok instanceof BpeTokenizer ? tok.specialTokens['<|endoftext|>'] : undefined;
}

/** Flags that only one strategy reads; given with another, they would be silently ignored. */
const ONLY_FOR: Record<string, 'sample' | 'beam' | 'greedy or sample'> = {
  temperature: 'sample',
  'top-k': 'sample',
  'top-p': 'sample',
  'min-p': 'sample',
  beams: 'beam',
  'length-penalty': 'beam',
  'length-penalty-formula': 'beam',
  'early-stopping': 'beam',
  'num-return-sequences': 'beam',
  'repetition-penalty': 'greedy or sample',
  'no-repeat-ngram-size': 'greedy or sample',
  'frequency-penalty': 'greedy or sample',
  'presence-penalty': 'greedy or sample',
  'show-probs': 'greedy or sample',
};

/** One error line for a flag that the chosen strategy would ignore (e.g. --temperature with greedy). */
function checkConflicts(given: Set<string>, strategy: 'greedy' | 'sample' | 'beam'): void {
  for (const [flag, only] of Object.entries(ONLY_FOR)) {
    if (!given.has(flag) || only.split(' or ').includes(strategy)) continue;
    const chosen = given.has('strategy') ? `--strategy ${strategy}` : `the ${strategy} strategy`;
    throw new LlmfsError(
      `generate: --${flag} applies to --strategy ${only}, not ${chosen}; drop one of them`,
    );
  }
}

/** Runs the command, writing to `out`; returns the exit code. */
export function runGenerate(argv: string[], out: (s: string) => void): number {
  const { flags, given } = parseArgs('generate', argv, specs, {
    strayHint: 'give the text with --prompt "..."',
  });
  if (flags.help) {
    out(`${helpText(USAGE, generateCommand.summary, specs)}\n`);
    return 0;
  }
  if (flags.model === undefined)
    throw new LlmfsError(
      "generate: --model DIR is required (a checkpoint directory, e.g. one written by 'llmfs train')",
    );
  const strategy = strategyOf(flags);
  checkConflicts(given, strategy);
  checkNotRunDir('generate', String(flags.model));
  const adapter = flags.adapter as string | undefined;
  const { model, tokenizer } = loadPretrained(String(flags.model), { adapter, quantize: quantizeOf(flags) });
  mergeAndUnloadLora(model); // an adapter folded into W: the base model's speed and memory
  if (!tokenizer)
    throw new LlmfsError(
      `generate: checkpoint ${String(flags.model)} has no tokenizer.json, so text cannot be encoded`,
    );
  const chat = chatOf(flags, tokenizer, model.config.vocabSize);
  const eos = eosOf(tokenizer, flags, model.config.vocabSize);
  // With --chat the family's stop tokens end the answer (--eos-id, if given, replaces them).
  const eosId = chat && flags['eos-id'] === undefined ? chat.stop.ids : eos;
  const promptText = chat
    ? chat.template.render(singleTurn(String(flags.prompt), flags.system as string | undefined))
    : (instructionPrompt(flags, String(flags.model)) ?? (flags.prompt as string | undefined));
  let prompt: number[];
  if (chat && promptText !== undefined) prompt = encodeChatPrompt(tokenizer, promptText);
  else if (promptText !== undefined && promptText !== '') prompt = tokenizer.encode(promptText);
  else if (eos !== undefined) prompt = [eos];
  else
    throw new LlmfsError(
      'generate: give a prompt with --prompt "..." (this tokenizer has no <|endoftext|> to start from)',
    );
  const maxNewTokens = flags['max-new-tokens'] as number;
  const common = {
    maxNewTokens,
    useCache: flags.cache !== false,
    overflow: flags.overflow as 'error' | 'slide',
    eosId,
  };
  const decode = (ids: readonly number[]) => tokenizer.decode(ids);
  const shownPrompt = promptText ?? '';

  if (strategy === 'beam') {
    const early = flags['early-stopping'] as 'true' | 'false' | 'never';
    const hyps = beamSearch(model, prompt, {
      ...common,
      beams: (flags.beams as number | undefined) ?? 4,
      lengthPenalty: flags['length-penalty'] as number,
      lengthPenaltyFormula: flags['length-penalty-formula'] as BeamSearchOptions['lengthPenaltyFormula'],
      earlyStopping: early === 'never' ? 'never' : early === 'true',
      numReturnSequences: flags['num-return-sequences'] as number,
    });
    const rows = hyps.map((h) => ({
      ids: h.ids,
      text: decode(h.ids),
      logprob: h.logprob,
      score: h.score,
      finished: h.finished,
    }));
    const report = { prompt: shownPrompt, promptIds: prompt, strategy, hypotheses: rows, ...memoryMB() };
    if (flags.json) out(`${JSON.stringify(report, null, 2)}\n`);
    else
      rows.forEach((r, i) =>
        out(
          `#${i + 1}  score ${r.score.toFixed(4)}  logprob ${r.logprob.toFixed(4)}` +
            `${r.finished ? '' : '  (cut at max-new-tokens)'}\n${shownPrompt}${r.text}\n`,
        ),
      );
    return 0;
  }

  const showProbs = flags['show-probs'] === true;
  const json = flags.json === true;
  const piece = (id: number) => JSON.stringify(tokenizer.piece(id));
  const opts: GenerateOptions = {
    ...common,
    strategy,
    temperature: num(flags, 'temperature'),
    topK: num(flags, 'top-k'),
    topP: num(flags, 'top-p'),
    minP: num(flags, 'min-p'),
    repetitionPenalty: num(flags, 'repetition-penalty'),
    noRepeatNgramSize: num(flags, 'no-repeat-ngram-size'),
    frequencyPenalty: num(flags, 'frequency-penalty'),
    presencePenalty: num(flags, 'presence-penalty'),
    seed: flags.seed as number,
    decode,
    stop: [
      ...(chat?.stop.texts ?? []),
      ...(flags.stop !== undefined ? [String(flags.stop).replace(/\\n/g, '\n').replace(/\\t/g, '\t')] : []),
    ],
    topAlternatives: showProbs || json ? 3 : 0,
  };
  buildProcessors(opts); // checks every sampling option before anything is printed
  // The prompt (or the table's head) is printed when the first token arrives: generate() checks
  // the context window and every option first, so an error is never glued to an echoed prompt.
  let begun = false;
  const begin = (head: () => void) => {
    if (!begun) head();
    begun = true;
  };
  if (showProbs && !json) {
    const head = () => {
      out(`prompt: ${JSON.stringify(shownPrompt)} (${prompt.length} tokens)\n`);
      out(
        `${'#'.padStart(4)}  ${'token'.padEnd(14)}  ${'prob'.padStart(6)}  ${'entropy'.padStart(7)}  top-3 ` +
          `alternatives\n`,
      );
    };
    opts.onToken = (t: GeneratedToken) => {
      begin(head);
      const alts = t.alternatives.map((a) => `${piece(a.id)} ${a.prob.toFixed(3)}`).join(', ');
      out(
        `${String(t.index).padStart(4)}  ${piece(t.id).padEnd(14)}  ${t.prob.toFixed(3).padStart(6)}  ` +
          `${t.entropy.toFixed(3).padStart(7)}  ${alts}\n`,
      );
    };
  } else if (!json) {
    opts.onToken = () => begin(() => out(shownPrompt));
    opts.onText = (s) => out(s);
  }
  const r = generate(model, prompt, opts);
  if (!json)
    begin(() =>
      out(showProbs ? `prompt: ${JSON.stringify(shownPrompt)} (${prompt.length} tokens)\n` : shownPrompt),
    );
  if (json) {
    const tokens = r.tokens.map((t) => ({
      id: t.id,
      piece: tokenizer.piece(t.id),
      logprob: t.logprob,
      prob: t.prob,
      entropy: t.entropy,
      top: t.alternatives.map((a) => ({ id: a.id, piece: tokenizer.piece(a.id), prob: a.prob })),
    }));
    const report = { prompt: shownPrompt, promptIds: prompt, strategy, ids: r.ids, text: r.text };
    out(`${JSON.stringify({ ...report, finishReason: r.finishReason, tokens, ...memoryMB() }, null, 2)}\n`);
  } else if (showProbs) {
    out(`\n${shownPrompt}${r.text}\n(${r.ids.length} tokens, stopped by ${r.finishReason})\n`);
  } else {
    out('\n');
  }
  return 0;
}

export const generateCommand: Command = {
  summary: 'continue a prompt with a saved model (greedy, sampling, beam search), streaming the tokens',
  run(argv) {
    return runGenerate(argv, (s) => process.stdout.write(s));
  },
};
