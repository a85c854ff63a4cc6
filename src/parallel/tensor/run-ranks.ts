// What the teaching-mode schemes (tensor parallel, Shoeybi et al., 2019; pipeline parallel, Huang
// et al., 2019) share: starting N ranks on workers and collecting one result from each (a rank
// that throws or dies fails the whole run with one clear error), the optimizer train() would build
// for a module, and the step's plan (learning-rate schedule) from a TrainConfig.

import type { Module } from '../../nn/module.js';
import type { Parameter } from '../../nn/parameter.js';
import { LlmfsError } from '../../errors.js';
import type { TrainConfig } from '../../train/config.js';
import { decayGroups } from '../../train/param-groups.js';
import { AdamW, Adam } from '../../train/adamw.js';
import { SGD } from '../../train/sgd.js';
import type { Optimizer } from '../../train/optimizer.js';
import type { StepInfo } from '../../train/trainer.js';
import { makeSchedule } from '../../train/schedule.js';
import { markFailed, type GroupMemory } from '../group.js';

/** What a rank posts back: a step done (one rank reports them), its result once, or why it stopped. */
export type RankReply<R> =
  | { type: 'step'; rank: number; info: StepInfo }
  | { type: 'done'; rank: number; result: R }
  | { type: 'error'; rank: number; message: string; aborted: boolean };

/** A worker as the coordinator sees it (Node: spawnTeachingRank in teaching-node.ts). */
export interface TeachingPort<I, R> {
  post(msg: I): void;
  onMessage(cb: (msg: RankReply<R>) => void): void;
  onExit(cb: (code: number, err: Error | null) => void): void;
}

export type SpawnTeachingRank<I, R> = (rank: number) => TeachingPort<I, R>;

/** Starts `n` ranks, posts each its init message, and resolves with every rank's result, by rank. */
export function runRanks<I, R>(
  n: number,
  group: GroupMemory,
  spawn: SpawnTeachingRank<I, R>,
  initFor: (rank: number) => I,
  label: string,
  onStep?: (info: StepInfo) => void,
): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    const results: (R | undefined)[] = new Array(n);
    const ended = new Set<number>();
    let cause: Error | null = null;
    let exited = 0;
    const fail = (err: Error, rank: number) => {
      cause ??= err;
      markFailed(group, rank);
    };
    for (let rank = 0; rank < n; rank++) {
      const port = spawn(rank);
      port.onMessage((m) => {
        if (m.type === 'step') {
          try {
            onStep?.(m.info);
          } catch (err) {
            fail(err instanceof Error ? err : new Error(String(err)), n); // a callback failed: stop
          }
          return;
        }
        ended.add(rank);
        if (m.type === 'done') results[rank] = m.result;
        else if (!m.aborted)
          fail(new LlmfsError(`${label}: worker ${rank} of ${n} failed: ${m.message}`), rank);
      });
      port.onExit((code, err) => {
        if (!ended.has(rank) && (code !== 0 || err))
          fail(
            new LlmfsError(
              `${label}: worker ${rank} of ${n} died (${err ? err.message : `exit code ${code}`})`,
            ),
            rank,
          );
        if (++exited < n) return;
        if (cause) reject(cause);
        else if (results.some((r) => r === undefined))
          reject(new LlmfsError(`${label}: a worker ended without a result`));
        else resolve(results as R[]);
      });
      port.post(initFor(rank));
    }
  });
}

/** The optimizer train() builds (trainer.ts makeOptimizer), for any module: decay on matrices only. */
export function optimizerFor(model: Module, c: TrainConfig): Optimizer {
  const groups = decayGroups(model, c.weightDecay);
  if (c.optimizer === 'sgd') return new SGD(groups, { lr: c.lr, momentum: c.momentum });
  const betas: [number, number] = [c.beta1, c.beta2];
  if (c.optimizer === 'adam') return new Adam(groups, { lr: c.lr, betas, eps: c.eps });
  return new AdamW(groups, { lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay });
}

/** The learning rate at each step, as train() schedules it. */
export function scheduleOf(c: TrainConfig): (step: number) => number {
  return makeSchedule({
    kind: c.schedule,
    lr: c.lr,
    warmupSteps: c.warmupSteps,
    totalSteps: c.decaySteps,
    minLr: c.minLr,
  });
}

/** Σ g² over the gradients of `params` (float64 accumulation, as clipGradNorm). */
export function sumOfSquares(params: readonly Parameter[]): number {
  let sq = 0;
  for (const p of params) {
    const g = p.grad?.data;
    if (g) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  }
  return sq;
}

/** Scales every gradient by maxNorm / (norm + 1e-6) when norm > maxNorm > 0 (clip.ts's rule). */
export function clipByNorm(params: readonly Parameter[], norm: number, maxNorm: number): void {
  if (!(maxNorm > 0 && norm > maxNorm)) return;
  const scale = maxNorm / (norm + 1e-6);
  for (const p of params) {
    const g = p.grad?.data;
    if (g) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
}

/** A wall-clock time in ms comparable across worker threads (each has its own performance origin). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
