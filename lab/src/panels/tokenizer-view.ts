// The Tokenizer lab's page elements: the learning controls, the merge stepper (first / previous /
// next / last and a slider), the merge being shown, and the sentence as coloured token chips, one
// colour per token id, so a token keeps its colour at every step and a new token stands out.

import type { LearnedMerge } from './tokenizer-protocol.js';

/** A token's text made visible: a space as '·', a newline as '↵', a tab as '→'. */
export function visible(piece: string): string {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→');
}

/** A light colour for token `id`: hues a golden angle apart, so neighbouring ids differ. */
export function chipColour(id: number): string {
  return `hsl(${Math.round((id * 137.508) % 360)} 70% 86%)`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** The panel's elements (ids prefixed tok-, read by test/lab/tokenizer.test.ts). */
export interface TokenizerView {
  merges: HTMLInputElement;
  own: HTMLTextAreaElement;
  status: HTMLElement;
  first: HTMLButtonElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  last: HTMLButtonElement;
  slider: HTMLInputElement;
  step: HTMLElement;
  merge: HTMLElement;
  sentence: HTMLInputElement;
  chips: HTMLElement;
  count: HTMLElement;
  list: HTMLOListElement;
}

export function buildView(root: HTMLElement): TokenizerView {
  const button = (id: string, text: string, title: string): HTMLButtonElement =>
    el('button', { id, type: 'button', textContent: text, title, disabled: true });
  const v: TokenizerView = {
    merges: el('input', { id: 'tok-merges', type: 'number', min: '1', max: '1000', step: '1' }),
    own: el('textarea', {
      id: 'tok-corpus',
      rows: 2,
      placeholder: "empty: learn from the Train panel's text; or type or paste a text to learn from",
    }),
    status: el('span', { id: 'tok-status', className: 'tokenizer-status' }),
    first: button('tok-first', '« first', 'no merges: one token per byte'),
    prev: button('tok-prev', '◀ previous', 'undo the last merge'),
    next: button('tok-next', 'next ▶', 'apply the next merge'),
    last: button('tok-last', 'last »', 'every merge learned'),
    slider: el('input', { id: 'tok-slider', type: 'range', min: '0', max: '0', step: '1', disabled: true }),
    step: el('span', { id: 'tok-step', className: 'tokenizer-step' }),
    merge: el('p', { id: 'tok-merge', className: 'tokenizer-merge' }),
    sentence: el('input', { id: 'tok-sentence', type: 'text', spellcheck: false }),
    chips: el('div', { id: 'tok-chips', className: 'tokenizer-chips' }),
    count: el('p', { id: 'tok-count', className: 'tokenizer-count' }),
    list: el('ol', { id: 'tok-list', className: 'tokenizer-list' }),
  };
  root.append(
    el(
      'div',
      { className: 'tokenizer-learn' },
      el('label', {}, 'merges to learn ', v.merges),
      el('label', { className: 'tokenizer-own' }, 'text to learn from ', v.own),
      v.status,
    ),
    el('div', { className: 'tokenizer-stepper' }, v.first, v.prev, v.slider, v.next, v.last, v.step),
    v.merge,
    el('label', { className: 'tokenizer-sentence' }, 'sentence ', v.sentence),
    v.chips,
    v.count,
    el('details', {}, el('summary', {}, 'every merge, in the order learned (click one to go there)'), v.list),
  );
  return v;
}

/** A token shown as a small boxed label. */
function chip(id: number, pieces: readonly string[], newest: boolean): HTMLElement {
  const piece = pieces[id] ?? `#${id}`;
  const c = el('span', {
    className: newest ? 'tokenizer-chip tokenizer-new' : 'tokenizer-chip',
    textContent: visible(piece),
    title: `token ${id}: ${JSON.stringify(piece)}`,
  });
  c.dataset.id = String(id);
  c.style.background = chipColour(id);
  return c;
}

/** The sentence's tokens as chips; those of the token merge k made (`newest`) are outlined. */
export function showChips(
  v: TokenizerView,
  ids: readonly number[],
  pieces: readonly string[],
  newest: number,
) {
  v.chips.replaceChildren(...ids.map((id) => chip(id, pieces, id === newest)));
}

/** "merge k: a + b → ab": the pair, the new token and how often the pair occurred when merged. */
export function showMerge(v: TokenizerView, k: number, merges: readonly LearnedMerge[], pieces: string[]) {
  v.step.textContent = `${k} of ${merges.length} merges`;
  if (k === 0) {
    v.merge.replaceChildren('no merges yet: every byte of the text is a token of its own (256 of them)');
    return;
  }
  const m = merges[k - 1];
  v.merge.replaceChildren(
    el('b', {}, `merge ${k}: `),
    chip(m.left, pieces, false),
    ' + ',
    chip(m.right, pieces, false),
    ' → ',
    chip(m.result, pieces, true),
    ` token ${m.result}; the pair occurred ${m.count.toLocaleString()} times when it was merged`,
  );
}

/** The list of every merge; `go(k)` is called with k when one is clicked. */
export function showList(
  v: TokenizerView,
  merges: readonly LearnedMerge[],
  pieces: string[],
  go: (k: number) => void,
) {
  v.list.replaceChildren(
    ...merges.map((m, i) => {
      const pair = `${visible(pieces[m.left])} + ${visible(pieces[m.right])}`;
      const li = el('li', {}, `${i + 1}. ${pair} → ${visible(pieces[m.result])}`);
      li.append(el('small', { textContent: ` ×${m.count.toLocaleString()}` }));
      li.addEventListener('click', () => go(i + 1));
      return li;
    }),
  );
}

/** Marks the current merge in the list. */
export function markList(v: TokenizerView, k: number): void {
  v.list.querySelector('.tokenizer-current')?.classList.remove('tokenizer-current');
  if (k > 0) v.list.children[k - 1]?.classList.add('tokenizer-current');
}
