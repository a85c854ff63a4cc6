// llm-from-scratch: the portable entry point (`import ... from 'llm-from-scratch'`). Tensors and
// autograd, nn, tokenizers, models, training, generation and evaluation, plus the WebAssembly SIMD
// backend; nothing here imports a Node module, so it runs (and bundles) unchanged in a browser.
// File I/O, checkpoints, the default corpus and worker threads are in the Node entry (./node.ts).

export * from './tensor/index.js';
export * from './nn/index.js';
export { LlmfsError } from './errors.js';
export { getBackend, setBackend, resetBackend, type Backend } from './kernels/backend.js';
export {
  createWasmBackend,
  wasmSupported,
  type WasmBackend,
  type WasmBackendOptions,
} from './kernels/wasm/backend.js';
export type { SpawnWorker, WorkerPort } from './kernels/threads/pool.js';
export { VERSION } from './version.js';
export * from './model/index.js';
export * from './tokenizer/index.js';
export * from './io/index.js';
export * from './train/index.js';
export * from './generate/index.js';
export * from './eval/index.js';
export * from './quant/index.js';
export * from './prune/index.js';
export * from './diagnose/index.js';
export * from './report/index.js';
export {
  gptConfigFromHf,
  gptFromHf,
  gptToHf,
  hfTensorLayout,
  HF_MODEL_TYPE,
  type TensorSource,
  type HfExport,
  type HfGpt2Config,
} from './io/hf-gpt2.js';
export {
  gptFromHfLlama,
  gptToHfLlama,
  llamaTensorLayout,
  type LlamaSlot,
  type LlamaTensorSource,
  type HfLlamaExport,
} from './io/hf-llama.js';
export {
  llamaConfigFromHf,
  llamaConfigToHf,
  llamaFamilyOf,
  isLlamaFamily,
  HF_LLAMA_FAMILIES,
  SUPPORTED_ARCHITECTURES,
  type LlamaFamily,
  type HfLlamaConfig,
} from './io/hf-llama-config.js';
export * from './exercises/index.js';
// Fine-tuning (chapter 11): a classification head and its loop, and instruction tuning.
export { GPTClassifier, lastTokenSelector } from './train/classify/head.js';
export {
  encodeExamples,
  collate,
  evalBatches,
  epochBatches,
  type ClassBatch,
  type EncodedExample as EncodedClassExample,
} from './train/classify/batches.js';
export {
  trainClassifier,
  evaluate as evaluateClassifier,
  predict as predictClass,
  CLASSIFY_DEFAULTS,
  type ClassifyTrainConfig,
  type ClassifyTrainResult,
  type ClassifyCallbacks,
  type EpochInfo,
} from './train/classify/loop.js';
export { classMetrics, formatMetrics, type ClassMetrics } from './train/classify/metrics.js';
export {
  setTrainable,
  TRAIN_MODES,
  type TrainMode,
  type TrainableOptions,
  type TrainableSummary,
  type LoraSettings,
} from './train/classify/trainable.js';
export * from './train/instruct/template.js';
export {
  encodeExample as encodeInstruction,
  instructBatch,
  instructBatches,
  InstructionSource,
  type PadOptions,
  type EncodedExample as EncodedInstruction,
} from './train/instruct/batches.js';
export {
  respond,
  scoreExactMatch,
  type RespondOptions,
  type TaskScore,
  type ScoreReport,
} from './train/instruct/score.js';
// Chat templates of Hugging Face models (tokenizer_config.json, Jinja via @huggingface/jinja).
export * from './chat/index.js';
// Alignment (chapter 12): DPO, a reward model, GRPO.
export * from './train/align/index.js';
export { EpochOrder, type EpochOrderState } from './train/epoch-order.js';
// Vision (chapter 17): images (PNG, PPM), the seeded scene generator, the ViT and the two
// vision-language models, as one namespace (vision.createVlm, vision.trainVlm, vision.classify...),
// since some of its names (sceneBatch, evaluate...) repeat the text side's.
export * as vision from './vision/index.js';
// Parallel training: a worker group with collectives, data parallel, ZeRO-1 (spawning: ./node.ts).
export * from './parallel/index.js';
