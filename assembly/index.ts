// The WebAssembly kernel module: every export the JS glue in src/kernels/wasm/ calls. Memory is
// imported (and shared when built for threads); the JS side owns all allocation, so the module
// needs no runtime: pointers in, results written in place.

export { gemm, gemmWorkspaceBytes, gemmTileRows } from './gemm';
export { gemvT, gemvT4, gemvN } from './gemv';

/** First free byte after the module's static data: the JS allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
export { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward } from './rowwise';
export { layerNormForward, layerNormBackward } from './layernorm';
export { geluTanhForward, geluTanhBackward, binary, adamw } from './elementwise';
export { ladderScalar, ladderSimd, ladderTiled } from './ladder';
export { qgemmInt8, dequantInt8, dequantInt4 } from './quant';
export { qgemmInt4, int4SplitX } from './quant-int4';
export { quantizeRowsInt8, qgemmInt8Q8 } from './quant-q8';
export { sumAxis } from './reduce';
export { attnSoftmaxRows, attnRecomputeP, attnGradScores, attnGather, attnScatter } from './attention';
export { attnDirect } from './attention-direct';
