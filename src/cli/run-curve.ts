// The loss curve of a training run (loss.svg in the run directory): the per-step training loss
// and the evaluated train and validation losses, rebuilt from log.jsonl on resume and redrawn
// after every evaluation.

import { lossCurveSvg, type CurvePoint } from '../train/loss-curve.js';
import { atomicWriteFile } from '../io/atomic-write.js';

/** What a log record may hold (a step: loss; an evaluation: trainLoss and valLoss). */
export interface CurveRecord {
  step: number;
  loss?: number;
  trainLoss?: number;
  valLoss?: number;
}

export class RunCurve {
  private readonly train: CurvePoint[] = [];
  private readonly evalTrain: CurvePoint[] = [];
  private readonly val: CurvePoint[] = [];

  constructor(
    private readonly file: string,
    private readonly title: string,
  ) {}

  add(r: CurveRecord): void {
    if (r.loss !== undefined) this.train.push({ step: r.step, loss: r.loss });
    if (r.trainLoss !== undefined) this.evalTrain.push({ step: r.step, loss: r.trainLoss });
    if (r.valLoss !== undefined) this.val.push({ step: r.step, loss: r.valLoss });
  }

  write(): void {
    const series = [
      { name: 'train (per step)', color: '#9ab', points: this.train, width: 1 },
      { name: 'train (eval)', color: '#1f77b4', points: this.evalTrain, width: 2 },
      { name: 'validation', color: '#d62728', points: this.val, width: 2 },
    ];
    atomicWriteFile(this.file, lossCurveSvg(series, this.title));
  }
}
