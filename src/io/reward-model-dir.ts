// A reward model on disk: the GPT body as an ordinary checkpoint (model.safetensors, config.json,
// tokenizer.json: `llmfs generate` still reads it), plus reward_head.safetensors (the scalar head:
// head.weight (1, C), head.bias (1)) and reward_model.json (the prompt template and how it was
// trained), all written atomically together by saveModel.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmfsError } from '../errors.js';
import { saveModel } from './model-checkpoint.js';
import { loadPretrained } from './load-pretrained.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { RewardModel } from '../train/align/reward-model.js';
import { makeTemplate, type PromptTemplate } from '../train/instruct/template.js';

export const REWARD_INFO_FILE = 'reward_model.json';
export const REWARD_HEAD_FILE = 'reward_head.safetensors';

export interface RewardModelInfo {
  template: { name: string; withInput: string; noInput: string };
  eosId: number;
  /** How it was trained (steps, data, held-out accuracy ...), for the reader. */
  trainedWith?: Record<string, unknown>;
}

export function saveRewardModel(
  dir: string,
  rm: RewardModel,
  tokenizer: Tokenizer,
  info: RewardModelInfo,
): void {
  const head = { 'head.weight': rm.head.weight.detach(), 'head.bias': rm.head.bias!.detach() };
  saveModel(dir, rm.gpt, {
    tokenizer,
    extraFiles: {
      [REWARD_HEAD_FILE]: writeSafetensors(head, { format: 'pt' }),
      [REWARD_INFO_FILE]: `${JSON.stringify(info, null, 2)}\n`,
    },
  });
}

export interface LoadedRewardModel {
  rm: RewardModel;
  tokenizer: Tokenizer;
  template: PromptTemplate;
  info: RewardModelInfo;
}

export function loadRewardModel(dir: string): LoadedRewardModel {
  const infoPath = join(dir, REWARD_INFO_FILE);
  if (!existsSync(infoPath))
    throw new LlmfsError(
      `reward: ${dir} has no ${REWARD_INFO_FILE}; give a directory written by 'llmfs finetune reward'`,
    );
  let info: RewardModelInfo;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8')) as RewardModelInfo;
  } catch (err) {
    throw new LlmfsError(`${infoPath}: not valid JSON (${(err as Error).message.slice(0, 80)})`);
  }
  const t = info?.template;
  if (typeof t?.withInput !== 'string' || typeof t.noInput !== 'string' || !Number.isInteger(info.eosId))
    throw new LlmfsError(`${infoPath}: needs 'template' {name, withInput, noInput} and an integer 'eosId'`);
  const pre = loadPretrained(dir);
  if (!pre.tokenizer) throw new LlmfsError(`reward: ${dir} has no tokenizer`);
  const rm = new RewardModel(pre.model);
  const headPath = join(dir, REWARD_HEAD_FILE);
  if (!existsSync(headPath)) throw new LlmfsError(`reward: ${dir} has no ${REWARD_HEAD_FILE}`);
  const { tensors } = readSafetensors(new Uint8Array(readFileSync(headPath)), headPath);
  try {
    rm.head.loadStateDict({ weight: tensors['head.weight'], bias: tensors['head.bias'] });
  } catch (err) {
    if (err instanceof LlmfsError) throw new LlmfsError(`${headPath}: ${err.message}`);
    throw err;
  }
  rm.eval();
  return { rm, tokenizer: pre.tokenizer, template: makeTemplate(t.name, t.withInput, t.noInput), info };
}
