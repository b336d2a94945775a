"""Export a trained checkpoint as a V2L model pack (encoder+quantiser ONNX, decoder ONNX, manifest.json).

  /usr/bin/python3 export_onnx.py CKPT OUT_DIR [--name NAME] [--metrics JSON_FILE] [--weights ema|model]

encoder.onnx: "image" float32 [N,3,128,128] in [-1,1] -> "ids" int64 [N,16,16] (LLaMA-2 ids 259..31999).
  The nearest-neighbour search is inside the graph: MatMul with the stored (-2 x projected codebook)^T,
  + precomputed codebook squared norms, ArgMin, + 259.
decoder.onnx: "ids" int64 [N,16,16] -> "image" float32 [N,3,128,128] in [-1,1] (Gather from the projected codebook).
Also writes reference/ (inputs, PyTorch ids and images for a few sample images) for verify_onnx.mjs.
"""
import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import (FIRST_USABLE_ID, GRID, IMAGE_SIZE, SHARED, VOCAB_SIZE, list_images, load_vocab,
                    paper_view, sha256_file, to_tensor_range)
from eval_recon import load_model

OPSET = 17


class EncoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.encoder = model.encoder
        with torch.no_grad():
            cb = model.quant.projected().float()
        self.register_buffer('neg2_cb_t', (-2.0 * cb).t().contiguous())
        self.register_buffer('cb_norm', (cb * cb).sum(1))

    def forward(self, image):
        z = F.normalize(self.encoder(image), dim=1)
        n, d = z.shape[0], z.shape[1]
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        dist = flat @ self.neg2_cb_t + self.cb_norm
        idx = torch.argmin(dist, dim=1) + FIRST_USABLE_ID
        return idx.reshape(n, GRID, GRID)


class DecoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder
        with torch.no_grad():
            cb = model.quant.projected().float()
        full = torch.zeros(VOCAB_SIZE, cb.shape[1])
        full[FIRST_USABLE_ID:] = cb
        self.register_buffer('table', full)

    def forward(self, ids):
        zq = F.embedding(ids, self.table).permute(0, 3, 1, 2)
        return self.decoder(zq).clamp(-1.0, 1.0)


