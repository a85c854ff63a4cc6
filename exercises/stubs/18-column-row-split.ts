// Exercise column-row-split (chapter 18, section "Tensor parallel").
// Check it with: llmfs exercise check column-row-split

/**
 * Megatron-LM's tensor parallelism (Shoeybi et al., 2019, section 3) splits the MLP's pair of
 * Linears over n ranks: c_fc column-parallel, c_proj row-parallel, so each rank computes
 * gelu(W1_r x + b1_r) on its own and one all-reduce sums the ranks' W2_r h_r.
 *
 * w is W (rows, cols) = PyTorch's (out, in), row-major; y = x Wᵀ.
 *   'column': split the output features: rank r keeps rows [r·rows/n, (r+1)·rows/n), (rows/n, cols)
 *   'row':    split the input features: rank r keeps columns [r·k, (r+1)·k), k = cols/n, (rows, k)
 * (a column-parallel bias is W with cols = 1). Return a new Float32Array; leave w as it is. The
 * library's shardWeights calls this for mlp.c_fc, mlp.c_proj and attn.c_proj.
 */
export function shardLinear(
  w: Float32Array,
  rows: number,
  cols: number,
  n: number,
  rank: number,
  split: 'column' | 'row',
): Float32Array {
  // TODO: 'column': one contiguous block of whole rows. 'row': a piece of every row.
  throw new Error('not implemented yet');
}
