// A rank's share of each global batch: the windows are drawn exactly as one worker's
// BatchSampler draws them (the same generator, the same B starts), and rank r keeps rows
// [r B/N, (r+1) B/N). So N ranks see, together, the very batch one worker would (the
// equivalence "N workers x B/N rows = 1 worker x B rows" of PyTorch DDP, Li et al., 2020).

import { BatchSampler, batchAt, type Batch } from '../train/data.js';

export class BatchSlice extends BatchSampler {
  constructor(
    sampler: BatchSampler,
    readonly rank: number,
    readonly workers: number,
  ) {
    super(sampler.tokens, sampler.blockSize, sampler.batchSize, 0, sampler.name);
    this.rng.setState(sampler.getState());
  }

  /** This rank's rows (B/N, T) of the next global batch (B, T). */
  override next(): Batch {
    const max = this.tokens.length - this.blockSize - 1;
    const starts = Array.from({ length: this.batchSize }, () => this.rng.randint(0, max + 1));
    const per = this.batchSize / this.workers;
    return batchAt(this.tokens, starts.slice(this.rank * per, (this.rank + 1) * per), this.blockSize);
  }
}
