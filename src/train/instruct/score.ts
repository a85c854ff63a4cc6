// Exact-match scoring of instruction following: greedy decoding after the template, stopped at
// end-of-text, and the response compared with the expected output (surrounding whitespace
// trimmed). Accuracy is reported per task, so a learner sees which skills tuning taught.

import type { GPT } from '../../model/gpt.js';
import type { Tokenizer } from '../../tokenizer/types.js';
import { generate } from '../../generate/generate.js';
import { formatPrompt, type InstructionExample, type PromptTemplate } from './template.js';

export interface RespondOptions {
  eosId: number;
  /** Most tokens in a response (default 32). */
  maxNewTokens?: number;
}

/** The model's greedy response to one instruction (the text after the prompt, up to end-of-text). */
export function respond(
  model: GPT,
  tok: Tokenizer,
  t: PromptTemplate,
  ex: { instruction: string; input?: string },
  o: RespondOptions,
): string {
  const prompt = tok.encode(formatPrompt(t, ex));
  const r = generate(model, prompt, {
    strategy: 'greedy',
    maxNewTokens: o.maxNewTokens ?? 32,
    eosId: o.eosId,
    overflow: 'slide',
    decode: (ids) => tok.decode(ids),
  });
  return tok.decode(r.ids); // generate() leaves the end-of-text id out
}

export interface TaskScore {
  task: string;
  correct: number;
  total: number;
  accuracy: number;
}

export interface ScoreReport {
  perTask: TaskScore[];
  overall: TaskScore;
  /** A few responses, for reading: at most `samples` per task. */
  samples: { task: string; input: string; expected: string; got: string }[];
}

/** Exact-match accuracy per task (examples without a `task` count under 'all'). */
export function scoreExactMatch(
  model: GPT,
  tok: Tokenizer,
  t: PromptTemplate,
  examples: readonly (InstructionExample & { task?: string })[],
  o: RespondOptions & { samples?: number; onProgress?: (done: number, total: number) => void },
): ScoreReport {
  const counts = new Map<string, { correct: number; total: number }>();
  const samples: ScoreReport['samples'] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    examples.forEach((ex, i) => {
      const task = ex.task ?? 'all';
      const got = respond(model, tok, t, ex, o);
      const ok = got.trim() === ex.output.trim();
      const c = counts.get(task) ?? { correct: 0, total: 0 };
      c.correct += ok ? 1 : 0;
      c.total += 1;
      counts.set(task, c);
      if (samples.filter((s) => s.task === task).length < (o.samples ?? 2))
        samples.push({ task, input: ex.input ?? '', expected: ex.output, got });
      o.onProgress?.(i + 1, examples.length);
    });
  } finally {
    if (wasTraining) model.train();
  }
  const row = (task: string, c: { correct: number; total: number }): TaskScore => ({
    task,
    ...c,
    accuracy: c.total > 0 ? c.correct / c.total : NaN,
  });
  const perTask = [...counts].map(([task, c]) => row(task, c));
  const sum = perTask.reduce((a, s) => ({ correct: a.correct + s.correct, total: a.total + s.total }), {
    correct: 0,
    total: 0,
  });
  return { perTask, overall: row('overall', sum), samples };
}
