#!/usr/bin/python3
"""PNG and PPM fixtures for src/vision/png.ts and ppm.ts, and bilinear-resize goldens from PyTorch.

The PNGs are written here by hand (struct + zlib, www.w3.org/TR/png-3/), not by the codec under
test: one file per colour type and bit depth, rows filtered with None, Sub and Up in turn, odd
widths so sub-byte rows end mid-byte. expected.json holds each file's 8-bit RGB, computed here
by the documented rules:
  - samples scale to 8 bits as round(v * 255 / maxval) (half up);
  - alpha a = alpha / maxval composites on white: round(c8 * a + 255 * (1 - a));
  - a tRNS colour key (grayscale/RGB) makes that exact colour fully transparent (so white).
Where Pillow is installed, its reading of the files without alpha or 16-bit samples must agree.
resize-golden.json holds F.interpolate(mode='bilinear', align_corners=False) on small inputs.
Writes test/fixtures/vision/. Run: /usr/bin/python3 scripts/make-png-fixtures.py
"""
import json
import math
import os
import struct
import zlib

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'vision')
W, H = 5, 3


def byte(v):
    return 0 if v <= 0 else 255 if v >= 255 else int(math.floor(v + 0.5))


def scale(v, maxval):
    return v if maxval == 255 else byte(v * 255 / maxval)


def over_white(c, a):
    return byte(c * a + 255 * (1 - a))


def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """Samples of one row as bytes: big-endian 16-bit, bytes, or packed 1/2/4-bit (MSB first)."""
    if depth == 16:
        return b''.join(struct.pack('>H', s) for s in samples)
    if depth == 8:
        return bytes(samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def filter_rows(rows, bpp):
    """Row y uses filter y % 3: None, Sub (x - left) or Up (x - above), all mod 256."""
    out, prev = bytearray(), bytes(len(rows[0]))
    for y, row in enumerate(rows):
        f = y % 3
        out.append(f)
        for i, b in enumerate(row):
            pred = 0 if f == 0 else (row[i - bpp] if i >= bpp else 0) if f == 1 else prev[i]
            out.append((b - pred) & 0xFF)
        prev = row
    return bytes(out)


def png(color_type, depth, rows, plte=None, trns=None):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, channels * depth // 8)
    packed = [pack_row(r, depth) for r in rows]
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, depth, color_type, 0, 0, 0))
    if plte is not None:
        data += chunk(b'PLTE', b''.join(bytes(c) for c in plte))
    if trns is not None:
        data += chunk(b'tRNS', trns)
    return data + chunk(b'IDAT', zlib.compress(filter_rows(packed, bpp))) + chunk(b'IEND', b'')


