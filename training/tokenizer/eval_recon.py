"""Quick reconstruction check of a checkpoint (PyTorch) at the paper's view (short side 128 bicubic, centre crop).

  /usr/bin/python3 eval_recon.py CKPT [--sets dev,kodak24,bsd100 | --data DIR] [--limit N] [--weights ema|model]
                                      [--out metrics.json]
Sets: dev = eval/imagenet-val-dev/images, kodak24, bsd100 (reporting only; never used for training).
Prints one JSON line per set: images, psnr (RGB), psnr_y (BT.601 Y), distinct_tokens, seconds_per_image_torch.
"""
import argparse
import json
import time

import numpy as np
import torch

from common import SHARED, list_images, paper_view, psnr, psnr_y, to_tensor_range, to_uint8
from model import Tokenizer

SETS = {'dev': 'imagenet-val-dev/images', 'kodak24': 'kodak24', 'bsd100': 'bsd100'}


def load_model(ckpt_path, weights='ema'):
    ck = torch.load(ckpt_path, map_location='cpu')
    cb_path = ck['args']['codebook']
    model = Tokenizer(np.load(cb_path).astype(np.float32), **ck['arch'])
    model.load_state_dict(ck[weights])
    model.eval()
    return model, ck


def evaluate_folder(model, folder, limit):
    paths = list_images(folder)[:limit] if limit else list_images(folder)
    ps, pys, ids_all = [], [], []
    t_model = 0.0
    with torch.no_grad():
        for p in paths:
            img = paper_view(p)
            x = torch.from_numpy(to_tensor_range(img))
            t0 = time.time()
            ids = model.encode(x)
            y = model.decode(ids).clamp(-1, 1)
            t_model += time.time() - t0
            rec = to_uint8(y.numpy())[0]
            ps.append(psnr(img, rec))
            pys.append(psnr_y(img, rec))
            ids_all.append(ids.numpy().ravel())
    return {'images': len(paths), 'psnr': round(float(np.mean(ps)), 3), 'psnr_y': round(float(np.mean(pys)), 3),
            'distinct_tokens': int(np.unique(np.concatenate(ids_all)).size),
            'seconds_per_image_torch': round(t_model / len(paths), 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ckpt')
    ap.add_argument('--sets', default='dev')
    ap.add_argument('--data', default=None, help='a folder instead of --sets')
    ap.add_argument('--limit', type=int, default=100, help='first N images per set (0 = all)')
    ap.add_argument('--weights', default='ema')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=None, help='write {set: result} JSON here')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, ck = load_model(args.ckpt, args.weights)
    folders = {'data': args.data} if args.data else {s: str(SHARED / 'data' / 'eval' / SETS[s])
                                                      for s in args.sets.split(',')}
    st = ck.get('state', {})
    results = {}
    for name, folder in folders.items():
        r = evaluate_folder(model, folder, args.limit)
        results[name] = r
        print(json.dumps({'set': name, 'ckpt': str(args.ckpt), 'img_eq': round(st.get('img_eq', 0)), **r}),
              flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump({'img_eq': round(st.get('img_eq', 0)), 'view': 'short side 128 bicubic antialiased, centre crop',
                       'weights': args.weights, 'sets': results}, f, indent=1)


if __name__ == '__main__':
    main()
