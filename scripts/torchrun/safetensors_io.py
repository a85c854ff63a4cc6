"""The safetensors format, read and written in plain Python (for when the `safetensors` package
is not installed): [u64 little-endian header length][JSON header][tensor bytes], the header
mapping each name to {dtype, shape, data_offsets: [begin, end]} relative to the end of the header.
Spec: https://github.com/huggingface/safetensors#format
"""
import json
import os
import struct

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100 * 2**20


def read_safetensors(path):
    """{name: tensor} of a .safetensors file; a damaged file raises ValueError naming the problem."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes is too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER or 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(raw)} bytes)")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = memoryview(raw)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, this reader knows {sorted(DTYPES)}")
        dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        width = torch.empty(0, dtype=dtype).element_size()
        if not (0 <= begin <= end <= len(data)) or end - begin != count * width:
            raise ValueError(f"{path}: {name}'s data_offsets [{begin}, {end}] do not fit its shape and dtype")
        if count == 0:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
            continue
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (contiguous, little-endian, as torch stores them on x86/ARM) to `path`."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        blob = t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        span = [offset, offset + len(blob)]
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": span}
        chunks.append(blob)
        offset += len(blob)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in chunks:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
