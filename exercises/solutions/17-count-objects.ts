// Reference solution of count-objects (chapter 17, section "What a scene holds").

export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Same-colour, 4-connected, non-white regions, by flood fill with a stack. */
export function countObjects(image: RgbImage): number {
  const { width: W, height: H, data } = image;
  const key = (p: number) => (data[3 * p]! << 16) | (data[3 * p + 1]! << 8) | data[3 * p + 2]!;
  const seen = new Uint8Array(W * H);
  let n = 0;
  for (let start = 0; start < W * H; start++) {
    if (seen[start] || key(start) === 0xffffff) continue;
    n++; // a new object: fill all of it
    const colour = key(start);
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % W;
      const y = (p - x) / W;
      for (const [X, Y] of [
        [x - 1, y],
        [x + 1, y],
        [x, y - 1],
        [x, y + 1],
      ] as const) {
        const q = Y * W + X;
        if (X < 0 || Y < 0 || X >= W || Y >= H || seen[q] || key(q) !== colour) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
  }
  return n;
}
