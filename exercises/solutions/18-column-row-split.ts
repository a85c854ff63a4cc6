// Reference solution of column-row-split (chapter 18, section "Tensor parallel").

/** Rank `rank`'s shard of W (rows, cols): a block of rows ('column'), of columns ('row'). */
export function shardLinear(
  w: Float32Array,
  rows: number,
  cols: number,
  n: number,
  rank: number,
  split: 'column' | 'row',
): Float32Array {
  if (split === 'column') {
    const r = rows / n; // output features per rank
    return w.slice(rank * r * cols, (rank + 1) * r * cols);
  }
  const k = cols / n; // input features per rank
  const out = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) out.set(w.subarray(i * cols + rank * k, i * cols + (rank + 1) * k), i * k);
  return out;
}
