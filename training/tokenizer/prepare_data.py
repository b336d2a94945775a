"""Pre-decode /work/shared/data/train into a uint8 cache under $V2L_RUNS/data.

Output (all uint8 RGB, HWC):
  pixels.npy  flat buffer of every training item
  index.npy   int64 [K, 4]: offset, height, width, source id
  sources.json  per-source names, item counts
  heldout.npy uint8 [M, 128, 128, 3] held-out TRAIN images at the paper's view, bicubic (monitoring only)
  heldout.json  their paths
Items: imagenette-144 and imagenet-samples-160 at native size; bsds500 (train+test) and sun-hays80 at
native size plus downscaled copies (short side 144 and 2x that) so that their statistics also resemble the
128-px evaluation view. Every 50th image of the sorted imagenette+imagenet-samples list is held out.
Never reads the eval sets.
"""
import json
import sys

import numpy as np
from PIL import Image

from common import RUNS, SHARED, list_images, paper_view

TRAIN = SHARED / 'data' / 'train'


def load(path):
    return Image.open(path).convert('RGB')


def short_side(im, s):
    w, h = im.size
    f = s / min(w, h)
    return im.resize((max(s, round(w * f)), max(s, round(h * f))), Image.BICUBIC, reducing_gap=None)


def main():
    out = RUNS / 'data'
    out.mkdir(parents=True, exist_ok=True)
    small = list_images(TRAIN / 'imagenette-144') + list_images(TRAIN / 'imagenet-samples-160')
    big = {'bsds500': list_images(TRAIN / 'bsds500'), 'sun-hays80': list_images(TRAIN / 'sun-hays80')}
    held = small[::50]
    held_set = set(held)
    items, index, off = [], [], 0
    names = ['imagenette-144', 'imagenet-samples-160', 'bsds500', 'sun-hays80']

    def add(arr, src):
        nonlocal off
        items.append(arr.reshape(-1))
        index.append((off, arr.shape[0], arr.shape[1], src))
        off += arr.size

    for p in small:
        if p in held_set:
            continue
        src = 0 if 'imagenette-144' in p.parts else 1
        add(np.asarray(load(p), dtype=np.uint8), src)
    for name, paths in big.items():
        src = names.index(name)
        for p in paths:
            im = load(p)
            add(np.asarray(im, dtype=np.uint8), src)
            for s in (144, 288):
                if s < min(im.size):
                    add(np.asarray(short_side(im, s), dtype=np.uint8), src)
    pixels = np.concatenate(items)
    index = np.asarray(index, dtype=np.int64)
    np.save(out / 'pixels.npy', pixels)
    np.save(out / 'index.npy', index)
    heldout = np.stack([paper_view(p, resample='bicubic') for p in held])
    np.save(out / 'heldout.npy', heldout)
    counts = {n: int((index[:, 3] == i).sum()) for i, n in enumerate(names)}
    with open(out / 'sources.json', 'w') as f:
        json.dump({'names': names, 'items': counts, 'pixels_bytes': int(pixels.size)}, f, indent=1)
    with open(out / 'heldout.json', 'w') as f:
        json.dump([str(p.relative_to(TRAIN)) for p in held], f, indent=0)
    print(f'{len(index)} items ({pixels.size / 1e6:.0f} MB), held out {len(held)}: {counts}', file=sys.stderr)


if __name__ == '__main__':
    main()
