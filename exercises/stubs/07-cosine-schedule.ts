// Exercise cosine-schedule (chapter 7, section "Learning-rate schedule and clipping").
// Check it with: llmfs exercise check cosine-schedule

import type { CosineScheduleOptions } from 'llm-from-scratch';

/**
 * The learning rate at `step` (0, 1, 2, ...) of linear warm-up then cosine decay, with
 * W = o.warmupSteps, N = o.totalSteps (N > W):
 *
 *     step < W:        lr · (step + 1) / W          (step 0 gets lr/W, step W-1 the full lr)
 *     W <= step < N:   minLr + ½ (1 + cos(π r)) (lr - minLr),   r = (step - W) / (N - W)
 *     step >= N:       minLr
 */
export function cosineSchedule(step: number, o: CosineScheduleOptions): number {
  // TODO: return the learning rate of this step.
  throw new Error('not implemented yet');
}
