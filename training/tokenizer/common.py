"""Shared code of the V2L tokenizer training scripts (paths, image views, metrics)."""
import hashlib
import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get('V2L_SHARED', REPO.parent / 'shared'))
RUNS = Path(os.environ.get('V2L_RUNS', Path.home() / '.cache' / 'v2l-training' / 'tokenizer'))
IMAGE_SIZE = 128
GRID = 16
VOCAB_SIZE = 32000
FIRST_USABLE_ID = 259  # 0-2 special, 3-258 byte-fallback pieces: never produced


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        while True:
            b = f.read(chunk)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def load_vocab():
    with open(RUNS / 'vocab.json', encoding='utf-8') as f:
        v = json.load(f)
    pieces = v['pieces']
    assert len(pieces) == VOCAB_SIZE
    sha = hashlib.sha256('\n'.join(pieces).encode('utf-8')).hexdigest()
    assert sha == v['sha256'], 'vocabulary hash mismatch'
    return pieces, sha


def paper_view(path, size=IMAGE_SIZE, resample='lanczos'):
    """The paper's evaluation view: short side resized to `size` (antialiased), centre crop (rounded down).
    Lanczos-3 is what the app's engine uses (src-main/engine/image/resample.ts, Pillow's scheme), so PSNR here
    matches `npm run v2l -- eval reconstruction`; the held-out training cache was built with 'bicubic'."""
    im = Image.open(path).convert('RGB')
    w, h = im.size
    s = size / min(w, h)
    nw, nh = max(size, round(w * s)), max(size, round(h * s))
    im = im.resize((nw, nh), {'lanczos': Image.LANCZOS, 'bicubic': Image.BICUBIC}[resample], reducing_gap=None)
    left, top = (nw - size) // 2, (nh - size) // 2
    return np.asarray(im.crop((left, top, left + size, top + size)), dtype=np.uint8)


def to_tensor_range(arr_uint8):
    """uint8 HWC (or NHWC) -> float32 NCHW in [-1, 1] (numpy)."""
    a = arr_uint8.astype(np.float32) / 127.5 - 1.0
    if a.ndim == 3:
        a = a[None]
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def to_uint8(x):
    """float NCHW in [-1, 1] (numpy) -> uint8 NHWC, rounded."""
    a = (np.clip(x, -1, 1) + 1.0) * 127.5
    return np.clip(np.rint(a), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)


def psnr(a_uint8, b_uint8):
    mse = np.mean((a_uint8.astype(np.float64) - b_uint8.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def y_channel(a_uint8):
    """ITU-R BT.601 luma in [16, 235] as used by the usual restoration PSNR-Y."""
    a = a_uint8.astype(np.float64)
    return 16.0 + (65.481 * a[..., 0] + 128.553 * a[..., 1] + 24.966 * a[..., 2]) / 255.0


def psnr_y(a_uint8, b_uint8):
    mse = np.mean((y_channel(a_uint8) - y_channel(b_uint8)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def list_images(folder):
    exts = {'.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff'}
    return sorted(p for p in Path(folder).rglob('*') if p.suffix.lower() in exts)
