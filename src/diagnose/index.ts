// Diagnostics (chapter 14): why a model repeats itself, what its heads attend to, what each
// layer would predict (the logit lens), and whether a training run is healthy.
export * from './repetition.js';
export * from './generation.js';
export * from './training-health.js';
export * from './loss-spikes.js';
export * from './run-findings.js';
export { runReport, findingLine } from './run-report.js';
export * from './attention-stats.js';
export * from './head-scores.js';
export * from './logit-lens.js';
export * from './inspect.js';
export * from './embedding-pca.js';
export * from './inspect-report.js';
export * from './loop-attention.js';
export * from './generation-report.js';
