// The lab page: the Train panel. It reads the setup from the URL, starts the training worker
// (train-worker.ts), sends it play / pause / step / reset, and shows what comes back: live train
// and validation loss (uPlot), tokens per second and samples.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import sotu from './presets/sotu.txt?raw';
import type { Posted } from './protocol.js';
import { MAX_TEXT_IN_URL, MIN_CUSTOM, parseSetup, type Setup } from './setup.js';
import type { LabState } from './lab-state.js';
import type { Floors } from './worker/train.js';
import { call, onWorkerMessage, send } from './client.js';
import { getParam, onUrlChange, setParams, setSetup } from './url-state.js';
import { linkLine } from './links.js';
import type { MountPanel, PanelContext } from './panel.js';
import { mount as mountInside } from './panels/inside.js';
import { mount as mountTokenizer } from './panels/tokenizer.js';
import { mount as mountNextToken } from './panels/next-token.js';
import { mount as mountModels } from './panels/models.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`lab: the page has no #${id}`);
  return el as T;
};

const form = $<HTMLFormElement>('setup');
const lab: LabState = {
  backend: '',
  threads: 1,
  isolated: false,
  losses: [],
  evals: [],
  samples: [],
  running: false,
  done: false,
  errors: [],
  floors: null,
  tokenizer: { learned: 0, k: 0, sentence: '', ids: [], pieces: [], learning: false },
  models: { loaded: null },
  nextToken: null,
  inside: null,
};
window.lab = lab;

// --- the setup form <-> the URL ---

let setup: Setup = parseSetup(location.search);

function field(name: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const el = form.elements.namedItem(name);
  if (!(
    el instanceof HTMLInputElement ||
    el instanceof HTMLSelectElement ||
    el instanceof HTMLTextAreaElement
  ))
    throw new Error(`lab: the form has no field '${name}'`);
  return el;
}

function showSetup(s: Setup): void {
  for (const [key, value] of Object.entries(s)) field(key).value = String(value);
  field('text').closest('label')!.hidden = s.corpus !== 'custom';
}

function readSetup(): Setup {
  const q = new URLSearchParams();
  for (const key of Object.keys(setup)) q.set(key, field(key).value);
  return parseSetup(`?${q.toString()}`);
}

onUrlChange((url) => {
  $<HTMLAnchorElement>('link').href = url;
});

function writeUrl(s: Setup): void {
  setSetup(s);
  const long = s.corpus === 'custom' && s.text.length > MAX_TEXT_IN_URL;
  $<HTMLAnchorElement>('link').title = long
    ? `the pasted text (over ${MAX_TEXT_IN_URL} characters) is not in the link`
    : '';
}

// --- the loss chart ---

const steps: number[] = [];
const trainLoss: (number | null)[] = [];
const valLoss: (number | null)[] = [];
/** The reference lines (worker/train.ts): a uniform guess and the best context-free model. */
let floors: Floors | null = null;
const chart = new uPlot(
  {
    width: Math.min(940, document.body.clientWidth - 40),
    height: 300,
    scales: { x: { time: false } },
    axes: [{ label: 'step' }, { label: 'loss (nats)' }],
    series: [
      { label: 'step' },
      { label: 'train loss (batch)', stroke: '#3b6fd8', width: 1 },
      { label: 'val loss', stroke: '#d8563b', width: 2, points: { show: true, size: 5 }, spanGaps: true },
      { label: 'log V (uniform guess)', stroke: '#9aa1ad', width: 1, dash: [4, 4], points: { show: false } },
      {
        label: 'unigram entropy (no context)',
        stroke: '#2f6b3a',
        width: 1,
        dash: [8, 4],
        points: { show: false },
      },
    ],
  },
  [[], [], [], [], []],
  $('chart'),
);

addEventListener('resize', () =>
  chart.setSize({ width: Math.min(940, document.body.clientWidth - 40), height: 300 }),
);

function redraw(): void {
  const flat = (v: number | undefined) => steps.map(() => v ?? null);
  chart.setData([steps, trainLoss, valLoss, flat(floors?.uniform), flat(floors?.unigram)]);
}

function clearRun(): void {
  steps.length = trainLoss.length = valLoss.length = 0;
  lab.losses = [];
  lab.evals = [];
  lab.samples = [];
  lab.done = false;
  lab.floors = null;
  floors = null;
  redraw();
  $('samples').textContent = '';
  for (const id of ['stat-loss', 'stat-val', 'stat-lr', 'stat-tps']) $(id).textContent = '–';
  $('stat-step').textContent = '0';
}

// --- the worker ---

let pending = false; // a chart redraw is queued for the next frame

