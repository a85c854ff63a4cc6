// A hand-made 5x7 bitmap font (lowercase letters, digits and a little punctuation), for writing
// captions onto images (the docs' contact sheet, attention overlays) and, later, digits in
// scenes. Each glyph is seven rows of five pixels, '#' on; text advances six pixels a letter.

import { LlmfsError } from '../errors.js';
import type { Image } from './image.js';

const GLYPHS: Record<string, string> = {
  a: '..... ..... .###. ....# .#### #...# .####',
  b: '#.... #.... #.##. ##..# #...# #...# ####.',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  f: '..##. .#..# .#... ###.. .#... .#... .#...',
  g: '..... ..... .###. #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  j: '...#. ..... ..##. ...#. ...#. #..#. .##..',
  k: '#.... #.... #..#. #.#.. ##... #.#.. #..#.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# ####. #.... #....',
  q: '..... ..... .##.# #..## .#### ....# ....#',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .###. #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
  v: '..... ..... #...# #...# #...# .#.#. ..#..',
  w: '..... ..... #...# #...# #.#.# #.#.# .#.#.',
  x: '..... ..... #...# .#.#. ..#.. .#.#. #...#',
  y: '..... ..... #...# #...# .#### ....# .###.',
  z: '..... ..... ##### ...#. ..#.. .#... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '-': '..... ..... ..... .###. ..... ..... .....',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Pixels from one letter's left edge to the next (one blank column between). */
export const ADVANCE = 6;

/** The characters the font can draw. */
export const FONT_CHARS = Object.keys(GLYPHS).join('');

/** Whether glyph `ch` has pixel (x, y) on. */
function on(ch: string, x: number, y: number): boolean {
  return GLYPHS[ch][y * 6 + x] === '#'; // rows are five characters and a space
}

/**
 * Draws `text` with its top-left corner at (x, y), each font pixel a scale x scale square;
 * pixels off the image are skipped. Upper case is drawn as lower case.
 */
export function drawText(
  image: Image,
  text: string,
  x: number,
  y: number,
  colour: readonly number[],
  scale = 1,
): void {
  const chars = text.toLowerCase();
  for (const ch of chars)
    if (!(ch in GLYPHS)) throw new LlmfsError(`drawText: the font has no '${ch}' (it has ${FONT_CHARS})`);
  [...chars].forEach((ch, k) => {
    const left = x + k * ADVANCE * scale;
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++)
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (!on(ch, gx, gy)) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = left + gx * scale + dx;
            const py = y + gy * scale + dy;
            if (px >= 0 && py >= 0 && px < image.width && py < image.height)
              image.data.set(colour, 3 * (py * image.width + px));
          }
      }
  });
}

/** Splits text into lines of at most `width` characters at spaces (a longer word stands alone). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
