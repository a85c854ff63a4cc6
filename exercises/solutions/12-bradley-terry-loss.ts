// Reference solution of bradley-terry-loss (chapter 12, section "Reward models").

import { Tensor } from 'llm-from-scratch';

/** -mean log σ(r_c - r_r) = mean softplus(r_r - r_c), written so that no exponential overflows. */
export function bradleyTerryLoss(chosen: Tensor, rejected: Tensor): Tensor {
  const z = chosen.sub(rejected); // (B) reward margins
  // log σ(z) = min(z, 0) - log(1 + e^{-|z|}) is finite for any z. With |z| = s·z and min(z, 0) =
  // (z - |z|) / 2 for a constant sign s (+1 where z ≥ 0), the gradient at z = 0 is σ(0) = ½.
  const s = new Tensor(
    z.data.map((v) => (v >= 0 ? 1 : -1)),
    z.shape,
  );
  const abs = z.mul(s); // (B) |z|
  const logSigma = z.sub(abs).mul(0.5).sub(abs.neg().exp().add(1).log()); // (B) log σ(z)
  return logSigma.mean().neg();
}