function status(text: string, error = false): void {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

let run = 0; // the number of the last reset: messages of older runs are dropped

/** Listeners of the current run's messages: the other panels (PanelContext.onMessage). */
const panelListeners: ((m: Posted) => void)[] = [];

onWorkerMessage((m) => {
  if (m.run !== undefined && m.run !== run) return;
  for (const cb of panelListeners) cb(m);
  switch (m.kind) {
    case 'backend': {
      Object.assign(lab, { backend: m.info.name, threads: m.info.threads, isolated: m.info.isolated });
      const el = $('backend');
      el.textContent = m.info.isolated
        ? `backend ${m.info.name} (cross-origin isolated: ${m.info.threads} kernel threads)`
        : `backend ${m.info.name}: the page is not cross-origin isolated (no COOP/COEP headers), so ` +
          'the kernels run on one thread';
      el.classList.toggle('warn', !m.info.isolated);
      break;
    }
    case 'ready':
      call<Floors>('train.floors').then(
        (f) => {
          floors = lab.floors = f;
          redraw();
        },
        (err: Error) => status(err.message, true),
      );
      status(
        (m.loaded ? `loaded ${m.loaded}: ` : '') +
          `${m.params.toLocaleString()} parameters, ${m.vocabSize} tokens in the vocabulary, ` +
          `${m.trainTokens.toLocaleString()} train and ${m.valTokens.toLocaleString()} validation tokens` +
          (setup.corpus === 'custom' && setup.text.length < MIN_CUSTOM
            ? ` (the pasted text, repeated to ${MIN_CUSTOM} characters: the validation text ` +
              'repeats the training text)'
            : ''),
      );
      break;
    case 'step':
      lab.losses[m.step - 1] = m.loss;
      steps.push(m.step);
      trainLoss.push(m.loss);
      valLoss.push(null);
      $('stat-step').textContent = String(m.step);
      $('stat-loss').textContent = m.loss.toFixed(4);
      $('stat-lr').textContent = m.lr.toExponential(2);
      $('stat-tps').textContent = Math.round(m.tokensPerSecond).toLocaleString();
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          redraw();
        });
      }
      break;
    case 'eval': {
      lab.evals.push({ step: m.step, trainLoss: m.trainLoss, valLoss: m.valLoss });
      const i = steps.lastIndexOf(m.step);
      if (i >= 0) valLoss[i] = m.valLoss;
      $('stat-val').textContent = m.valLoss.toFixed(4);
      redraw();
      break;
    }
    case 'sample':
      lab.samples.push(m.text);
      $('samples').textContent = `step ${m.step}:\n${m.text}\n\n` + $('samples').textContent;
      break;
    case 'state':
      lab.running = m.running;
      lab.done = m.done;
      $<HTMLButtonElement>('play').disabled = m.running || m.done;
      $<HTMLButtonElement>('step').disabled = m.running || m.done;
      $<HTMLButtonElement>('pause').disabled = !m.running;
      if (m.done) status(`done: ${m.step} steps`);
      break;
    case 'error':
      lab.errors.push(m.message);
      status(m.message, true);
      break;
  }
});

function reset(): void {
  setup = readSetup();
  writeUrl(setup);
  clearRun();
  send({ kind: 'reset', setup, sotu, run: ++run });
}

form.addEventListener('change', () => {
  showSetup(readSetup());
  reset();
});
$('play').addEventListener('click', () => send({ kind: 'play' }));
$('pause').addEventListener('click', () => send({ kind: 'pause' }));
$('step').addEventListener('click', () => send({ kind: 'step' }));
$('reset').addEventListener('click', reset);

// --- the other panels: each fills its <section> (index.html), given a PanelContext ---

const context: PanelContext = {
  call,
  onMessage: (cb) => panelListeners.push(cb),
  setup: () => setup,
  getParam,
  setParams,
  error: (root, message) => {
    lab.errors.push(message);
    let line = root.querySelector<HTMLElement>(':scope > .panel-error');
    if (!line) {
      line = document.createElement('p');
      line.className = 'status error panel-error';
      root.prepend(line);
    }
    line.textContent = message;
  },
};

/** Each panel: its section id, module, docs chapter and the source files it runs. */
const PANELS: { id: string; mount: MountPanel; sources: string[] }[] = [
  { id: 'train', mount: () => undefined, sources: ['lab/src/session.ts', 'src/train/trainer.ts'] },
  {
    id: 'inside',
    mount: mountInside,
    sources: [
      'src/diagnose/attention-stats.ts',
      'src/diagnose/embedding-pca.ts',
      'src/diagnose/logit-lens.ts',
      'src/diagnose/training-health.ts',
    ],
  },
  {
    id: 'tokenizer',
    mount: mountTokenizer,
    sources: ['src/tokenizer/train-readable.ts', 'src/tokenizer/bpe.ts'],
  },
  {
    id: 'next-token',
    mount: mountNextToken,
    sources: [
      'src/generate/settings.ts',
      'src/generate/temperature.ts',
      'src/generate/top-k.ts',
      'src/generate/top-p.ts',
      'src/generate/min-p.ts',
    ],
  },
  { id: 'models', mount: mountModels, sources: ['src/io/model-files.ts', 'src/io/safetensors.ts'] },
];

const CHAPTER = { path: 'docs/19-the-lab.md', title: 'chapter 19, the lab' };

for (const p of PANELS) {
  const section = $(p.id);
  section.querySelector('h2')!.after(linkLine({ ...CHAPTER, path: `${CHAPTER.path}#${p.id}` }, p.sources));
  const body = section.querySelector<HTMLElement>(':scope > .panel-body');
  if (body) p.mount(context, body);
}

// ?panel=inside shows one panel alone (a docs chapter embeds the lab this way).
const only = getParam('panel');
if (only && PANELS.some((p) => p.id === only)) {
  document.body.classList.add('embedded');
  for (const p of PANELS) $(p.id).hidden = p.id !== only && p.id !== 'train';
  $('train').classList.toggle('compact', only !== 'train');
}

showSetup(setup);
reset();
