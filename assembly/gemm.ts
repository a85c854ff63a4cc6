// Register-tiled, cache-blocked matrix multiply C += op(A) op(B) in f32x4 SIMD, after Goto & van
// de Geijn (2008), "Anatomy of high-performance matrix multiplication": a KC×NC panel of B and an
// MC×KC block of A are packed into contiguous micro-panels, then an MR×NR micro-kernel keeps
// its C tile in registers while it streams the packed panels (A in L2, a B sliver in L1).

import { micro6x8, micro5x8 } from './micro';

// Micro-tile MR×NR (see micro.ts for why MR depends on the build).
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 120;
const NC: i32 = 2048;

/** Bytes of scratch one gemm call needs: packed A block, packed B panel, one edge tile. */
/** Rows of the micro-tile: thread slabs are cut on multiples of it. */
export function gemmTileRows(): i32 {
  return MR;
}

export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// Packs op(A)[i0..i0+mc, k0..k0+kc] as micro-panels of MR rows, each k-major (MR values per k),
// zero-padding the last panel. Element (i, k) of op(A) is at a + 4 (i rs + k cs).
function packA(dst: usize, a: usize, rs: i32, cs: i32, i0: i32, mc: i32, k0: i32, kc: i32): void {
  for (let ip = 0; ip < mc; ip += MR) {
    const mr = min(MR, mc - ip);
    const panel = dst + <usize>(ip * kc) * 4;
    if (mr < MR) memory.fill(panel, 0, <usize>(MR * kc) * 4);
    if (cs == 1) {
      // rows contiguous in k: read along a row, write with stride MR
      for (let ii = 0; ii < mr; ii++) {
        const src = a + <usize>((i0 + ip + ii) * rs + k0) * 4;
        for (let k = 0; k < kc; k++) store<f32>(panel + <usize>(k * MR + ii) * 4, load<f32>(src + <usize>k * 4));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = a + <usize>((i0 + ip) * rs + (k0 + k) * cs) * 4;
        const d = panel + <usize>(k * MR) * 4;
        for (let ii = 0; ii < mr; ii++) store<f32>(d + <usize>ii * 4, load<f32>(src + <usize>(ii * rs) * 4));
      }
    }
  }
}

// Packs op(B)[k0..k0+kc, j0..j0+nc] as micro-panels of NR columns, each k-major (NR values per
// k), zero-padding the last panel. Element (k, j) of op(B) is at b + 4 (k rs + j cs).
function packB(dst: usize, b: usize, rs: i32, cs: i32, k0: i32, kc: i32, j0: i32, nc: i32): void {
  for (let jp = 0; jp < nc; jp += NR) {
    const nr = min(NR, nc - jp);
    const panel = dst + <usize>(jp * kc) * 4;
    if (nr == NR && cs == 1) {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>((k0 + k) * rs + j0 + jp) * 4;
        const d = panel + <usize>(k * NR) * 4;
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
      continue;
    }
    if (nr < NR) memory.fill(panel, 0, <usize>(NR * kc) * 4);
    if (rs == 1) {
      // columns contiguous in k (B stored transposed): read down a column
      for (let jj = 0; jj < nr; jj++) {
        const src = b + <usize>((j0 + jp + jj) * cs + k0) * 4;
        for (let k = 0; k < kc; k++) store<f32>(panel + <usize>(k * NR + jj) * 4, load<f32>(src + <usize>k * 4));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>((k0 + k) * rs + (j0 + jp) * cs) * 4;
        const d = panel + <usize>(k * NR) * 4;
        for (let jj = 0; jj < nr; jj++) store<f32>(d + <usize>jj * 4, load<f32>(src + <usize>(jj * cs) * 4));
      }
    }
  }
}

/**
 * C (M×N, row stride ldc) (+)= op(A) (M×K) · op(B) (K×N), op given by element strides:
 * op(A)(i, k) at a + 4 (i rsA + k csA), op(B)(k, j) at b + 4 (k rsB + j csB).
 * `work` points at gemmWorkspaceBytes() of scratch owned by the caller (one per thread).
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, ldc: i32, work: usize, accumulate: bool): void {
  const packedA = work;
  const packedB = work + <usize>(MC * KC) * 4;
  const tile = packedB + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const overwrite = pc == 0 && !accumulate; // C = A·B: the first k-block stores, no zeroing pass
      packB(packedB, b, rsB, csB, pc, kc, jc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(packedA, a, rsA, csA, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + <usize>((ic + ir) * ldc + jc + jr) * 4;
            const pa = packedA + <usize>(ir * kc) * 4;
            if (MR == 6) micro6x8(kc, pa, pb, cp, ldc, mr, nr, tile, overwrite);
            else micro5x8(kc, pa, pb, cp, ldc, mr, nr, tile, overwrite);
          }
        }
      }
    }
  }
}
