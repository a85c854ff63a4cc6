#!/usr/bin/python3
"""Golden 2-D PCA results for src/diagnose/embedding-pca.ts, made with torch.linalg.eigh.

For each matrix X (n, d): centre the rows, C = Xc^T Xc / (n - 1), take the two eigenvectors of
the largest eigenvalues (torch.linalg.eigh, float64), flip each so its largest-|value| entry is
positive, and record the points Xc @ [v1 v2], the eigenvalues and lambda / trace(C). The cases: a
generic matrix, two leading eigenvalues 1% apart (plain power iteration crawls there), a
rank-2 matrix with fewer rows than columns, and an embedding-like (10, 64) table (a toy model's
wte at init scale). X is rounded to float32, as the TypeScript side reads weights.
Writes test/fixtures/pca-golden.json.  Run from the repo root:
  python3 scripts/make-pca-fixture.py
"""
import json
import torch

torch.manual_seed(0)


def f32(x):
    return x.to(torch.float32).to(torch.float64)


def with_spectrum(n, d, sigmas):
    """Rows whose centred covariance has roughly the given standard deviations per direction."""
    q, _ = torch.linalg.qr(torch.randn(d, d, dtype=torch.float64))
    z = torch.randn(n, d, dtype=torch.float64)
    z = z - z.mean(0)
    z, _ = torch.linalg.qr(z)  # orthonormal columns: the variances are exactly sigmas^2 * (n - 1)^-1
    s = torch.tensor(sigmas + [0.0] * (d - len(sigmas)), dtype=torch.float64)
    return z[:, :d] * s @ q.T + torch.randn(d, dtype=torch.float64)


cases = {
    "generic": torch.randn(12, 6, dtype=torch.float64) * torch.tensor([3.0, 1.0, 2.0, 0.5, 0.2, 1.5]),
    "near-tie": with_spectrum(40, 8, [10.0, 9.95, 4.0, 3.0, 2.0, 1.0, 0.5, 0.25]),
    "rank-2": torch.randn(3, 5, dtype=torch.float64),
    "embedding": torch.randn(10, 64, dtype=torch.float64) * 0.02,
}

out = []
for name, x in cases.items():
    x = f32(x)
    n, d = x.shape
    xc = x - x.mean(0)
    c = xc.T @ xc / (n - 1)
    lam, vec = torch.linalg.eigh(c)  # ascending
    comps = []
    for k in (d - 1, d - 2):
        v = vec[:, k].clone()
        j = int(torch.argmax(v.abs()))
        if v[j] < 0:
            v = -v
        comps.append(v)
    v = torch.stack(comps, 1)  # (d, 2)
    pts = xc @ v
    lam2 = [float(lam[d - 1]), float(lam[d - 2])]
    trace = float(torch.trace(c))
    out.append(
        {
            "name": name,
            "n": n,
            "d": d,
            "x": x.flatten().tolist(),
            "points": pts.tolist(),
            "components": v.T.tolist(),
            "variances": lam2,
            "explained": [l / trace for l in lam2],
        }
    )
    print(name, n, d, "eigenvalues (top 3):", [round(float(l), 6) for l in lam.flip(0)[:3]])

with open("test/fixtures/pca-golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": out}, f)
print("wrote test/fixtures/pca-golden.json")
