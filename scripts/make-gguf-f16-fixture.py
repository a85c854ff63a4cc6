"""Golden float32 -> float16 conversions made by NumPy (IEEE 754 round to nearest, ties to even),
for test/io/gguf-quants.test.ts. Writes test/fixtures/gguf/f16.json:
  encode: [[float32 bits, float16 bits], ...] for edge cases and random values of every magnitude
  decode: [[float16 bits, float32 bits], ...] for every 29th finite float16 bit pattern
Run: python3 scripts/make-gguf-f16-fixture.py
"""
import json
import os

import numpy as np

rng = np.random.default_rng(16)
edges = [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, -65520.0, 1e9, np.inf, -np.inf,
         2.0**-14, 2.0**-24, 2.0**-25, 1.5 * 2.0**-25, 3 * 2.0**-25, 2.0**-26, 1e-10,
         1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-11 + 2.0**-20, 2049.0, 2051.0, 0.1, 1 / 3]
# Random values spread over every binade from subnormal to overflow, both signs.
rand = (rng.choice([-1, 1], 1500) * 2.0 ** rng.uniform(-27, 17, 1500)).tolist()
# Exact ties between neighbouring float16 values (round-half-to-even decides them).
h = np.arange(0, 0x7BFF, 97, dtype=np.uint16).view(np.float16).astype(np.float64)
ties = ((h + np.nextafter(h.astype(np.float16), np.float16(np.inf)).astype(np.float64)) / 2).tolist()
xs = np.array(edges + rand + ties, dtype=np.float32)
encode = [[int(a), int(b)] for a, b in zip(xs.view(np.uint32), xs.astype(np.float16).view(np.uint16))]
bits = np.arange(0, 0x10000, 29, dtype=np.uint32).astype(np.uint16)
finite = bits[np.isfinite(bits.view(np.float16))]
decode = [[int(a), int(b)] for a, b in zip(finite, finite.view(np.float16).astype(np.float32).view(np.uint32))]
out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'gguf', 'f16.json')
with open(out, 'w') as f:
    json.dump({'numpy': np.__version__, 'encode': encode, 'decode': decode}, f, separators=(',', ':'))
print(f'wrote {out}: {len(encode)} encodings, {len(decode)} decodings')
