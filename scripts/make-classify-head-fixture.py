# The classification head's PyTorch reference (test/train/classify-head.test.ts): hidden states
# h (B, T, C), right-padded lengths, a Linear(C -> K) and targets; the logits of the last real
# token of each row, the mean cross-entropy and the gradients of h, W and b. Plain torch.
#   /usr/bin/python3 scripts/make-classify-head-fixture.py
import json, torch

torch.manual_seed(0)
B, T, C, K = 3, 5, 4, 3
h = torch.randn(B, T, C, requires_grad=True)
W = torch.randn(K, C, requires_grad=True)
b = torch.randn(K, requires_grad=True)
lengths = [5, 2, 3]
targets = [2, 0, 1]
last = h[torch.arange(B), torch.tensor(lengths) - 1]  # (B, C)
logits = last @ W.T + b  # (B, K)
loss = torch.nn.functional.cross_entropy(logits, torch.tensor(targets))
loss.backward()
flat = lambda t: t.detach().reshape(-1).tolist()
out = dict(B=B, T=T, C=C, K=K, lengths=lengths, targets=targets, h=flat(h), W=flat(W), b=flat(b),
           logits=flat(logits), loss=loss.item(), dh=flat(h.grad), dW=flat(W.grad), db=flat(b.grad))
json.dump(out, open('test/fixtures/classify/head.json', 'w'))
print('wrote test/fixtures/classify/head.json', loss.item())
