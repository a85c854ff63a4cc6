// Reference solution of dpo-loss (chapter 12, section "DPO").

import { Tensor } from 'llm-from-scratch';

/** -mean log σ(z), z = β((π_c - ref_c) - (π_r - ref_r)): DPO's loss (Rafailov et al., 2023, eq. 7). */
export function dpoLoss(
  policyChosen: Tensor,
  policyRejected: Tensor,
  refChosen: Tensor,
  refRejected: Tensor,
  beta: number,
): Tensor {
  const chosen = policyChosen.sub(refChosen); // (B) log π_c / π_ref_c
  const rejected = policyRejected.sub(refRejected); // (B) log π_r / π_ref_r
  const z = chosen.sub(rejected).mul(beta); // (B)
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
