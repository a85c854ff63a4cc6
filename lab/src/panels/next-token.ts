// The lab's 'next-token' panel: what the model would say next after a prompt. The worker runs the
// model and the library's own processors (worker/next-token.ts); the panel draws the distribution
// under temperature / top-k / top-p / min-p sliders, greys what each filter removed, and appends one
// token per click, the most likely or a seeded draw. It refreshes as the model trains.

import type { MountPanel } from '../panel.js';
import type { NextTokenArgs, NextTokenView } from '../worker/next-token.js';
import { drawBars, showPiece } from './next-token-bars.js';

/** A slider: its URL key, label, range, the value meaning "off", and the help shown beside it. */
interface Slider {
  key: keyof Omit<NextTokenArgs, 'prompt'>;
  url: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  help: string;
}

const SLIDERS: Slider[] = [
  {
    key: 'temperature',
    url: 'nt.temp',
    label: 'temperature',
    min: 0.1,
    max: 3,
    step: 0.05,
    value: 1,
    help: 'p \u221d exp(z / T)',
  },
  { key: 'topK', url: 'nt.topk', label: 'top-k', min: 0, max: 50, step: 1, value: 0, help: '0 = off' },
  { key: 'topP', url: 'nt.topp', label: 'top-p', min: 0.05, max: 1, step: 0.01, value: 1, help: '1 = off' },
  { key: 'minP', url: 'nt.minp', label: 'min-p', min: 0, max: 1, step: 0.01, value: 0, help: '0 = off' },
];

/** A prompt that fits the Train panel's corpus (every character of it is in the corpus's vocabulary). */
function defaultPrompt(corpus: string): string {
  return corpus === 'reversal' ? 'abc>' : corpus === 'addition' ? '12+34=' : corpus === 'sotu' ? 'The ' : '';
}

/** Between two refreshes while the model trains, in milliseconds (each one is a forward pass). */
const REFRESH_MS = 400;

