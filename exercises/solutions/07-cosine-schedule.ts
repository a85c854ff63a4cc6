// Reference solution of cosine-schedule (chapter 7, section "Learning-rate schedule and clipping").

import type { CosineScheduleOptions } from 'llm-from-scratch';

/** Linear warm-up over W steps, then half a cosine from lr down to minLr at step N. */
export function cosineSchedule(step: number, o: CosineScheduleOptions): number {
  const { lr, warmupSteps: W, totalSteps: N, minLr } = o;
  if (step < W) return (lr * (step + 1)) / W; // step 0 already learns
  if (step >= N) return minLr;
  const ratio = (step - W) / (N - W); // 0 at the peak, 1 at the floor
  return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (lr - minLr);
}
