#!/usr/bin/python3
"""Golden values for the Vision Transformer and the LLaVA projector, made by PyTorch.

Writes test/fixtures/vit-golden.json. The ViT is written here in plain torch, the way the paper
(Dosovitskiy et al., 2021, eqs. 1-4) and most implementations do it: a Conv2d(kernel = stride = P)
patch embedding, a [CLS] token, learned positions, nn.TransformerEncoder with
nn.TransformerEncoderLayer(norm_first=True, activation='gelu') layers and a final LayerNorm, one
linear head per attribute; then the projector, Linear -> GELU -> Linear (LLaVA-1.5). The image is
8x12 (HxW) in 4x4 patches, a 2x3 grid, so a row/column mix-up shows. Two cases share the encoder,
head and projector weights and differ in pooling and positions:
  cls      [CLS] token, learned 1-D positions (the paper's ViT);
  mean_2d  no [CLS], mean over the patch features, factorised 2-D positions pos(i, j) = row_i + col_j.
(The fixture stays under 300 KB with two cases; [CLS] with 2-D positions is tested in TypeScript
against the 1-D table it equals.)
For each: the features, logits, projected features, the scalar loss
  L = sum over heads of cross_entropy(logits, labels) + mean(projected ** 2)
and the gradient of L w.r.t. the input image and every parameter. Parameter names are ours; the
patch weight keeps the Conv2d shape (D, C, P, P): the test reshapes it to (D, C*P*P).
Run from the repo root:  /usr/bin/python3 scripts/make-vit-fixtures.py
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
B, C, H, W, P = 2, 3, 8, 12, 4
D, NH, NL, DFF, E, EPS = 16, 2, 2, 32, 24, 1e-6
HEADS = {"shape": 3, "colour": 4}
HP, WP = H // P, W // P
N = HP * WP


def flat(t, digits=9):
    # 9 significant digits round-trip a float32 exactly; 7 keep gradients to 1e-7 relative.
    return [float("%.*g" % (digits, v)) for v in t.detach().reshape(-1).tolist()]


class TorchViT(nn.Module):
    def __init__(self, pool, positions):
        super().__init__()
        self.pool, self.positions = pool, positions
        self.patch = nn.Conv2d(C, D, kernel_size=P, stride=P)
        self.cls = nn.Parameter(torch.zeros(1, 1, D)) if pool == "cls" else None
        T = N + (1 if pool == "cls" else 0)
        if positions == "learned":
            self.pos = nn.Parameter(torch.zeros(T, D))
        else:
            self.row = nn.Parameter(torch.zeros(HP, D))
            self.col = nn.Parameter(torch.zeros(WP, D))
            self.pos_cls = nn.Parameter(torch.zeros(1, D)) if pool == "cls" else None
        layer = nn.TransformerEncoderLayer(D, NH, DFF, dropout=0.0, activation="gelu", layer_norm_eps=EPS,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, NL, norm=nn.LayerNorm(D, eps=EPS), enable_nested_tensor=False)
        self.heads = nn.ModuleDict({k: nn.Linear(D, n) for k, n in HEADS.items()})
        self.proj = nn.Sequential(nn.Linear(D, E), nn.GELU(), nn.Linear(E, E))

    def position_table(self):
        if self.positions == "learned":
            return self.pos
        grid = (self.row[:, None, :] + self.col[None, :, :]).reshape(N, D)  # patches row by row
        return grid if self.pos_cls is None else torch.cat([self.pos_cls, grid], 0)

    def forward(self, x):
        z = self.patch(x).flatten(2).transpose(1, 2)  # (B, N, D), eq. 1
        if self.cls is not None:
            z = torch.cat([self.cls.expand(x.shape[0], 1, D), z], 1)
        z = z + self.position_table()
        feats = self.encoder(z)  # eqs. 2-4 (final LayerNorm included)
        pooled = feats[:, 0] if self.pool == "cls" else feats.mean(1)
        logits = {k: h(pooled) for k, h in self.heads.items()}
        return feats, logits, self.proj(feats)


def ours(name):
    name = name.replace("patch.", "patch_embed.proj.").replace("pos_cls", "pos_embed.cls")
    if name in ("cls",):
        return "cls_token"
    if name in ("pos", "row", "col"):
        return "pos_embed." + {"pos": "weight"}.get(name, name)
    name = name.replace("self_attn.in_proj_", "self_attn.c_attn.").replace("self_attn.out_proj", "self_attn.c_proj")
    name = name.replace("linear1", "mlp.c_fc").replace("linear2", "mlp.c_proj")
    return name.replace("proj.0.", "projector.linear_1.").replace("proj.2.", "projector.linear_2.")


def randomize(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.1)
            elif "norm" in name and p.dim() == 1:
                p.copy_(1 + torch.randn_like(p) * 0.1)
            else:
                p.copy_(torch.randn_like(p) * 0.3)


x0 = torch.randn(B, C, H, W)
labels = {"shape": torch.tensor([0, 2]), "colour": torch.tensor([3, 1])}
base = TorchViT("cls", "learned")
randomize(base)
shared = {n: p for n, p in base.named_parameters() if n not in ("cls", "pos")}
out = {"generator": "scripts/make-vit-fixtures.py", "torch": torch.__version__,
       "config": {"channels": C, "imageHeight": H, "imageWidth": W, "patchSize": P, "dModel": D, "nHead": NH, "nLayer": NL, "dFF": DFF,
                  "normEps": EPS, "heads": HEADS, "projector": {"inFeatures": D, "outFeatures": E, "kind": "mlp"}},
       "x": {"shape": [B, C, H, W], "values": flat(x0)}, "labels": {k: v.tolist() for k, v in labels.items()},
       "params": {ours(n): {"shape": list(p.shape), "values": flat(p)} for n, p in shared.items()}, "cases": {}}

for case, (pool, positions) in {"cls": ("cls", "learned"), "mean_2d": ("mean", "learned-2d")}.items():
    model = base if case == "cls" else TorchViT(pool, positions)
    if model is not base:
        randomize(model)  # its own position (and [CLS]) parameters; then the shared ones copied in
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n in shared:
                    p.copy_(shared[n])
    x = x0.clone().requires_grad_(True)
    feats, logits, projected = model(x)
    loss = sum(F.cross_entropy(logits[k], labels[k]) for k in HEADS) + projected.pow(2).mean()
    loss.backward()
    own = {ours(n): {"shape": list(p.shape), "values": flat(p)} for n, p in model.named_parameters() if n not in shared}
    out["cases"][case] = {
        "config": {"pool": pool, "positions": positions}, "params": own,
        "features": flat(feats), "logits": {k: flat(v) for k, v in logits.items()}, "projected": flat(projected),
        "loss": float(loss), "xGrad": flat(x.grad, 7),
        "grads": {ours(n): flat(p.grad, 7) for n, p in model.named_parameters()},
    }

with open("test/fixtures/vit-golden.json", "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print("wrote test/fixtures/vit-golden.json:", ", ".join(out["cases"]))