def pixels(fn):
    return [[fn(x, y) for x in range(W)] for y in range(H)]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {}

    def add(name, data, rgb):
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        cases[name] = [v for row in rgb for px in row for v in px]

    # Grayscale at every depth; the 8-bit one also carries a tRNS key (value 40 is transparent).
    for depth in (1, 2, 4, 8, 16):
        m = (1 << depth) - 1
        g = pixels(lambda x, y: (x * 7 + y * 3) % (m + 1) if depth < 8 else (x * 53 + y * 91) * (m // 255) % (m + 1))
        rows = [list(r) for r in g]
        add(f'gray{depth}.png', png(0, depth, rows), [[[scale(v, m)] * 3 for v in r] for r in g])
    g = pixels(lambda x, y: 40 if (x + y) % 2 == 0 else x * 30 + y)
    add('gray8-trns.png', png(0, 8, g, trns=struct.pack('>H', 40)),
        [[[255] * 3 if v == 40 else [v] * 3 for v in r] for r in g])
    # RGB 8 and 16 bit.
    for depth in (8, 16):
        m = (1 << depth) - 1
        p = pixels(lambda x, y: [(x * 61 + y * 17) * m // 300 % (m + 1), (y * 97 + 5) * m // 255 % (m + 1), (x * y * 29) % (m + 1)])
        add(f'rgb{depth}.png', png(2, depth, [[s for px in r for s in px] for r in p]),
            [[[scale(s, m) for s in px] for px in r] for r in p])
    # Palette, 4-bit indices, tRNS alpha on the first three entries.
    plte = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (250, 200, 10), (10, 20, 30), (128, 128, 128)]
    alpha = [0, 128, 200]
    idx = pixels(lambda x, y: (x + 2 * y) % len(plte))

    def pal(i):
        c = plte[i]
        return [over_white(v, alpha[i] / 255) for v in c] if i < len(alpha) else list(c)
    add('palette4-trns.png', png(3, 4, idx, plte=plte, trns=bytes(alpha)), [[pal(i) for i in r] for r in idx])
    add('palette8.png', png(3, 8, idx, plte=plte), [[list(plte[i]) for i in r] for r in idx])
    # Grayscale + alpha and RGBA, 8 and 16 bit.
    for depth in (8, 16):
        m = (1 << depth) - 1
        ga = pixels(lambda x, y: [(x * 50 + y * 20) * m // 255, (x * 60 + y * 37) % 256 * m // 255])
        add(f'gray-alpha{depth}.png', png(4, depth, [[s for px in r for s in px] for r in ga]),
            [[[over_white(scale(g, m), a / m)] * 3 for g, a in r] for r in ga])
        rgba = pixels(lambda x, y: [(x * 50) * m // 255, (y * 120) * m // 255, (x * y * 20) * m // 255,
                                    ((x + 1) * (y + 2) * 21) % 256 * m // 255])
        add(f'rgba{depth}.png', png(6, depth, [[s for px in r for s in px] for r in rgba]),
            [[[over_white(scale(c, m), px[3] / m) for c in px[:3]] for px in r] for r in rgba])

    # PPM: P6 8-bit, P6 16-bit, P3 with comments and maxval 15.
    p = pixels(lambda x, y: [x * 50, y * 100, (x * y * 37) % 256])
    add('rgb8.ppm', f'P6\n# a comment\n{W} {H}\n255\n'.encode() + bytes(s for r in p for px in r for s in px), p)
    p16 = pixels(lambda x, y: [x * 13000, y * 30000 + 7, (x * y * 9001) % 65536])
    add('rgb16.ppm', f'P6 {W} {H} 65535\n'.encode() + b''.join(struct.pack('>H', s) for r in p16 for px in r for s in px),
        [[[scale(s, 65535) for s in px] for px in r] for r in p16])
    p15 = pixels(lambda x, y: [x * 3, y * 7, (x + y) % 16])
    text = f'P3\n# maxval 15\n{W} {H}\n# pixels follow\n15\n' + '\n'.join(
        ' '.join(str(s) for px in r for s in px) for r in p15) + '\n'
    add('ascii15.ppm', text.encode(), [[[scale(s, 15) for s in px] for px in r] for r in p15])

    # A second opinion where Pillow is installed: its RGB for the files without alpha or 16 bits.
    try:
        from PIL import Image
    except ImportError:
        print('Pillow is not installed: skipping the cross-check')
    else:
        plain = ['gray1.png', 'gray2.png', 'gray4.png', 'gray8.png', 'rgb8.png', 'palette8.png', 'rgb8.ppm',
                 'ascii15.ppm']
        for name in plain:
            with Image.open(os.path.join(OUT, name)) as im:
                rgb = [v for px in im.convert('RGB').getdata() for v in px]
            assert rgb == cases[name], f'Pillow reads {name} differently'
        print(f"Pillow agrees on {len(plain)} files")

    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump({'width': W, 'height': H, 'rgb': cases}, f, indent=1)

    # Bilinear resize goldens: (H, W, 3) integer samples in, float samples out.
    g = torch.Generator().manual_seed(0)
    resize = []
    for (h, w), (oh, ow) in [((4, 6), (7, 11)), ((6, 5), (3, 2)), ((5, 7), (5, 3)), ((3, 3), (8, 8))]:
        x = torch.randint(0, 256, (1, 3, h, w), generator=g).float()
        y = F.interpolate(x, size=(oh, ow), mode='bilinear', align_corners=False)
        resize.append({'in': [h, w], 'out': [oh, ow],
                       'x': x[0].permute(1, 2, 0).flatten().tolist(),
                       'y': y[0].permute(1, 2, 0).flatten().tolist()})
    with open(os.path.join(OUT, 'resize-golden.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': resize}, f)
    print(f'wrote {len(cases)} image fixtures and {len(resize)} resize cases to {os.path.normpath(OUT)}')


main()
