// What `llmfs caption` and `llmfs ask` share: load a vision-language checkpoint, take the image
// through the one door (readImageFile + imageForModel, as readModelImage: PNG/PPM, RGB, resized
// with a note or refused, normalised), decode with the model's own generate (greedy, or beam
// search with --beams K), and optionally write the attention overlay (vlm-overlay.ts). Thin: the
// model, the decoding and the attention are the library's (src/vision/vlm/).

import { LlmfsError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { loadVlm, type SavedVlm } from '../io/vlm-checkpoint.js';
import { readImageFile, writeImageFile } from '../io/image-files.js';
import { imageForModel, resizeNote } from '../vision/input.js';
import { fitImage } from '../vision/resize.js';
import { promptIds } from '../vision/vlm/index.js';
import { overlayPanels } from './vlm-overlay.js';

export const DESCRIBE_SPECS = {
  model: {
    type: 'string',
    help: 'a checkpoint directory written by `llmfs vision train --task caption|vqa|mixed`',
  },
  beams: { type: 'int', help: 'beam search with K beams (1: greedy)', default: 1 },
  overlay: { type: 'string', help: "write a PNG: each generated word's attention over the image patches" },
  'on-size-mismatch': {
    type: 'string',
    help: "an image of another size: 'resize' (bilinear, with a note) or 'error'",
    default: 'resize',
    choices: ['resize', 'error'],
  },
  json: { type: 'boolean', help: 'print one JSON object instead of text' },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export interface DescribeFlags {
  model?: unknown;
  beams?: unknown;
  overlay?: unknown;
  'on-size-mismatch'?: unknown;
}

export interface Described {
  text: string;
  /** The generated ids (no prompt, no <eos>) and their words. */
  ids: number[];
  words: string[];
  resized: { from: [number, number]; to: [number, number] } | null;
  overlay: string | null;
  model: SavedVlm;
}

/**
 * The words of a question in the model's vocabulary, lower-cased, "?" split off; every unknown
 * word named in one line, and a question too long for the text window refused.
 */
export function questionIds(command: string, m: SavedVlm, question: string): number[] {
  const tok = m.tokenizer;
  const pieces = question
    .toLowerCase()
    .replace(/\?/g, ' ? ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (pieces.length === 0) throw new LlmfsError(`${command}: the question is empty`);
  const known = new Set(tok.words.slice(4));
  const unknown = [...new Set(pieces.filter((w) => !known.has(w)))];
  if (unknown.length > 0)
    throw new LlmfsError(
      `${command}: ${unknown.map((w) => `'${w}'`).join(', ')} ` +
        `${unknown.length === 1 ? 'is' : 'are'} not in ` +
        `this model's vocabulary of ${known.size} words (questions as in training: "how many circles?")`,
    );
  const most = m.model.config.maxText - 3; // <bos>, <sep>, and room for one answer word
  if (pieces.length > most)
    throw new LlmfsError(
      `${command}: the question has ${pieces.length} tokens; this model reads at most ${most}`,
    );
  return promptIds(tok, pieces.join(' '));
}

/** Loads the model, reads the image, generates after the prompt (caption: none; ask: the question). */
export function describe(command: string, imagePath: string, f: DescribeFlags, question?: string): Described {
  if (f.model === undefined || f.model === '')
    throw new LlmfsError(`${command}: --model is required (see \`llmfs ${command} --help\`)`);
  const beams = f.beams as number;
  if (!Number.isInteger(beams) || beams < 1)
    throw new LlmfsError(`${command}: --beams must be >= 1, got ${beams}`);
  const m = loadVlm(String(f.model), command);
  const prompt = question === undefined ? promptIds(m.tokenizer) : questionIds(command, m, question);
  const picture = readImageFile(imagePath);
  let resized: Described['resized'] = null;
  const x = imageForModel(picture, m.image, {
    name: imagePath,
    onMismatch: f['on-size-mismatch'] as 'resize' | 'error',
    onResize: (from, to) => {
      resized = { from, to };
      process.stderr.write(`${resizeNote(imagePath, from, to)}\n`);
    },
  }); // (1, 3, S, S)
  const tok = m.tokenizer;
  const ids = m.model.generate(x, prompt, {
    eosId: tok.eosId,
    ...(beams > 1 ? { strategy: 'beam' as const, beams } : {}),
  });
  const words = ids.map((id) => tok.piece(id));
  let overlay: string | null = null;
  if (f.overlay !== undefined && f.overlay !== '' && ids.length === 0)
    process.stderr.write(`note: the model generated no words, so ${String(f.overlay)} was not written\n`);
  else if (f.overlay !== undefined && f.overlay !== '') {
    overlay = String(f.overlay);
    // Row t of attentionToPatches is the query that predicts token t + 1: the sequence without its
    // last word gives one row per generated word, the rows after the prompt's last but one.
    const seq = [...prompt, ...ids];
    const att = m.model.attentionToPatches(x, seq.slice(0, -1)); // (T - 1, N)
    const N = att.shape[1];
    const first = prompt.length - 1;
    const rows = new Tensor(att.data.slice(first * N, (first + ids.length) * N), [ids.length, N]); // (n, N)
    const { imageHeight, imageWidth, patchSize } = m.model.config.vit;
    const seen = fitImage(picture, m.image.size, m.image.size);
    const panels = overlayPanels(seen, rows, words, imageHeight / patchSize, imageWidth / patchSize);
    writeImageFile(overlay, panels);
  }
  return { text: tok.decode(ids), ids, words, resized, overlay, model: m };
}
