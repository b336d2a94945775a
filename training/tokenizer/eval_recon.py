"""Quick reconstruction check of a checkpoint (PyTorch) on the first N images of a folder at the paper's view.

  /usr/bin/python3 eval_recon.py CKPT [--data DIR] [--limit 100] [--weights ema|model]
Default folder: /work/shared/data/eval/imagenet-val-dev/images (reporting only; never used for training).
"""
import argparse
import json
import time

import numpy as np
import torch

from common import SHARED, list_images, paper_view, psnr, psnr_y, to_tensor_range, to_uint8
from model import Tokenizer


def load_model(ckpt_path, weights='ema'):
    ck = torch.load(ckpt_path, map_location='cpu')
    cb_path = ck['args']['codebook']
    model = Tokenizer(np.load(cb_path).astype(np.float32), **ck['arch'])
    model.load_state_dict(ck[weights])
    model.eval()
    return model, ck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ckpt')
    ap.add_argument('--data', default=str(SHARED / 'data' / 'eval' / 'imagenet-val-dev' / 'images'))
    ap.add_argument('--limit', type=int, default=100)
    ap.add_argument('--weights', default='ema')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, ck = load_model(args.ckpt, args.weights)
    paths = list_images(args.data)[:args.limit]
    ps, pys, ids_all = [], [], []
    t_model = 0.0
    with torch.no_grad():
        for p in paths:
            img = paper_view(p)
            x = torch.from_numpy(to_tensor_range(img))
            t0 = time.time()
            ids = model.encode(x)
            y = model.decode(ids)
            t_model += time.time() - t0
            rec = to_uint8(y.numpy())[0]
            ps.append(psnr(img, rec))
            pys.append(psnr_y(img, rec))
            ids_all.append(ids.numpy().ravel())
    st = ck.get('state', {})
    print(json.dumps({'ckpt': str(args.ckpt), 'img_eq': round(st.get('img_eq', 0)), 'data': args.data,
                      'images': len(paths), 'psnr': round(float(np.mean(ps)), 3),
                      'psnr_y': round(float(np.mean(pys)), 3),
                      'distinct_tokens': int(np.unique(np.concatenate(ids_all)).size),
                      'seconds_per_image_torch': round(t_model / len(paths), 4)}))


if __name__ == '__main__':
    main()
