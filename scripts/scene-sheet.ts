// The contact sheet in docs/17-seeing.md: 16 training scenes from the generator, each enlarged
// 4x (nearest neighbour) with its caption below in the 5x7 bitmap font (one object a line), and the
// data.jsonl line of the first. Run: node --import tsx scripts/scene-sheet.ts
// Writes docs/images/17-scenes.png and prints the JSONL line.

import { writeImageFile } from '../src/io/image-files.js';
import { makeImage, type Image } from '../src/vision/image.js';
import { drawText, wrapText, ADVANCE, GLYPH_HEIGHT } from '../src/vision/font.js';
import { sceneExample, sceneFileName, sceneJsonLine } from '../src/vision/scenes/dataset.js';

const COLS = 4;
const ROWS = 4;
const ZOOM = 4;
const SIZE = 48;
const PAD = 12;
const TEXT_SCALE = 1;
const TILE_W = 288; // 47 letters a line: the longest phrase is 47 with its "and "
const LINE_H = (GLYPH_HEIGHT + 3) * TEXT_SCALE;
const CHARS = Math.floor((TILE_W - PAD / 2) / (ADVANCE * TEXT_SCALE));
const MAX_LINES = 5;
const TILE_H = SIZE * ZOOM + 2 * PAD + MAX_LINES * LINE_H;

/** Copies `src` enlarged `zoom` times into `dst` at (x, y). */
function blit(dst: Image, src: Image, x: number, y: number, zoom: number): void {
  for (let sy = 0; sy < src.height * zoom; sy++)
    for (let sx = 0; sx < src.width * zoom; sx++) {
      const i = 3 * (Math.floor(sy / zoom) * src.width + Math.floor(sx / zoom));
      dst.data.set(src.data.subarray(i, i + 3), 3 * ((y + sy) * dst.width + x + sx));
    }
}

const sheet = makeImage(COLS * TILE_W, ROWS * TILE_H, [235, 235, 235]);
for (let k = 0; k < COLS * ROWS; k++) {
  const { image, record } = sceneExample('train', k, { size: SIZE });
  const x = (k % COLS) * TILE_W;
  const y = Math.floor(k / COLS) * TILE_H;
  blit(sheet, image, x + (TILE_W - SIZE * ZOOM) / 2, y + PAD, ZOOM);
  const lines = record.caption.split(' and ').flatMap((p, j) => wrapText(j ? `and ${p}` : p, CHARS));
  if (lines.length > MAX_LINES) throw new Error(`caption of scene ${k} needs ${lines.length} lines`);
  lines.forEach((line, j) =>
    drawText(sheet, line, x + PAD / 2, y + PAD + SIZE * ZOOM + 6 + j * LINE_H, [30, 30, 30], TEXT_SCALE),
  );
}
writeImageFile('docs/images/17-scenes.png', sheet);
const first = sceneExample('train', 0, { size: SIZE }).record;
console.log(`wrote docs/images/17-scenes.png (${sheet.width}x${sheet.height})`);
console.log(sceneJsonLine(first, sceneFileName('train', 0)));
