// One training run in the lab: a GPT, its tokenizer (char or BPE) and data, and play / pause / step over the
// library's own loop (trainAsync). Pausing aborts the loop's signal, which hands back its state
// (step, sampler and RNG state, AdamW moments) as a checkpoint; play and step resume from it
// exactly, so a paused-and-resumed run gives the losses of one uninterrupted train() call. A session
// may also start from a model loaded from a checkpoint (the Models panel) and train it further.

import {
  GPT,
  generate,
  gptPreset,
  manualSeed,
  noGrad,
  splitTrainVal,
  toTokenArray,
  trainAsync,
  type OptimizerState,
  type TokenData,
  type Tokenizer,
  type TrainConfig,
  type TrainingState,
} from '../../src/index.js';
import { prepare, toyText, type Prepared } from './corpus.js';
import type { FromWorker } from './protocol.js';
import { MIN_CUSTOM, type Setup } from './setup.js';

/** The training settings of a setup: what the Node test passes to train() to compare. */
export function trainSettings(s: Setup): Partial<TrainConfig> {
  return {
    steps: s.steps,
    lr: s.lr,
    batchSize: s.batch,
    seed: s.seed,
    evalInterval: s.evalEvery,
    evalBatches: 4,
  };
}

/** The text a setup trains on (`sotu` is the bundled slice of the default corpus). */
export function corpusText(s: Setup, sotu: string): string {
  if (s.corpus === 'reversal' || s.corpus === 'addition') return toyText(s.corpus, s.seed);
  if (s.corpus === 'custom') {
    // A short paste is repeated, so the validation split still holds a few windows of the largest
    // model's context (its held-out text then repeats the training text: a toy, said in the page).
    const text = s.text.length > 0 ? s.text : 'Paste some text to train on. ';
    return text.length >= MIN_CUSTOM ? text : text.repeat(Math.ceil(MIN_CUSTOM / text.length));
  }
  return sotu;
}

/** The model a setup builds; its weights are drawn after manualSeed(seed), as in the Node tests. */
export function buildModel(s: Setup, vocabSize: number): GPT {
  manualSeed(s.seed);
  return new GPT(gptPreset(s.size, { vocabSize }));
}

/** A model read from a checkpoint directory (panels/models.ts), with its tokenizer and a name. */
export interface LoadedModel {
  model: GPT;
  tokenizer: Tokenizer;
  /** What the Train panel says is loaded, e.g. the directory's name. */
  name: string;
}

/** A run's tokenizer and its train / validation tokens. */
export interface SessionText {
  tokenizer: Tokenizer;
  data: TokenData;
}

/**
 * The setup's text in a loaded model's tokens, or why it cannot be: a char tokenizer refuses a
 * character it never saw, and a model cannot learn from ids past its vocabulary.
 */
