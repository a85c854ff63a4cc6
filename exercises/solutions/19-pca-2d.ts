// Reference solution of pca-2d (chapter 19, section "Look inside").

/** The rows of x (n, d) centred and projected on the covariance's two leading eigenvectors. */
export function pca2d(x: ArrayLike<number>, n: number, d: number) {
  // centre, then C = xcᵀ xc / (n - 1)
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const xc = Float64Array.from({ length: n * d }, (_, k) => x[k] - mean[k % d]);
  const C = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) C[a * d + b] += (xc[i * d + a] * xc[i * d + b]) / (n - 1);
  const mul = (m: Float64Array, v: Float64Array) =>
    Float64Array.from({ length: d }, (_, a) => v.reduce((s, vb, b) => s + m[a * d + b] * vb, 0));
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, j) => s + v * b[j], 0);
  // power iteration: v ← C v / ||C v|| until it stops moving; λ = vᵀ C v
  const tiny = 1e-12 * Math.max(1e-300, ...C.map(Math.abs)); // below this, C v is rounding noise
  // (`away`: a direction v must stay orthogonal to, so a zero eigenvalue still gives v2 ⟂ v1)
  const leading = (m: Float64Array, away?: Float64Array): [Float64Array, number] => {
    const orthogonal = (v: Float64Array) => {
      const p = away ? dot(v, away) : 0;
      if (away) v.forEach((_, j) => (v[j] -= p * away[j]));
      return v;
    };
    let v = orthogonal(Float64Array.from({ length: d }, (_, j) => 1 + Math.sin(j + 1)));
    for (let it = 0; it < 20000; it++) {
      const w = orthogonal(mul(m, v));
      const norm = Math.sqrt(dot(w, w));
      if (norm <= tiny) break; // C v ≈ 0: v is an eigenvector of λ = 0 already
      w.forEach((_, j) => (w[j] /= norm));
      const moved = Math.max(...w.map((wj, j) => Math.abs(wj - v[j])));
      v = w;
      if (moved < 1e-13) break;
    }
    const len = Math.sqrt(dot(v, v));
    v.forEach((_, j) => (v[j] /= len));
    let k = 0; // the sign: the largest-|value| entry positive
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[k]) + 1e-12) k = j;
    if (v[k] < 0) v.forEach((_, j) => (v[j] = -v[j]));
    return [v, dot(v, mul(m, v))];
  };
  const [v1, l1] = leading(C);
  const C2 = C.map((c, k) => c - l1 * v1[Math.floor(k / d)] * v1[k % d]); // deflate: C - λ1 v1 v1ᵀ
  const [v2] = leading(C2, v1);
  const l2 = dot(v2, mul(C, v2));
  let trace = 0;
  for (let j = 0; j < d; j++) trace += C[j * d + j];
  const points = Array.from({ length: n }, (_, i): [number, number] => {
    const row = xc.subarray(i * d, (i + 1) * d);
    return [dot(row, v1), dot(row, v2)];
  });
  return {
    points,
    components: [v1, v2] as [Float64Array, Float64Array],
    variances: [l1, l2] as [number, number],
    explained: (trace > 0 ? [l1 / trace, l2 / trace] : [0, 0]) as [number, number],
  };
}
