// The worker side of the lab's 'models' panel (panels/models.ts): a checkpoint directory's files,
// read by the page, become the run's model (the library's portable modelFromFiles, the code the
// Node loader runs too); and the run's model becomes the files of a checkpoint directory the CLI
// loads (modelToFiles: byte for byte what `llmfs train --out` writes).

import { modelFromFiles, modelToFiles } from '../../../src/index.js';
import type { Setup } from '../setup.js';
import { Session, type LoadedModel } from '../session.js';
import type { Method } from './methods.js';

/** What the page sends: the picked files' contents (undefined when a file is missing). */
export interface CheckArgs {
  /** The checkpoint folder's name, for messages and the Train panel. */
  name: string;
  config?: string;
  weights?: Uint8Array;
  tokenizer?: string;
}

export interface LoadedInfo {
  name: string;
  params: number;
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Why the loaded model cannot train on the chosen corpus, or null if it can. */
  cannotTrain: string | null;
}

function readCheckArgs(args: unknown): CheckArgs {
  if (typeof args !== 'object' || args === null) throw new Error('load: expected the checkpoint files');
  const a = args as Record<string, unknown>;
  const text = (v: unknown, file: string): string | undefined => {
    if (v === undefined || typeof v === 'string') return v;
    throw new Error(`load: ${file} must be text`);
  };
  if (typeof a.name !== 'string') throw new Error('load: the checkpoint needs a name');
  if (a.weights !== undefined && !(a.weights instanceof Uint8Array))
    throw new Error('load: model.safetensors must be bytes');
  return {
    name: a.name,
    config: text(a.config, 'config.json'),
    weights: a.weights,
    tokenizer: text(a.tokenizer, 'tokenizer.json'),
  };
}

/** The checkpoint that passed 'models.check', waiting for 'models.use' (after the page's reset). */
let checked: LoadedModel | null = null;

export const modelMethods: Record<string, Method> = {
  /** Parses the checkpoint's files and keeps the model; throws one line for a file the lab cannot use. */
  'models.check': (_ctx, args): null => {
    checked = null;
    const a = readCheckArgs(args);
    const label = `checkpoint ${a.name}`;
    const { model, tokenizer, quantized } = modelFromFiles(
      { config: a.config, weights: a.weights, tokenizer: a.tokenizer ?? null },
      label,
    );
    if (quantized)
      throw new Error(
        `${label}: is quantized (llmfs quantize); the lab trains and reads float models: load the checkpoint ` +
          'it was quantized from',
      );
    if (!tokenizer)
      throw new Error(`${label}: tokenizer.json: file not found (the lab needs it to read prompts)`);
    if (tokenizer.vocabSize > model.config.vocabSize)
      throw new Error(
        `${label}: tokenizer.json has ${tokenizer.vocabSize} tokens but the model only ` +
          `${model.config.vocabSize}: they do not belong together`,
      );
    checked = { model, tokenizer, name: a.name };
    return null;
  },

  /** Replaces the run's model with the checked one, to train on the setup's corpus. */
  'models.use': (ctx, args): LoadedInfo => {
    const { setup, sotu } = (args ?? {}) as { setup?: Setup; sotu?: unknown };
    if (!checked) throw new Error('load: no checked checkpoint to use');
    if (typeof setup !== 'object' || setup === null || typeof sotu !== 'string')
      throw new Error('load: the Train setup is missing');
    const loaded = checked;
    checked = null;
    const session = new Session(setup, sotu, ctx.post, loaded);
    ctx.replaceSession(session);
    const c = loaded.model.config;
    return {
      name: loaded.name,
      params: loaded.model.parameters().reduce((n, p) => n + p.size, 0),
      vocabSize: c.vocabSize,
      blockSize: c.blockSize,
      nLayer: c.nLayer,
      nHead: c.nHead,
      nEmbd: c.nEmbd,
      cannotTrain: session.cannotTrain,
    };
  },

  /** The run's model as the files of a checkpoint directory: config.json, model.safetensors, tokenizer.json. */
  'models.files': ({ session }): { step: number; files: Record<string, Uint8Array> } => {
    if (!session) throw new Error('no model yet: reset the Train panel first');
    return { step: session.stepsTaken, files: modelToFiles(session.gpt, session.text.tokenizer) };
  },
};