function encodeWith(loaded: LoadedModel, text: string): SessionText | string {
  const { tokenizer, model } = loaded;
  try {
    const ids = tokenizer.encode(text);
    const tokens = toTokenArray(ids, model.config.vocabSize);
    return { tokenizer, data: splitTrainVal(tokens, 0.1) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return `the loaded model cannot train on this corpus (${why}); its next tokens can still be read`;
  }
}

type Checkpoint = { state: TrainingState; optimizer: OptimizerState };

export class Session {
  private readonly model: GPT;
  private readonly prepared: SessionText;
  /** Why play() refuses (a loaded model whose tokenizer cannot encode the corpus), else null. */
  private readonly refusal: string | null = null;
  private readonly config: Partial<TrainConfig>;
  private checkpoint: Checkpoint | undefined;
  private controller: AbortController | null = null;
  private step = 0;
  private lastGradNorm = NaN;
  private closed = false;
  private readonly post: (m: FromWorker) => void;

  constructor(
    private readonly setup: Setup,
    sotu: string,
    post: (m: FromWorker) => void,
    loaded?: LoadedModel,
  ) {
    // A closed session (after a reset) finishes its current step silently.
    this.post = (m) => {
      if (!this.closed) post(m);
    };
    if (loaded) {
      const text = encodeWith(loaded, corpusText(setup, sotu));
      if (typeof text === 'string') {
        this.refusal = text;
        this.prepared = {
          tokenizer: loaded.tokenizer,
          data: { train: new Uint16Array(0), val: new Uint16Array(0) },
        };
      } else this.prepared = text;
      this.model = loaded.model;
      this.model.train();
    } else {
      const prepared: Prepared = prepare(corpusText(setup, sotu), setup);
      this.prepared = prepared;
      this.model = buildModel(setup, prepared.tokenizer.vocabSize);
    }
    const V = this.model.config.vocabSize;
    this.config = trainSettings(setup);
    const { train, val } = this.prepared.data;
    const params = this.model.parameters().reduce((n, p) => n + p.size, 0);
    this.post({
      kind: 'ready',
      params,
      vocabSize: V,
      trainTokens: train.length,
      valTokens: val.length,
      ...(loaded ? { loaded: loaded.name } : {}),
    });
    this.postState();
  }

  /** The model being trained (read by the look-inside, next-token and model panels). */
  get gpt(): GPT {
    return this.model;
  }

  /** The tokenizer and the train / validation tokens of the run. */
  get text(): SessionText {
    return this.prepared;
  }

  /** Why this session cannot train (a loaded model's tokenizer cannot encode the corpus), else null. */
  get cannotTrain(): string | null {
    return this.refusal;
  }

  /** Steps taken so far. */
  get stepsTaken(): number {
    return this.step;
  }

  /** The last step's gradient norm before clipping (NaN before the first step; the inside panel). */
  get gradNorm(): number {
    return this.lastGradNorm;
  }

  get running(): boolean {
    return this.controller !== null;
  }

  get done(): boolean {
    return this.step >= this.setup.steps;
  }

  /** Trains until the last step or a pause; `maxSteps` stops after that many (the Step button). */
  async play(maxSteps = Infinity): Promise<void> {
    if (this.running || this.done) return;
    if (this.refusal) {
      this.post({ kind: 'error', message: this.refusal });
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.postState();
    let taken = 0;
    try {
      await trainAsync(
        this.model,
        this.prepared.data,
        this.config,
        {
          signal: controller.signal,
          onStep: (i) => {
            this.step = i.step;
            this.lastGradNorm = i.gradNorm;
            const { loss, lr, tokensPerSecond } = i;
            this.post({ kind: 'step', step: i.step, loss, lr, tokensPerSecond });
            if (this.setup.sampleEvery > 0 && i.step % this.setup.sampleEvery === 0) this.sample();
            if (++taken >= maxSteps) controller.abort();
          },
          onEval: (e) =>
            this.post({ kind: 'eval', step: e.step, trainLoss: e.trainLoss, valLoss: e.valLoss }),
          onCheckpoint: (kind, state, optimizer) => {
            if (kind === 'last') this.checkpoint = { state, optimizer }; // exportState copies the moments
          },
        },
        this.checkpoint,
      );
    } catch (err) {
      this.post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.controller = null;
      this.postState();
    }
  }

  pause(): void {
    this.controller?.abort();
  }

  /** Stops for good: nothing more is posted. */
  close(): void {
    this.closed = true;
    this.pause();
  }

  /**
   * A greedy continuation of a validation line's start: up to and including its '>' or '=' in a
   * toy task, else its first 8 characters. The model goes back to training mode afterwards.
   */
  private sample(): void {
    const tok = this.prepared.tokenizer;
    const T = this.model.config.blockSize;
    const val = tok.decode(Array.from(this.prepared.data.val.subarray(0, 2 * T)));
    const nl = val.indexOf('\n');
    const line = nl >= 0 && nl < T ? val.slice(nl + 1) : val;
    const sep = line.search(/[>=]/);
    const prompt = tok.encode(line.slice(0, sep >= 0 && sep < 16 ? sep + 1 : Math.min(8, T)));
    if (prompt.length === 0) prompt.push(this.prepared.data.val[0]);
    const out = noGrad(() => generate(this.model, prompt, { maxNewTokens: T - prompt.length + 1 }));
    this.model.train();
    this.post({ kind: 'sample', step: this.step, text: tok.decode(prompt) + tok.decode(out.ids) });
  }

  private postState(): void {
    this.post({ kind: 'state', running: this.running, step: this.step, done: this.done });
  }
}
