// The lab's 'models' panel: models in and out. In: a checkpoint folder written by the CLI
// (`llmfs train --out DIR`), picked or dropped, is parsed in the worker by the library's portable
// modelFromFiles and becomes the run's model. Out: the run's model as that folder's files, zipped.

import sotu from '../presets/sotu.txt?raw';
import type { MountPanel, PanelContext } from '../panel.js';
import type { LoadedInfo } from '../worker/models.js';
import { chooseCheckpoint, filesFromDrop, filesFromInput, type PathedFile } from './models-pick.js';
import { zipStored } from './models-zip.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = text;
  return e;
}

const FRESH = "the run's model: a fresh one, built from the Train setup";

export const mount: MountPanel = (ctx, root) => {
  const pick = el('label', 'models-pick', 'choose a checkpoint folder ');
  const input = el('input', 'models-input');
  input.type = 'file';
  input.multiple = true;
  input.webkitdirectory = true;
  pick.append(input);
  const drop = el('div', 'models-drop', 'or drop its files, or the folder, here');
  const status = el('p', 'models-status', FRESH);
  const download = el('button', 'models-download', 'download this model (.zip)');
  download.type = 'button';
  const note = el(
    'p',
    'models-note',
    'The download is a checkpoint folder: config.json, model.safetensors and tokenizer.json, which ' +
      '`llmfs generate --model FOLDER` loads. A loaded model trains further on the Train panel\u2019s ' +
      'corpus with its settings (a fresh optimizer); changing the Train setup starts a fresh model again.',
  );
  root.append(pick, drop, status, download, note);

  const fail = (message: string): void => {
    status.textContent = window.lab.models.loaded ? `loaded ${window.lab.models.loaded}` : FRESH;
    ctx.error(root, message);
  };

  input.addEventListener('change', () => {
    if (input.files) void load(ctx, filesFromInput(input.files), status, fail);
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('models-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('models-over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('models-over');
    if (e.dataTransfer)
      filesFromDrop(e.dataTransfer).then(
        (files) => load(ctx, files, status, fail),
        (err: Error) => fail(`drop: cannot read the files (${err.message})`),
      );
  });
  download.addEventListener('click', () => {
    void save(ctx).catch((err: Error) => fail(err.message));
  });
  ctx.onMessage((m) => {
    // A reset of the Train panel builds a fresh model: the loaded one is gone.
    if (m.kind === 'ready' && m.loaded === undefined) {
      window.lab.models.loaded = null;
      status.textContent = FRESH;
    }
  });
};

/** Reads the checkpoint's files, has the worker check them, then starts a new run on the model. */
async function load(
  ctx: PanelContext,
  files: PathedFile[],
  status: HTMLElement,
  fail: (message: string) => void,
): Promise<void> {
  const picked = chooseCheckpoint(files);
  if (typeof picked === 'string') return fail(picked);
  status.textContent = `reading ${picked.name}…`;
  status.parentElement?.querySelector(':scope > .panel-error')?.remove(); // an earlier error line
  try {
    const args = {
      name: picked.name,
      config: await picked.config?.text(),
      weights: picked.weights ? new Uint8Array(await picked.weights.arrayBuffer()) : undefined,
      tokenizer: await picked.tokenizer?.text(),
    };
    await ctx.call('models.check', args);
    // Parsed and usable: start a new run in the Train panel (its chart and counters clear), then
    // swap that run's fresh model for the loaded one (the worker answers in order).
    document.getElementById('reset')?.click();
    const info = await ctx.call<LoadedInfo>('models.use', { setup: ctx.setup(), sotu });
    window.lab.models.loaded = info.name;
    status.textContent =
      `loaded ${info.name}: ${info.params.toLocaleString()} parameters, ${info.nLayer} layers, ` +
      `${info.nHead} heads, C=${info.nEmbd}, T=${info.blockSize}, V=${info.vocabSize}` +
      (picked.others.length > 0 ? ` (also seen: ${picked.others.join(', ')})` : '') +
      (info.cannotTrain ? `. ${info.cannotTrain}` : '; press play to train it further');
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

/** Downloads the run's model as <name>.zip holding the folder <name>/ with the checkpoint's files. */
async function save(ctx: PanelContext): Promise<void> {
  const { step, files } = await ctx.call<{ step: number; files: Record<string, Uint8Array> }>('models.files');
  const name = `llmfs-lab-step${step}`;
  const zip = zipStored(Object.fromEntries(Object.entries(files).map(([f, b]) => [`${name}/${f}`, b])));
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([zip], { type: 'application/zip' }));
  a.download = `${name}.zip`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
