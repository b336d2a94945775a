"""Export an InceptionV3 FID feature extractor to ONNX for `eval ... --fid-model PATH`.

  /usr/bin/python3 training/metrics/export_inception.py --weights pt_inception-2015-12-05-6726825d.pth \
      --out inception-fid.onnx

--weights takes InceptionV3 weights in torchvision's layout (a state dict, or {"state_dict": ...}); the FID
network's weights as pytorch-fid distributes them are such a file. The classifier is skipped, every feature tensor
is required by name and shape. The graph: "image" f32 [N,3,H,W] in [0,1] -> "features" f32 [N,2048], resizing to
--size (299) bilinearly inside, as the FID network does.

For tests: --random SEED writes random weights in the same layout instead, and --reference N --reference-dir DIR
writes PyTorch's features for 2N test images and the Fréchet distance between their two halves (float64).
"""
import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from inception import FidInception, load_strict, random_state_dict

OPSET = 17


def test_images(n: int, size: int, seed: int) -> np.ndarray:
    """uint8 [n,size,size,3]: smooth colour fields with noise, different per image."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, 5, 5, generator=g)
    x = torch.nn.functional.interpolate(coarse, size=(size, size), mode='bicubic', align_corners=False)
    x = x + 0.08 * torch.randn(n, 3, size, size, generator=g)
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def frechet_reference(a: np.ndarray, b: np.ndarray) -> float:
    """|mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2), the trace from the eigenvalues of S1 S2 (float64)."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eig = torch.linalg.eigvals(torch.from_numpy(s1 @ s2)).numpy()
    tr_sqrt = np.sqrt(np.clip(eig.real, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument('--weights')
    source.add_argument('--random', type=int, metavar='SEED')
    ap.add_argument('--out', required=True)
    ap.add_argument('--size', type=int, default=299, help='the resize inside the graph (FID: 299; at least 75)')
    ap.add_argument('--reference', type=int, default=0)
    ap.add_argument('--reference-dir')
    ap.add_argument('--image-size', type=int, default=128, help='side of the reference test images')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.size < 75:
        raise ValueError('--size must be at least 75: InceptionV3 has no features below that')

    model = FidInception(args.size).eval()
    if args.weights:
        sd = torch.load(args.weights, map_location='cpu')
        sd = sd.get('state_dict', sd) if isinstance(sd, dict) else sd
        skipped = load_strict(model.inception, sd)
        print(f'[inception] strict load: all feature tensors match; skipped {len(skipped)} classifier tensors')
    else:
        load_strict(model.inception, random_state_dict(args.random))

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(1, 3, args.image_size, args.image_size)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter('ignore')
        torch.onnx.export(model, (example,), str(out), opset_version=OPSET, input_names=['image'],
                          output_names=['features'], do_constant_folding=True,
                          dynamic_axes={'image': {0: 'N', 2: 'H', 3: 'W'}, 'features': {0: 'N'}})
    print(f'[inception] wrote {out} ({out.stat().st_size / 1e6:.1f} MB)')

    if args.reference > 0:
        ref = Path(args.reference_dir or out.parent / 'reference')
        ref.mkdir(parents=True, exist_ok=True)
        images = test_images(2 * args.reference, args.image_size, seed=77)
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
        with torch.no_grad():
            features = model(x).numpy().astype(np.float32)
        n = args.reference
        distance = frechet_reference(features[:n].astype(np.float64), features[n:].astype(np.float64))
        images.tofile(ref / 'images_u8.bin')
        features.tofile(ref / 'features_f32.bin')
        meta = {'n': 2 * n, 'imageSize': args.image_size, 'dim': int(features.shape[1]), 'frechet': distance,
                'files': {'images_u8': 'images_u8.bin', 'features_f32': 'features_f32.bin'}}
        (ref / 'reference.json').write_text(json.dumps(meta, indent=1) + '\n')
        print(f'[inception] reference: {2 * n} images, Fréchet distance of the halves {distance:.6f}')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (ValueError, FileNotFoundError) as error:
        print(f'export_inception.py: {error}', file=sys.stderr)
        sys.exit(1)
