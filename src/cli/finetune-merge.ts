// `llmfs finetune merge --model M --adapter A --out DIR`: folds a LoRA adapter into the base
// weights, W <- W + (α/r)·B·A (Hu et al., 2021, section 4.1: "no additional inference latency"),
// and writes a plain Hugging Face directory (GPT-2's layout, or the Llama family's for a Llama,
// Qwen or Mistral base) that loads without the adapter and gives the same logits as the base model
// with the adapter.

import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, helpText } from './args.js';
import { isLlamaLayout, loadPretrained, saveHfGpt2 } from '../io/load-pretrained.js';
import { saveHfLlamaDir } from '../io/hf-llama-dir.js';
import { mergeAndUnloadLora } from '../model/lora-apply.js';
import { BpeTokenizer } from '../tokenizer/bpe.js';
import { checkNotRunDir } from './run-dir.js';
import { LlmfsError } from '../errors.js';

const specs = {
  model: { type: 'string', help: 'the base model directory (ours, or a Hugging Face GPT-2/Llama download)' },
  adapter: { type: 'string', help: 'the PEFT LoRA adapter directory (adapter_config.json + weights)' },
  out: { type: 'string', help: 'where to write the merged Hugging Face directory (GPT-2 or Llama layout)' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

const LLAMA_SIDE_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'chat_template.jinja',
  'generation_config.json',
];

const USAGE = 'llmfs finetune merge --model DIR --adapter DIR --out DIR';
const ABOUT = 'fold a LoRA adapter into the weights and write a plain Hugging Face directory';

export const finetuneMerge = {
  about: ABOUT,
  run(argv: string[]): number {
    const { flags } = parseArgs('finetune merge', argv, specs);
    if (flags.help) {
      console.log(helpText(USAGE, ABOUT, specs));
      return 0;
    }
    for (const f of ['model', 'adapter', 'out'] as const)
      if (flags[f] === undefined) throw new LlmfsError(`finetune merge: --${f} DIR is required (${USAGE})`);
    const [dir, adapter, out] = [String(flags.model), String(flags.adapter), String(flags.out)];
    checkNotRunDir('finetune merge', dir);
    if (resolve(out) === resolve(dir) || resolve(out) === resolve(adapter))
      throw new LlmfsError(`finetune merge: --out ${out} would overwrite the input; give a new directory`);
    const { model, tokenizer } = loadPretrained(dir, { adapter });
    mergeAndUnloadLora(model);
    if (isLlamaLayout(model)) {
      const written = saveHfLlamaDir(out, model);
      // The base directory's tokenizer and generation files, so the merged one loads and chats alike.
      for (const f of LLAMA_SIDE_FILES)
        if (existsSync(join(dir, f))) {
          copyFileSync(join(dir, f), join(out, f));
          written.push(join(out, f));
        }
      console.log(`merged ${adapter} into ${dir}: wrote ${written.join(', ')}`);
      return 0;
    }
    // HF's GPT2Tokenizer reads only byte-level BPE with GPT-2's pre-tokenizer; others are left out.
    const hfTok = tokenizer instanceof BpeTokenizer && tokenizer.pretokenizer.type === 'gpt2';
    const written = saveHfGpt2(out, model, hfTok ? tokenizer : null);
    console.log(`merged ${adapter} into ${dir}: wrote ${written.join(', ')}`);
    if (tokenizer && !hfTok)
      console.log(`note: the ${tokenizer.kind} tokenizer has no Hugging Face GPT-2 form and was not written`);
    return 0;
  },
};
