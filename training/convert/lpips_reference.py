"""A stand-in for a pack's LPIPS network, for tests: random weights in the released checkpoint's LPIPS layout,
exported exactly as convert.py exports it, with PyTorch's distances for test image pairs.

  /usr/bin/python3 training/convert/lpips_reference.py OUT_DIR [--seed S] [--pairs N] [--size PX]

OUT_DIR gets lpips.onnx, a manifest.json holding only its `files.lpips` and `io.lpips` entries (what the studio
reads to find the network), and reference/ with the image pairs (uint8 [2N,PX,PX,3], first the N left images) and
the N distances (float32).
"""
import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from convert import LPIPS_IO, export_lpips, sample_images
from v2l_modules import CI, PerceptualNet, random_state_dict


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--pairs', type=int, default=3)
    ap.add_argument('--size', type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    (out / 'reference').mkdir(parents=True, exist_ok=True)

    prefix = 'perceptual_loss.'
    weights = {k[len(prefix):]: v for k, v in random_state_dict(CI, args.seed).items() if k.startswith(prefix)}
    net = PerceptualNet()
    net.load_state_dict(weights, strict=True)
    net.eval()
    onnx_file = out / 'lpips.onnx'
    export_lpips(net, onnx_file, args.size)

    # Pairs: test pictures against the same pictures noised (close) and against other pictures (far).
    images = sample_images(2 * args.pairs, seed=args.seed + 99)[:, :args.size, :args.size]
    left = images[:args.pairs]
    right = images[args.pairs:].copy()
    right[0] = np.clip(left[0].astype(np.int16) + np.random.default_rng(args.seed).integers(-12, 13, left[0].shape),
                       0, 255).astype(np.uint8)
    to_input = lambda u8: torch.from_numpy(np.ascontiguousarray(u8)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    with torch.no_grad():
        distances = net(to_input(left), to_input(right)).numpy().astype(np.float32)
    np.concatenate([left, right]).tofile(out / 'reference' / 'pairs_u8.bin')
    distances.tofile(out / 'reference' / 'lpips_f32.bin')
    (out / 'reference' / 'reference.json').write_text(json.dumps({'pairs': args.pairs, 'size': args.size}) + '\n')

    digest = hashlib.sha256(onnx_file.read_bytes()).hexdigest()
    manifest = {'files': {'lpips': {'path': onnx_file.name, 'sha256': digest, 'bytes': onnx_file.stat().st_size}},
                'io': {'lpips': LPIPS_IO}}
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=1) + '\n')
    print(json.dumps({'pairs': args.pairs, 'distances': distances.tolist()}))


if __name__ == '__main__':
    main()