export const mount: MountPanel = (ctx, root) => {
  const defaults: Record<string, string> = { 'nt.prompt': defaultPrompt(ctx.setup().corpus) };
  const prompt = document.createElement('textarea');
  prompt.className = 'nt-prompt';
  prompt.rows = 2;
  prompt.spellcheck = false;
  prompt.value = ctx.getParam('nt.prompt') ?? defaults['nt.prompt'];
  const promptLabel = document.createElement('label');
  promptLabel.className = 'nt-prompt-label';
  promptLabel.append('prompt ', prompt);

  const sliders = document.createElement('div');
  sliders.className = 'nt-sliders';
  const inputs = new Map<Slider['key'], HTMLInputElement>();
  for (const s of SLIDERS) {
    defaults[s.url] = String(s.value);
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: String(s.min), max: String(s.max), step: String(s.step) });
    input.name = s.url;
    const fromUrl = Number(ctx.getParam(s.url));
    input.value = String(
      ctx.getParam(s.url) !== null && fromUrl >= s.min && fromUrl <= s.max ? fromUrl : s.value,
    );
    const out = document.createElement('output');
    const show = (): void => {
      out.textContent = `${input.value} (${s.help})`;
    };
    show();
    input.addEventListener('input', show);
    const label = document.createElement('label');
    label.append(`${s.label} `, input, out);
    sliders.append(label);
    inputs.set(s.key, input);
  }

  const buttons = document.createElement('div');
  buttons.className = 'controls nt-buttons';
  const greedy = document.createElement('button');
  greedy.type = 'button';
  greedy.className = 'nt-greedy';
  greedy.textContent = 'take the most likely';
  const sample = document.createElement('button');
  sample.type = 'button';
  sample.className = 'nt-sample';
  sample.textContent = 'sample one';
  const seedNote = document.createElement('span');
  seedNote.className = 'nt-seed';
  buttons.append(greedy, sample, seedNote);

  const info = document.createElement('p');
  info.className = 'nt-info';
  const bars = document.createElement('div');
  bars.className = 'nt-bars';
  const legend = document.createElement('p');
  legend.className = 'nt-legend';
  legend.textContent =
    'Bars: the probability sampling draws from, after the settings; faint bars behind: the model\u2019s ' +
    'own (temperature 1, no filter); grey: removed by the filter named under it.';
  root.append(promptLabel, sliders, buttons, info, bars, legend);

  const args = (): NextTokenArgs => ({
    prompt: prompt.value,
    temperature: Number(inputs.get('temperature')!.value),
    topK: Number(inputs.get('topK')!.value),
    topP: Number(inputs.get('topP')!.value),
    minP: Number(inputs.get('minP')!.value),
  });

  // Sampling: draw number `draws` of an Rng seeded with the Train setup's seed, as generate() draws
  // its tokens; typing in the prompt starts the draws again.
  let draws = 0;
  const showSeed = (): void => {
    seedNote.textContent = `sampling: seed ${ctx.setup().seed}, draw ${draws}`;
  };
  showSeed();

  let busy = false; // a request is out
  let again = false; // something changed while it was
  let last = 0;
  const clearError = (): void => root.querySelector(':scope > .panel-error')?.remove();

  async function refresh(): Promise<void> {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    last = performance.now();
    const a = args();
    try {
      const v = await ctx.call<NextTokenView>('nextToken.view', a);
      clearError();
      window.lab.nextToken = { ...v, prompt: a.prompt };
      drawBars(bars, v);
      info.textContent =
        `step ${v.step}: ${v.promptTokens} prompt tokens` +
        (v.cropped > 0 ? ` (the ${v.cropped} before them are outside the context window)` : '') +
        `; ${v.kept} of ${v.vocabSize} tokens can be drawn`;
    } catch (err) {
      window.lab.nextToken = null;
      bars.textContent = '';
      info.textContent = '';
      ctx.error(root, err instanceof Error ? err.message : String(err));
    } finally {
      busy = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  const writeUrl = (): void => {
    const values: Record<string, string> = { 'nt.prompt': prompt.value };
    for (const s of SLIDERS) values[s.url] = inputs.get(s.key)!.value;
    ctx.setParams(values, defaults);
  };

  prompt.addEventListener('input', () => {
    draws = 0;
    showSeed();
    writeUrl();
    void refresh();
  });
  sliders.addEventListener('input', () => {
    writeUrl();
    void refresh();
  });

  async function pick(mode: 'greedy' | 'sample'): Promise<void> {
    try {
      const seed = ctx.setup().seed;
      const r = await ctx.call<{ id: number; text: string }>('nextToken.pick', {
        ...args(),
        mode,
        seed,
        draw: draws,
      });
      if (mode === 'sample') draws++;
      prompt.value += r.text;
      showSeed();
      writeUrl();
      greedy.title = sample.title = `last: token ${r.id} ${showPiece(r.text)}`;
      await refresh();
    } catch (err) {
      ctx.error(root, err instanceof Error ? err.message : String(err));
    }
  }
  greedy.addEventListener('click', () => void pick('greedy'));
  sample.addEventListener('click', () => void pick('sample'));

  let timer: ReturnType<typeof setTimeout> | null = null;
  ctx.onMessage((m) => {
    if (m.kind === 'ready') {
      // A new corpus in the Train panel: an untouched default prompt follows it (its characters).
      const fresh = defaultPrompt(ctx.setup().corpus);
      if (prompt.value === defaults['nt.prompt'] && fresh !== defaults['nt.prompt']) {
        prompt.value = defaults['nt.prompt'] = fresh;
        writeUrl();
      }
      draws = 0;
      showSeed();
      void refresh();
    } else if (m.kind === 'step' && timer === null) {
      // At most one refresh per REFRESH_MS while training; the last step is always drawn.
      timer = setTimeout(
        () => {
          timer = null;
          void refresh();
        },
        Math.max(0, REFRESH_MS - (performance.now() - last)),
      );
    }
  });
};
