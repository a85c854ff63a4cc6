// The lab's Tokenizer panel: learns byte-level BPE (Sennrich et al. 2016) on the Train panel's
// text, or on text typed here, in a worker of its own (tokenizer-worker.ts), then steps through
// the merges one at a time, showing a sentence tokenized with only the first k of them.
// URL keys: tok.merges (how many to learn), tok.k (the step shown), tok.text (the sentence),
// tok.corpus (text typed to learn from, when short enough for a link).

import sotu from '../presets/sotu.txt?raw';
import type { MountPanel } from '../panel.js';
import { MAX_MERGES, MAX_TEXT_IN_URL, type Setup } from '../setup.js';
import type {
  FromTokenizerWorker,
  LearnedMerge,
  TextSource,
  ToTokenizerWorker,
} from './tokenizer-protocol.js';
import { buildView, markList, showChips, showList, showMerge } from './tokenizer-view.js';

/** The sentence shown when the URL has none: one in the style of the text being learned. */
function defaultSentence(s: Setup, own: boolean): string {
  if (!own && s.corpus === 'reversal') return 'abcdef>fedcba';
  if (!own && s.corpus === 'addition') return '123+456=579';
  return 'The state of the Union is strong, and the people have prospered.';
}

/** What decides the text learned from: a different key means learning again. */
function textKey(s: Setup): string {
  if (s.corpus === 'custom') return `custom:${s.text}`;
  return s.corpus === 'sotu' ? 'sotu' : `${s.corpus}:${s.seed}`;
}

function intParam(raw: string | null, min: number, max: number): number | null {
  const v = Number(raw);
  return raw !== null && Number.isInteger(v) && v >= min && v <= max ? v : null;
}

