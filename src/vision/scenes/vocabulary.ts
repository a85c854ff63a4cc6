// The closed world the scene generator draws from: shapes, a small fixed palette of colours,
// two sizes, the nine cells of a 3x3 grid with their names, and the (shape, colour) pairs held
// out of train/val/test for the "unseen" split (compositional generalisation: each held-out
// shape and colour is seen in training, only never together).

export const SHAPES = ['circle', 'square', 'triangle', 'cross'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Plurals for "how many circles?" (cross -> crosses). */
export const PLURALS: Record<ShapeName, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  cross: 'crosses',
};

/** The palette: saturated, far apart in RGB, all distinct from the white background. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 170, 60],
  blue: [40, 80, 220],
  yellow: [235, 195, 20],
  purple: [150, 60, 190],
  orange: [245, 130, 20],
} as const satisfies Record<string, readonly [number, number, number]>;
export type ColourName = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];

export const BACKGROUND = [255, 255, 255] as const;

export const SIZES = ['small', 'large'] as const;
export type SizeName = (typeof SIZES)[number];

/** Half-extent of a shape as a fraction of the cell side (large leaves a gap of 2+ pixels). */
export const HALF_EXTENT: Record<SizeName, number> = { small: 0.25, large: 0.4 };

/** The 3x3 grid's cell names, row by row: POSITIONS[row][col]. */
export const POSITIONS = [
  ['top left', 'top', 'top right'],
  ['left', 'centre', 'right'],
  ['bottom left', 'bottom', 'bottom right'],
] as const;
export type PositionName = (typeof POSITIONS)[number][number];

/** The phrase a caption uses for a cell: "in the centre", "on the left", "at the top left". */
export function wherePhrase(position: PositionName): string {
  if (position === 'centre') return 'in the centre';
  if (position === 'left' || position === 'right') return `on the ${position}`;
  return `at the ${position}`;
}

/**
 * (shape, colour) pairs that never appear in train, val or test; every unseen-split scene holds
 * at least one. One pair per shape and per colour, so each still appears with others in training.
 */
export const HELD_OUT: readonly (readonly [ShapeName, ColourName])[] = [
  ['circle', 'purple'],
  ['square', 'orange'],
  ['triangle', 'green'],
  ['cross', 'yellow'],
];

export function isHeldOut(shape: ShapeName, colour: ColourName): boolean {
  return HELD_OUT.some(([s, c]) => s === shape && c === colour);
}
