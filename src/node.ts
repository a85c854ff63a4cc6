// llm-from-scratch/node: the Node entry point. Everything in the portable entry, plus what needs
// Node: model checkpoints and Hugging Face GPT-2 and Llama-family directories on disk, safetensors
// files, text data files and folders, the default corpus, and the fast backend with worker threads
// (useFastBackend).

export * from './index.js';
export * from './data/index.js';
export {
  useFastBackend,
  createNodeWasmBackend,
  spawnNodeWorker,
  defaultThreads,
} from './kernels/threads/node.js';
// Data-parallel ranks as worker threads (trainDataParallel's `spawn`).
export { spawnNodeRank, startWorker } from './parallel/spawn-node.js';
// Tensor- and pipeline-parallel ranks (teaching modes) as worker threads.
export { spawnNodeTensorRank, spawnNodePipelineRank } from './parallel/tensor/teaching-node.js';
export {
  loadPretrained,
  loadHfGpt2,
  loadHfLlama,
  saveHfGpt2,
  type Pretrained,
  type LoadPretrainedOptions,
} from './io/load-pretrained.js';
export {
  savePeftAdapter,
  loadPeftAdapter,
  readPeftConfig,
  peftKey,
  ADAPTER_CONFIG,
  ADAPTER_WEIGHTS,
  type PeftAdapterConfig,
  type SavePeftOptions,
} from './io/peft-adapter.js';
export {
  saveModel,
  loadModel,
  MODEL_TYPE,
  type SavedModel,
  type SaveModelOptions,
} from './io/model-checkpoint.js';
export {
  saveCheckpointDir,
  loadCheckpointDir,
  type CheckpointContents,
  type LoadedCheckpoint,
} from './io/checkpoint-dir.js';
export {
  openSafetensorsFile,
  readSafetensorsFile,
  writeSafetensorsFile,
  type SafetensorsReader,
} from './io/safetensors-file.js';
export {
  readTextSource,
  resolveTokenizer,
  tokenizeCached,
  TEXT_ENCODINGS,
  type TextSource,
  type TextEncodingName,
} from './io/text-data.js';
export {
  writeTokenBins,
  readTokenBin,
  readTokenBinMeta,
  tokenizeToBins,
  type TokenSplit,
} from './io/token-bin-files.js';
export { checkFiniteWeights } from './io/weights-check.js';
export {
  loadHfLlamaDir,
  saveHfLlamaDir,
  type HfLlamaDir,
  type SaveHfLlamaOptions,
} from './io/hf-llama-dir.js';
export { openHfWeights, INDEX_FILE, type HfWeights } from './io/hf-shards.js';
export { loadTokenizer, saveTokenizer, type SaveFormat } from './io/tokenizer-files.js';
export { atomicWriteFile, makeDirs, type FileContent } from './io/atomic-write.js';
export {
  openRun,
  TrainingRun,
  parseTrainingState,
  RUN_FILE,
  LOG_FILE,
  CURVE_FILE,
  OPTIMIZER_STATE_FILE,
  type RunConfig,
  type LogRecord,
  type ResumePoint,
} from './io/training-run.js';
// Fine-tuning data and templates from files (chapter 11).
export {
  readLabelledFile,
  readLabelledSplits,
  parseCsv,
  labelledFromCsv,
  labelledFromJsonl,
  labelNames,
  type LabelledExample,
  type LabelledReadOptions,
  type LabelledSplits,
} from './io/labelled-data.js';
export { loadTemplate } from './io/prompt-template-file.js';
export {
  readInstructions,
  parseInstructions,
  makeInstructionSet,
  freshExamples,
  splitHeldOut,
  toAlpacaJson,
  TASKS,
  type TaskExample,
  type TaskName,
} from './data/instructions.js';
export {
  readPreferencePairs,
  parsePreferencePairs,
  makePreferencePairs,
  makeBundledPreferences,
  toPreferenceJsonl,
  type PairReadOptions,
} from './data/preferences.js';
export {
  saveRewardModel,
  loadRewardModel,
  REWARD_INFO_FILE,
  REWARD_HEAD_FILE,
  type RewardModelInfo,
  type LoadedRewardModel,
} from './io/reward-model-dir.js';
// Compression and deployment (chapter 13): GGUF files for llama.cpp / Ollama.
export { saveGguf, exportGguf, type GgufExportReport } from './io/gguf/export-gguf.js';
export {
  gpt2Gguf,
  checkGpt2Layout,
  GGUF_QUANTS,
  type GgufQuant,
  type Gpt2GgufPlan,
} from './io/gguf/gpt2-gguf.js';
export { writeGguf, ggufBytes, ggufChunks, type GgufTensor } from './io/gguf/gguf-writer.js';
export { parseGguf, metaValue, type GgufFile, type GgufTensorInfo } from './io/gguf/gguf-reader.js';
export {
  quantizeQ8_0,
  dequantizeQ8_0,
  quantizeQ4_0,
  dequantizeQ4_0,
  encodeF16,
  decodeF16,
  f32ToF16Bits,
  f16BitsToF32,
} from './io/gguf/ggml-quants.js';
export { tokenizerMetadata, type TokenizerGguf } from './io/gguf/tokenizer-gguf.js';
// Vision (chapter 17): image files (PNG/PPM in, PNG out, atomically) and vision checkpoints.
export { decodeImageBytes, readImageFile, writeImageFile, readModelImage } from './io/image-files.js';
export {
  saveVisionCheckpoint,
  loadVisionCheckpointDir,
  loadClassifier,
  type VisionImageSettings,
  type SavedClassifier,
} from './io/vision-checkpoint.js';
export { saveVlmCheckpoint, loadVlm, type SavedVlm, type SaveVlmOptions } from './io/vlm-checkpoint.js';
