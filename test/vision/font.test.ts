// The 5x7 bitmap font: every glyph is seven rows of five, letters land where drawText says, text
// wraps at spaces, and a character the font lacks is one clear line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeImage } from '../../src/vision/image.js';
import { drawText, wrapText, FONT_CHARS } from '../../src/vision/font.js';
import { CAPTION_WORDS } from '../../src/vision/scenes/caption.js';
import { ANSWERS, QUESTION_WORDS } from '../../src/vision/scenes/questions.js';

function inked(text: string, scale = 1): number {
  const img = makeImage(6 * scale * text.length + 2, 8 * scale);
  drawText(img, text, 1, 0, [0, 0, 0], scale);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 3) if (img.data[i] === 0) n++;
  return n;
}

test('font: glyphs have the pixels their pictures show; scale multiplies them; blanks are blank', () => {
  assert.equal(inked('l'), 2 + 5 + 3); // '.##..', five '..#..', '.###.'
  assert.equal(inked('l', 3), 9 * 10);
  assert.equal(inked(' '), 0);
  assert.equal(inked('ab'), inked('a') + inked('b'));
  assert.equal(inked('A'), inked('a'));
});

test('font: every word of the scene vocabulary can be written', () => {
  for (const w of [...CAPTION_WORDS, ...QUESTION_WORDS, ...ANSWERS])
    for (const ch of w) assert.ok(FONT_CHARS.includes(ch), `'${ch}' of ${w}`);
});

test('font: wrapText breaks at spaces; an unknown character is one line', () => {
  assert.deepEqual(wrapText('a large red circle at the top', 12), ['a large red', 'circle at', 'the top']);
  assert.throws(() => drawText(makeImage(5, 5), 'café', 0, 0, [0, 0, 0]), /drawText: the font has no 'é'/);
});
