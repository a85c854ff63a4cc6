// Exercise bilinear-resize (chapter 17, section "Reading images").
// Check it with: llmfs exercise check bilinear-resize

/**
 * Resizes interleaved samples src (H, W, C) to (outH, outW, C) bilinearly, exactly as PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False, antialias=False): output index o of an axis
 * samples the input at s = (o + 0.5) · in / out - 0.5, clamped below at 0, between lo = floor(s)
 * and hi = min(lo + 1, in - 1) with weight s - lo on hi; rows and columns alike, four samples
 * mixed per output sample. Sample (y, x, c) is src[(y·W + x)·C + c].
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  H: number,
  W: number,
  C: number,
  outH: number,
  outW: number,
): Float64Array {
  // TODO: the two neighbours and the weight per output row and column, then mix four samples.
  throw new Error('not implemented yet');
}
