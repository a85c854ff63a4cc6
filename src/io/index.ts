// The portable part of io/: safetensors bytes in memory, and a model's checkpoint files in memory
// (model-files.ts). The Node file layers (safetensors-file.ts, checkpoint-dir.ts, atomic-write.ts,
// training-run.ts) are imported from their own modules.

export {
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  safetensorsChunks,
  tensorFromBytes,
  intTensorFromBytes,
  isIntTensor,
  type IntTensor,
  type Safetensors,
} from './safetensors.js';
export {
  quantizationConfig,
  quantizedWeights,
  parseQuantizationConfig,
  applyQuantizedWeights,
  QUANT_KEY,
  QUANT_METHOD,
  type QuantizationConfig,
} from './quant-layout.js';
export {
  DTYPE_SIZES,
  MAX_HEADER_BYTES,
  type TensorInfo as SafetensorsTensorInfo,
  type SafetensorsHeader,
} from './safetensors-header.js';
export {
  modelFromFiles,
  modelToFiles,
  modelFromParts,
  checkpointParts,
  configToJson,
  configFromJson,
  MODEL_TYPE,
  type ModelFiles,
  type LoadedModelFiles,
  type CheckpointParts,
} from './model-files.js';
export { halfToFloat } from './float-decode.js';
export {
  encodeTokenBin,
  decodeTokenBin,
  parseTokenBinMeta,
  tokenDtypeFor,
  type TokenBinMeta,
  type TokenDtype,
} from './token-bin.js';
