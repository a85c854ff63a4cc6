#!/usr/bin/python3
"""safetensors fixtures for test/io, with values made by PyTorch (Debian's python3-torch).

The `safetensors` Python package is not needed: the file is written by hand from the format
spec (u64 little-endian header length N, N bytes of space-padded JSON, then the tensor bytes),
with each tensor's bytes taken from torch itself. Writes
  test/fixtures/safetensors/dtypes.safetensors  F16, BF16, F64 and F32 tensors: special values
      (subnormals, +-inf, nan, -0, max, min normal) and random bit patterns
  test/fixtures/safetensors/dtypes.json  what torch's .float() makes of each tensor, as float32
      bit patterns (uint32), so -0 and every payload compare exactly
Run from the repo root:  /usr/bin/python3 scripts/make-safetensors-fixtures.py
"""
import json
import struct
import torch

torch.manual_seed(0)
OUT = "test/fixtures/safetensors/"


def bits16(values, dtype):
    return torch.tensor(values, dtype=torch.int32).to(torch.int16).view(dtype)


# Specials by bit pattern: +-0, smallest/largest subnormal, smallest normal, 1, max, +-inf, nans.
half_special = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF,
                0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7C01, 0x7FFF]
bf16_special = [0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080, 0x3F80, 0xBF80, 0x3EAB, 0x7F7F,
                0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0x7FFF]
signed = lambda b: b - 0x10000 if b >= 0x8000 else b
rand_bits = lambda n: torch.randint(-32768, 32768, (n,), dtype=torch.int32).tolist()

tensors = {
    "half.special": bits16([signed(b) for b in half_special], torch.float16),
    "half.random": bits16(rand_bits(2 * 3 * 64), torch.float16).reshape(2, 3, 64),
    "bf16.special": bits16([signed(b) for b in bf16_special], torch.bfloat16),
    "bf16.random": bits16(rand_bits(384), torch.bfloat16).reshape(6, 64),
    "f64.values": torch.tensor([0.0, -0.0, 1.0 / 3.0, -2.5e-40, 1e-320, 3.5e38, 1e300, -1e300,
                                float("inf"), float("nan"), 123456789.123456789], dtype=torch.float64),
    "f32.values": torch.randn(3, 5),
    "f32.scalar": torch.tensor(7.25),
    "f32.empty": torch.zeros(0, 4),
}
SAFETENSORS_DTYPE = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.float32: "F32"}


def raw_bytes(t):
    # Reinterpret as integers of the same width, then pack little-endian: the on-disk bytes.
    width = t.element_size()
    ints = t.contiguous().reshape(-1).view({2: torch.int16, 4: torch.int32, 8: torch.int64}[width]).tolist()
    return struct.pack("<" + {2: "h", 4: "i", 8: "q"}[width] * len(ints), *ints)


# The reference writer's order is free; use a mixed one (not sorted) to show readers sort by offset.
order = ["f32.values", "half.special", "bf16.random", "f64.values", "half.random", "f32.empty",
         "bf16.special", "f32.scalar"]
header = {"__metadata__": {"format": "pt", "made_by": "scripts/make-safetensors-fixtures.py"}}
data = b""
for name in order:
    t = tensors[name]
    b = raw_bytes(t)
    header[name] = {"dtype": SAFETENSORS_DTYPE[t.dtype], "shape": list(t.shape),
                    "data_offsets": [len(data), len(data) + len(b)]}
    data += b
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(OUT + "dtypes.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)

expected = {}
for name, t in tensors.items():
    f32 = t.float().contiguous().reshape(-1)
    expected[name] = {"shape": list(t.shape), "bits": [b & 0xFFFFFFFF for b in f32.view(torch.int32).tolist()]}
with open(OUT + "dtypes.json", "w") as f:
    json.dump({"torch": torch.__version__, "metadata": header["__metadata__"], "tensors": expected}, f)
    f.write("\n")
print("wrote", OUT + "dtypes.safetensors", len(text) + 8 + len(data), "bytes")
