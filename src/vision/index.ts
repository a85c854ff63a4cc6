// The vision layer (issue 20), portable: images as 8-bit RGB (PNG via fast-png, PPM), resizing,
// image tensors, and the seeded scene generator with its captions, questions and splits.
// Reading and writing files is in io/image-files.ts (Node).

export * from './image.js';
export * from './png.js';
export * from './ppm.js';
export * from './resize.js';
export * from './to-tensor.js';
export * from './scenes/vocabulary.js';
export * from './scenes/scene.js';
export * from './scenes/render.js';
export * from './scenes/caption.js';
export * from './scenes/questions.js';
export * from './scenes/splits.js';
export * from './scenes/dataset.js';
export * from './model/index.js';
export * from './input.js';
export * from './scenes/count.js';
export * from './scenes/caption-parse.js';
export * from './text/word-tokenizer.js';
export * from './vlm/index.js';
// Classification training has names of its own (sceneBatch, trainClassifier) that repeat the
// VLM's and the text classifier's, so it is a namespace: vision.classify.trainClassifier.
export * as classify from './train/index.js';