export const mount: MountPanel = (ctx, root) => {
  const v = buildView(root);
  const state = {
    learned: 0,
    k: 0,
    sentence: '',
    ids: [] as number[],
    pieces: [] as string[],
    learning: false,
  };
  window.lab.tokenizer = state;

  let merges: LearnedMerge[] = [];
  let pieces: string[] = [];
  let k = 0;
  let learnedKey = '';
  let nextId = 1;
  let learnId = 0; // the learn request whose answer counts
  let encodeId = 0; // likewise for encode

  let worker = spawn();
  function spawn(): Worker {
    const w = new Worker(new URL('./tokenizer-worker.ts', import.meta.url), { type: 'module' });
    w.addEventListener('message', (e: MessageEvent<FromTokenizerWorker>) => receive(e.data));
    w.addEventListener('error', (e) => ctx.error(root, `tokenizer lab: ${e.message}`));
    return w;
  }
  const send = (m: ToTokenizerWorker): void => worker.postMessage(m);

  const own = (): string => v.own.value;
  const mergesWanted = (): number =>
    intParam(ctx.getParam('tok.merges'), 1, MAX_MERGES) ?? ctx.setup().merges;
  const sentence = (): string => ctx.getParam('tok.text') ?? defaultSentence(ctx.setup(), own() !== '');

  function learn(): void {
    const source: TextSource = own() !== '' ? { text: own() } : { setup: ctx.setup(), sotu };
    const key = `${own() !== '' ? `own:${own()}` : textKey(ctx.setup())}|${mergesWanted()}`;
    if (key === learnedKey) return;
    learnedKey = key;
    if (state.learning) {
      // The worker is inside a long synchronous loop: replace it rather than wait.
      worker.terminate();
      worker = spawn();
    }
    state.learning = true;
    learnId = nextId++;
    encodeId = 0; // an answer about the old merges is stale
    v.status.textContent = 'learning merges…';
    for (const b of [v.first, v.prev, v.next, v.last, v.slider]) b.disabled = true;
    send({ kind: 'learn', id: learnId, source, merges: mergesWanted() });
  }

  function go(to: number, writeUrl = true): void {
    k = Math.max(0, Math.min(merges.length, to));
    if (writeUrl) ctx.setParams({ 'tok.k': k === merges.length ? null : String(k) });
    v.slider.value = String(k);
    v.first.disabled = v.prev.disabled = k === 0;
    v.next.disabled = v.last.disabled = k === merges.length;
    v.slider.disabled = false;
    showMerge(v, k, merges, pieces);
    markList(v, k);
    encode();
  }

  function encode(): void {
    if (state.learning || (merges.length === 0 && pieces.length === 0)) return;
    encodeId = nextId++;
    send({ kind: 'encode', id: encodeId, sentence: v.sentence.value, k });
  }

  function receive(m: FromTokenizerWorker): void {
    if (m.kind === 'error') {
      if (m.id === learnId) state.learning = false;
      ctx.error(root, `tokenizer lab: ${m.message}`);
    } else if (m.kind === 'progress' && m.id === learnId) {
      v.status.textContent = `learning merges… ${m.done} of ${m.total}`;
    } else if (m.kind === 'learned' && m.id === learnId) {
      ({ merges, pieces } = m);
      state.learning = false;
      state.learned = merges.length;
      v.status.textContent =
        `learned ${merges.length} merges from ${m.chars.toLocaleString()} characters ` +
        `(${m.chunks.toLocaleString()} distinct chunks) in ${(m.ms / 1000).toFixed(2)} s`;
      v.slider.max = String(merges.length);
      showList(v, merges, pieces, (to) => go(to));
      go(intParam(ctx.getParam('tok.k'), 0, merges.length) ?? merges.length, false);
    } else if (m.kind === 'encoded' && m.id === encodeId) {
      const newest = m.k > 0 ? merges[m.k - 1].result : -1;
      showChips(v, m.ids, pieces, newest);
      const chars = [...v.sentence.value].length;
      const per = (n: number, t: number): string => (t > 0 ? (n / t).toFixed(2) : '–');
      v.count.textContent =
        `${m.ids.length} tokens for ${chars} characters: ${per(chars, m.ids.length)} characters per token` +
        (m.before !== null && m.before !== m.ids.length ? ` (${m.before} before this merge). ` : '. ') +
        `The whole text: ${m.textTokens.toLocaleString()} tokens, ${per(m.textChars, m.textTokens)} ` +
        'characters per token.';
      Object.assign(state, {
        k: m.k,
        sentence: v.sentence.value,
        ids: m.ids,
        pieces: m.ids.map((id) => pieces[id]),
      });
    }
  }

  // --- the controls ---
  v.merges.value = String(mergesWanted());
  v.own.value = ctx.getParam('tok.corpus') ?? '';
  v.sentence.value = sentence();
  v.merges.addEventListener('change', () => {
    const n = intParam(v.merges.value, 1, MAX_MERGES);
    if (n === null) {
      v.merges.value = String(mergesWanted());
      return;
    }
    ctx.setParams({ 'tok.merges': String(n), 'tok.k': null }, { 'tok.merges': String(ctx.setup().merges) });
    learn();
  });
  v.own.addEventListener('change', () => {
    ctx.setParams({
      'tok.corpus': own() !== '' && own().length <= MAX_TEXT_IN_URL ? own() : null,
      'tok.k': null,
    });
    if (ctx.getParam('tok.text') === null) v.sentence.value = sentence();
    learn();
  });
  v.sentence.addEventListener('input', () => {
    ctx.setParams(
      { 'tok.text': v.sentence.value },
      { 'tok.text': defaultSentence(ctx.setup(), own() !== '') },
    );
    encode();
  });
  v.first.addEventListener('click', () => go(0));
  v.prev.addEventListener('click', () => go(k - 1));
  v.next.addEventListener('click', () => go(k + 1));
  v.last.addEventListener('click', () => go(merges.length));
  v.slider.addEventListener('input', () => go(Number(v.slider.value)));

  // A reset of the Train panel may change its text (corpus, seed, pasted text) or its merges.
  ctx.onMessage((m) => {
    if (m.kind !== 'ready') return;
    if (ctx.getParam('tok.merges') === null) v.merges.value = String(mergesWanted());
    if (ctx.getParam('tok.text') === null && v.sentence.value !== sentence()) {
      v.sentence.value = sentence();
      encode();
    }
    learn();
  });
  learn();
};