def export(module, example, path, in_name, out_name):
    torch.onnx.export(module, example, str(path), opset_version=OPSET, input_names=[in_name],
                      output_names=[out_name], dynamic_axes={in_name: {0: 'N'}, out_name: {0: 'N'}},
                      do_constant_folding=True)
    m = onnx.load(str(path))
    onnx.checker.check_model(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ckpt')
    ap.add_argument('out')
    ap.add_argument('--name', default='v2l-llama2-local-128')
    ap.add_argument('--weights', default='ema')
    ap.add_argument('--metrics', default=None, help='JSON file with measured metrics to put in the manifest')
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model, ck = load_model(args.ckpt, args.weights)
    pieces, vocab_sha = load_vocab()
    enc, dec = EncoderGraph(model).eval(), DecoderGraph(model).eval()
    x = torch.zeros(2, 3, IMAGE_SIZE, IMAGE_SIZE)
    with torch.no_grad():
        export(enc, x, out / 'encoder.onnx', 'image', 'ids')
        ids = torch.full((2, GRID, GRID), FIRST_USABLE_ID, dtype=torch.long)
        export(dec, ids, out / 'decoder.onnx', 'ids', 'image')

    # reference data for verify_onnx.mjs: a few sample images at the paper's view
    ref = out / 'reference'
    ref.mkdir(exist_ok=True)
    paths = list_images(SHARED / 'data' / 'samples')[:6]
    imgs = np.concatenate([to_tensor_range(paper_view(p)) for p in paths]).astype(np.float32)
    with torch.no_grad():
        rid = enc(torch.from_numpy(imgs))
        rimg = dec(rid)
        assert torch.equal(rid, model.encode(torch.from_numpy(imgs))), 'export wrapper ids differ from the model'
    imgs.tofile(ref / 'input.f32')
    rid.numpy().astype(np.int64).tofile(ref / 'ids.i64')
    rimg.numpy().astype(np.float32).tofile(ref / 'image.f32')
    with open(ref / 'reference.json', 'w') as f:
        json.dump({'n': len(paths), 'files': [p.name for p in paths], 'input': 'input.f32', 'ids': 'ids.i64',
                   'image': 'image.f32'}, f, indent=1)

    st = ck['state']
    cb_path = Path(ck['args']['codebook'])
    cb_meta = json.load(open(cb_path.parent / 'codebook.json'))
    metrics = json.load(open(args.metrics)) if args.metrics else {}
    files = {}
    for role, fn in (('encoder', 'encoder.onnx'), ('decoder', 'decoder.onnx')):
        files[role] = {'path': fn, 'sha256': sha256_file(out / fn), 'bytes': (out / fn).stat().st_size}
    nparams = {k: sum(p.numel() for p in getattr(model, k).parameters()) for k in ('encoder', 'decoder', 'quant')}
    manifest = {
        'format': 'v2l-pack',
        'formatVersion': 1,
        'name': args.name,
        'imageSize': IMAGE_SIZE,
        'grid': GRID,
        'vocabulary': {'name': 'llama2-32000', 'size': VOCAB_SIZE, 'sha256': vocab_sha,
                       'hashOf': 'UTF-8 of the 32,000 pieces (index = id) joined by "\\n"',
                       'source': 'llama-tokenizer-js@1.2.2', 'producedIds': [FIRST_USABLE_ID, VOCAB_SIZE - 1]},
        'files': files,
        'io': {
            'encoder': {'input': {'name': 'image', 'dtype': 'float32', 'shape': ['N', 3, IMAGE_SIZE, IMAGE_SIZE],
                                  'layout': 'NCHW RGB', 'range': [-1, 1]},
                        'output': {'name': 'ids', 'dtype': 'int64', 'shape': ['N', GRID, GRID], 'order': 'row-major'}},
            'decoder': {'input': {'name': 'ids', 'dtype': 'int64', 'shape': ['N', GRID, GRID]},
                        'output': {'name': 'image', 'dtype': 'float32', 'shape': ['N', 3, IMAGE_SIZE, IMAGE_SIZE],
                                   'layout': 'NCHW RGB', 'range': [-1, 1]}},
        },
        'preprocess': {'resize': 'short side to 128, bicubic with antialiasing', 'crop': 'centre 128x128',
                       'scale': 'x / 127.5 - 1'},
        'opset': OPSET,
        'codebook': {'file': cb_meta['file'], 'sha256': cb_meta['sha256'], 'shape': cb_meta['shape'],
                     'procedure': 'PPMI+SVD of LLaMA-2 piece co-occurrence in 56 MB of English text, blended with a '
                                  'character n-gram model for rare pieces, plus a hashed n-gram form block; fixed; '
                                  'see training/tokenizer/README.md',
                     'lookupDim': int(model.quant.proj.out_features)},
        'training': {
            'data': 'shared/data/train (imagenette-144, imagenet-samples-160, bsds500 train+test, sun-hays80); '
                    'random crops + flips; eval sets never used',
            'arch': ck['arch'], 'parameters': nparams,
            'imageEquivalents': round(st['img_eq']), 'crops': st['crops'], 'steps': st['step'],
            'wallSeconds': round(st['wall']), 'hardware': ck['args'].get('hardware', 'CPU, 1 thread (AMD EPYC)'),
            'losses': f"L1 + {ck['args']['mse']} MSE + {ck['args']['commit']} commitment"
                      + (f" + {ck['args']['grad']} gradient-L1" if ck['args'].get('grad') else ''),
            'weights': args.weights,
            'exportedAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        },
        'metrics': metrics,
    }
    with open(out / 'manifest.json', 'w') as f:
        json.dump(manifest, f, indent=2)
    total = sum(v['bytes'] for v in files.values())
    print(json.dumps({'out': str(out), 'bytes': total, 'files': files}))


if __name__ == '__main__':
    main()
