// The lab's "Look inside" panel: while the model trains (and when paused) it asks the worker to
// read the model on a probe sentence (worker/inside.ts) and shows the attention of every layer and
// head, the token embedding in 2-D, the logit lens and the last step's gradient norm per layer.
// Refreshed every EVERY steps while training (at most every MIN_MS), and after each single step,
// pause or new run; one question is in flight at a time, so the reading never queues up behind
// training. The probe is the panel's URL key `probe` (absent: the first validation line).

import type { MountPanel } from '../panel.js';
import type { InsideView } from '../worker/inside.js';
import { AttentionGrid } from './inside-attention.js';
import { drawLens, drawPca, GradBars } from './inside-plots.js';

/** Refresh every this many steps while training. */
const EVERY = 25;
/** ... but not more often than this (ms), so reading the model costs little of the training time. */
const MIN_MS = 400;

function part(root: HTMLElement, title: string, lede: string): HTMLElement {
  const box = document.createElement('div');
  box.className = 'inside-part';
  const h = document.createElement('h3');
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'inside-lede';
  p.textContent = lede;
  box.append(h, p);
  root.append(box);
  return box;
}

export const mount: MountPanel = (ctx, root) => {
  root.textContent = '';
  const form = document.createElement('form');
  form.className = 'inside-probe';
  const label = document.createElement('label');
  label.textContent = 'probe sentence ';
  const input = document.createElement('input');
  input.name = 'probe';
  input.value = ctx.getParam('probe') ?? '';
  input.spellcheck = false;
  label.append(input);
  const status = document.createElement('span');
  status.className = 'inside-status';
  form.append(label, status);
  root.append(form);

  const attention = part(
    root,
    'Attention per layer and head',
    'row i: how query token i spreads its attention over tokens 0..i (white 0, dark blue 1); ' +
      'the grey triangle is the causal mask. Click a head to enlarge it.',
  );
  const grid = new AttentionGrid(attention);
  const side = document.createElement('div');
  side.className = 'inside-row';
  root.append(side);
  const embed = part(side, 'Token embedding (PCA)', 'each token of the vocabulary, as wte maps it, in 2-D');
  const pcaCanvas = document.createElement('canvas');
  pcaCanvas.className = 'inside-pca';
  const pcaCaption = document.createElement('p');
  pcaCaption.className = 'inside-caption';
  embed.append(pcaCanvas, pcaCaption);
  const gradPart = part(side, 'Gradient norm per layer', "the last step's gradients, before clipping");
  const gradCaption = document.createElement('p');
  gradCaption.className = 'inside-caption';
  const bars = new GradBars(gradPart, gradCaption);
  gradPart.append(gradCaption);
  const lensPart = part(
    root,
    'Logit lens',
    "each layer's residual stream read through the final norm and output layer: its best guess of " +
      'the next token at each position, shaded by probability (hover for the top 3)',
  );
  const lens = document.createElement('table');
  lens.className = 'inside-lens';
  const lensScroll = document.createElement('div');
  lensScroll.className = 'inside-scroll'; // a long probe scrolls sideways
  lensScroll.append(lens);
  lensPart.append(lensScroll);

  function draw(view: InsideView): void {
    root.querySelector(':scope > .panel-error')?.remove();
    if (ctx.getParam('probe') === null) input.placeholder = input.value = view.probe;
    status.textContent = `step ${view.step} · ${view.tokens.length} tokens`;
    grid.draw(view);
    drawPca(pcaCanvas, pcaCaption, view);
    bars.draw(view);
    drawLens(lens, view);
    window.lab.inside = view;
  }

  // --- asking the worker: one question at a time; a request while one is out asks once more after ---
  let run = 0; // bumped by each new run ('ready'): an older run's answer is dropped
  let wanted = false;
  let busy = false;
  let last = 0;

  async function pump(): Promise<void> {
    busy = true;
    while (wanted) {
      wanted = false;
      last = performance.now();
      const asked = run;
      try {
        const view = await ctx.call<InsideView>('inside.look', { probe: ctx.getParam('probe') });
        if (asked === run) draw(view);
      } catch (err) {
        if (asked === run)
          ctx.error(root, `look inside: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    busy = false;
  }

  function refresh(): void {
    if (root.closest('section')?.hidden) return; // ?panel= shows another panel: read nothing
    wanted = true;
    if (!busy) void pump();
  }

  ctx.onMessage((m) => {
    if (m.kind === 'ready') {
      run++;
      refresh();
    } else if (m.kind === 'step' && m.step % EVERY === 0 && performance.now() - last > MIN_MS) refresh();
    else if (m.kind === 'state' && !m.running) refresh(); // a single step, a pause, the end
  });

  form.addEventListener('submit', (e) => e.preventDefault());
  input.addEventListener('change', () => {
    ctx.setParams({ probe: input.value === '' ? null : input.value });
    refresh();
  });
};
