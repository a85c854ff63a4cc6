// The caption grammar read backwards (caption.ts writes it): a caption split at " and " into
// phrases, each phrase "a SIZE COLOUR SHAPE WHERE" read into its attributes. A phrase that does
// not follow the grammar reads as null, so a half-right generated caption still scores the
// objects it got right (per-attribute accuracy).

import { COLOUR_NAMES, POSITIONS, SHAPES, SIZES } from './vocabulary.js';
import type { ColourName, PositionName, ShapeName, SizeName } from './vocabulary.js';

export interface CaptionObject {
  size: SizeName;
  colour: ColourName;
  shape: ShapeName;
  position: PositionName;
}

/** The four attributes a caption states per object, in phrase order. */
export const CAPTION_ATTRIBUTES = ['size', 'colour', 'shape', 'position'] as const;
export type CaptionAttribute = (typeof CAPTION_ATTRIBUTES)[number];

/** wherePhrase's inverse: "in the centre" -> centre, "at the top left" -> top left. */
function positionOf(where: string): PositionName | null {
  for (const p of POSITIONS.flat()) {
    const phrase =
      p === 'centre' ? 'in the centre' : p === 'left' || p === 'right' ? `on the ${p}` : `at the ${p}`;
    if (phrase === where) return p;
  }
  return null;
}

/** One phrase -> its object, or null when it does not follow the grammar. */
export function parsePhrase(phrase: string): CaptionObject | null {
  const w = phrase.trim().split(/\s+/);
  if (w.length < 6 || w[0] !== 'a') return null;
  const [size, colour, shape] = [w[1], w[2], w[3]];
  const position = positionOf(w.slice(4).join(' '));
  if (!(SIZES as readonly string[]).includes(size)) return null;
  if (!(COLOUR_NAMES as readonly string[]).includes(colour)) return null;
  if (!(SHAPES as readonly string[]).includes(shape)) return null;
  if (position === null) return null;
  return { size: size as SizeName, colour: colour as ColourName, shape: shape as ShapeName, position };
}

/** A caption -> one entry per phrase (null where a phrase is not grammatical); [] for ''. */
export function parseCaption(caption: string): (CaptionObject | null)[] {
  const text = caption.trim();
  if (text === '') return [];
  return text.split(' and ').map(parsePhrase);
}
