// Exercise count-objects (chapter 17, section "What a scene holds").
// Check it with: llmfs exercise check count-objects

/** An 8-bit RGB image: pixel (x, y) is data[3·(y·width + x)] .. data[3·(y·width + x) + 2]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The number of objects in a rendered scene, from its pixels alone: the regions of one
 * non-white colour whose pixels join through their 4 neighbours (up, down, left, right; not
 * diagonally). The background is white (255, 255, 255) and is not an object; two touching
 * objects of different colours are two.
 */
export function countObjects(image: RgbImage): number {
  // TODO: flood fill from every coloured pixel not yet seen, counting the fills.
  throw new Error('not implemented yet');
}
