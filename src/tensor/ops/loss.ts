// Cross-entropy between logits and integer class targets, fused with log-softmax:
//   loss_n = -(1-ε) log p_n[y_n] - (ε/C) Σ_c log p_n[c],   p_n = softmax(logits_n)
// with label smoothing ε (Szegedy et al., 2016) as torch.nn.functional.cross_entropy defines it.
// Its gradient is the famously simple  dlogits_n = p_n - q_n,  q_n = (1-ε) onehot(y_n) + ε/C.
// Rows whose target equals ignoreIndex contribute nothing and are not counted in the mean.

import { Tensor } from '../tensor-core.js';
import { allocate, allocateOverwritten } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';
import type { IndexLike } from './indexing.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'cross-entropy' (chapter 6): the mean over counted rows of -log softmax(logits_n)[t_n],
     * logits (N, V), targets N class ids; rows whose target is ignoreIndex are skipped (not counted).
     */
    crossEntropy(logits: Tensor, targets: readonly number[], ignoreIndex: number): Tensor;
  }
}

export interface CrossEntropyOptions {
  /** Target value whose rows are skipped (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** ε in [0, 1): mixes the one-hot target with the uniform distribution. */
  labelSmoothing?: number;
  /** 'mean' over counted rows (default), 'sum', or 'none' (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
}

/** logits (..., C) and targets with the leading shape (...) or flat with one per row. */
export function crossEntropy(logits: Tensor, targets: IndexLike, opts: CrossEntropyOptions = {}): Tensor {
  // The plain loss (no smoothing, the mean over (N, V) logits) goes through the registry.
  if (!opts.labelSmoothing && (opts.reduction ?? 'mean') === 'mean' && logits.ndim === 2) {
    const t = targets instanceof Tensor ? targets.data : targets;
    return crossEntropyMean(logits, Array.from(t), opts.ignoreIndex ?? -100);
  }
  return fusedCrossEntropy(logits, targets, opts);
}

const crossEntropyMean = exercisable(
  'crossEntropy',
  (logits: Tensor, targets: readonly number[], ignoreIndex: number): Tensor =>
    fusedCrossEntropy(logits, targets, { ignoreIndex }),
);

function fusedCrossEntropy(logits: Tensor, targets: IndexLike, opts: CrossEntropyOptions): Tensor {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  const reduction = opts.reduction ?? 'mean';
  if (!(eps >= 0 && eps < 1))
    throw new LlmfsError(`crossEntropy: labelSmoothing must be in [0, 1), got ${eps}`);
  if (!['mean', 'sum', 'none'].includes(reduction))
    throw new LlmfsError(`crossEntropy: unknown reduction '${reduction}'`);
  if (logits.ndim < 1) throw new LlmfsError('crossEntropy: logits must have a class axis');
  const C = logits.shape[logits.ndim - 1];
  const rows = C === 0 ? 0 : logits.size / C;
  const tdata = targets instanceof Tensor ? targets.data : targets;
  if (tdata.length !== rows) {
    const ts = targets instanceof Tensor ? fmtShape(targets.shape) : `${tdata.length} values`;
    throw new LlmfsError(
      `crossEntropy: logits of shape ${fmtShape(logits.shape)} have ${rows} rows but targets have ${ts}`,
    );
  }
  const y = new Int32Array(rows);
  for (let n = 0; n < rows; n++) {
    const t = tdata[n];
    if (t !== ignoreIndex && !(Number.isInteger(t) && t >= 0 && t < C)) {
      throw new LlmfsError(
        `crossEntropy: target ${t} at row ${n} is not a class index in [0, ${C}) nor ignoreIndex ` +
          `${ignoreIndex}`,
      );
    }
    y[n] = t;
  }
  const logp = allocateOverwritten(logits.dtype, logits.size);
  getBackend().logSoftmaxForward(logits.data, logp, rows, C);
  // Σ_c log p_n[c] for label smoothing: a sum over the class axis of (rows, C)
  const logpSums = eps > 0 ? allocate(logits.dtype, rows) : null;
  if (logpSums) getBackend().sumAxis(logp, logpSums, rows, C, 1);
  const perRow = allocate(logits.dtype, rows);
  let count = 0;
  for (let n = 0; n < rows; n++) {
    if (y[n] === ignoreIndex) continue;
    count++;
    const mean = logpSums ? logpSums[n] / C : 0;
    perRow[n] = -(1 - eps) * logp[n * C + y[n]] - eps * mean;
  }
  let out: Tensor['data'];
  let shape: number[];
  if (reduction === 'none') {
    out = perRow;
    shape = logits.shape.slice(0, -1);
  } else {
    let s = 0;
    for (let n = 0; n < rows; n++) s += perRow[n];
    out = allocate(logits.dtype, 1);
    out[0] = reduction === 'mean' ? s / count : s; // 0/0 = NaN when every row is ignored, as PyTorch
    shape = [];
  }
  return Tensor.fromOp('crossEntropy', out, shape, [logits], (g) => {
    // loss_n = -Σ_c q_n[c] log p_n[c] is a weighted sum of log-softmax outputs, so its gradient
    // is the log-softmax backward of dlogp_n = -scale_n q_n: dx = scale_n (p_n - q_n), as Σ q = 1.
    // Only the target rows are written here; the arithmetic over (rows, C) runs on the backend.
    const dlogp = allocate(g.dtype, logits.size); // ignored rows stay 0, so their gradient is 0
    for (let n = 0; n < rows; n++) {
      if (y[n] === ignoreIndex) continue;
      const scale = reduction === 'none' ? g.data[n] : reduction === 'mean' ? g.data[0] / count : g.data[0];
      if (eps > 0) dlogp.fill((-scale * eps) / C, n * C, (n + 1) * C);
      dlogp[n * C + y[n]] = -scale * (1 - eps + eps / C);
    }
    const dx = allocateOverwritten(g.dtype, logits.size);
    getBackend().logSoftmaxBackward(logp, dlogp, dx, rows, C);
    return [new Tensor(dx, logits.shape)];
  });
}
