"""Convert the released V2L tokenizer checkpoint into a studio model pack with a global branch.

  /usr/bin/python3 training/convert/convert.py --checkpoint v2l-decode.pth \
      --global-vocabulary codebooks/global_vocabulary.npy --out resources/models/v2l-official

Optional inputs, for checkpoints that lack a piece (each is used only where the checkpoint has no such tensors):
  --local-codebook codebooks/local_codebook_embedding.pth    [32000, 768] CLIP text embeddings of LLaMA-2 pieces
  --global-codebook codebooks/global_codebook_embedding.pth  [11908, 768] CLIP text embeddings of the n-grams
  --clip ViT-L-14.pt                                         OpenAI CLIP (TorchScript archive or state dict)
Reference outputs for the parity check: --reference N --reference-dir DIR (PyTorch results on N test images).

The pack (manifest.json, formatVersion 2) holds:
  encoder.onnx        "image" f32 [N,3,128,128] in [-1,1] -> "ids" i64 [N,16,16] (LLaMA-2 ids 259..31999),
                      "embeddings" f32 [N,D,16,16] (the chosen codebook rows), "features" f32 [N,D,16,16]
                      (the normalised encoder output they were chosen for)
  global.onnx         "image" (same input) -> "global_ids" i64 [N,K] (K nearest global entries, nearest first),
                      "features" f32 [N,D'] (the unit-length CLIP image embedding)
  decoder.onnx        "embeddings" f32 [N,D,16,16] + "global_embeddings" f32 [N,K,D'] -> "image" f32 [N,3,128,128]
  codebook-local.npy  f32 [32000, D]  projected local codebook (row = LLaMA-2 id), read by the decoder input
  codebook-global.npy f32 [11908, D'] global codebook, read by the decoder's global input
  global-vocabulary.json  the 11,908 strings, index = global id
  lpips.onnx          (when the checkpoint holds the LPIPS network) "image_a" + "image_b" f32 [N,3,H,W] in [-1,1]
                      -> "distance" f32 [N]: LPIPS(VGG16) with the authors' trained weights, for scoring results
"""
import argparse
import hashlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn

from v2l_modules import (FIRST_IMAGE_ID, OFFICIAL, NearestLocal, TopKGlobal, V2LModel, infer_config, load_strict,
                         normalised_local_features)

OPSET = 17
IMAGE_SIZE = 128
GRID = 16
PACK_FORMAT_VERSION = 2
# SHA-256 of the 32,000 LLaMA-2 pieces (index = id) joined by "\n", as the studio computes it from
# llama-tokenizer-js@1.2.2. The released local codebook has one row per piece of this vocabulary.
LLAMA2_VOCAB_SHA256 = '0f97b4337921e6e7e9b4620fc73338ee570aecd3c16038bc23870a887e995045'
LLAMA2_VOCAB_SIZE = 32000


class EncoderGraph(nn.Module):
    def __init__(self, model: V2LModel, nearest: NearestLocal):
        super().__init__()
        self.encoder = model.encoder
        self.quant_conv = model.quant_conv
        self.nearest = nearest

    def forward(self, image):
        z = normalised_local_features(self.encoder, self.quant_conv, image)
        ids, emb = self.nearest(z)
        return ids, emb, z


class GlobalGraph(nn.Module):
    def __init__(self, model: V2LModel, topk: TopKGlobal):
        super().__init__()
        self.model_global = model.global_encoder
        self.clip_pixels = model.clip_pixels
        self.topk = topk

    def forward(self, image):
        f = self.model_global(self.clip_pixels(image))
        f = f / f.norm(dim=-1, keepdim=True)
        return self.topk(f), f


class DecoderGraph(nn.Module):
    def __init__(self, model: V2LModel):
        super().__init__()
        self.post_quant_conv = model.post_quant_conv
        self.decoder = model.decoder

    def forward(self, embeddings, global_embeddings):
        return self.decoder(self.post_quant_conv(embeddings), global_embeddings).clamp(-1.0, 1.0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def weights_digest(model: nn.Module) -> str:
    """SHA-256 over every tensor's name and float32 bytes, in name order: equal digests, equal weights."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().float().contiguous().numpy().tobytes() if t.is_floating_point() else t.numpy().tobytes())
    return h.hexdigest()


def log(msg: str) -> None:
    print(f'[convert] {msg}', flush=True)


def unwrap_state_dict(obj):
    """The released files keep the weights under "state_dict" (or "model" for training snapshots)."""
    if isinstance(obj, dict):
        for key in ('state_dict', 'model'):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError('the checkpoint holds no state dict (expected a dict of tensors, or one under '
                         '"state_dict" or "model")')
    if obj and all(k.startswith('module.') for k in obj):  # saved from a DistributedDataParallel wrapper
        obj = {k[len('module.'):]: v for k, v in obj.items()}
    return dict(obj)


def load_matrix(path: str, what: str) -> torch.Tensor:
    obj = torch.load(path, map_location='cpu')
    if isinstance(obj, dict):
        tensors = [v for v in obj.values() if isinstance(v, torch.Tensor) and v.dim() == 2]
        if len(tensors) != 1:
            raise ValueError(f'{path}: expected one 2-D tensor for the {what}, found {len(tensors)}')
        obj = tensors[0]
    if not isinstance(obj, torch.Tensor) or obj.dim() != 2:
        raise ValueError(f'{path}: the {what} must be a 2-D tensor')
    return obj.float()


def load_clip_visual(path: str) -> dict:
    """The image tower of an OpenAI CLIP file: a TorchScript archive (as downloaded by CLIP) or a state dict."""
    try:
        sd = torch.jit.load(path, map_location='cpu').state_dict()
    except RuntimeError:
        sd = unwrap_state_dict(torch.load(path, map_location='cpu'))
    visual = {k[len('visual.'):]: v for k, v in sd.items() if k.startswith('visual.')}
    if not visual:
        raise ValueError(f'{path}: no "visual.*" tensors (is it a CLIP ViT checkpoint?)')
    return {'global_encoder.' + k: v for k, v in visual.items()}


def fill_external(sd: dict, args) -> list:
    """Adds the pieces the checkpoint lacks from the files the user named; returns notes for the manifest."""
    notes = []

    def supply(key, path, what):
        if path is None:
            return
        t = load_matrix(path, what)
        if key in sd:
            same = sd[key].shape == t.shape and torch.allclose(sd[key].float(), t, atol=1e-3)
            log(f'{what}: the checkpoint has its own copy; {path} is {"identical" if same else "DIFFERENT"} '
                '(the checkpoint copy is used, since the model was trained with it)')
        else:
            sd[key] = t
            notes.append(f'{what} from {Path(path).name}')

    supply('tok_embeddings.weight', args.local_codebook, 'local codebook')
    supply('tok_embeddings_global.weight', args.global_codebook, 'global codebook')
    if args.clip is not None:
        if any(k.startswith('global_encoder.') for k in sd):
            log('CLIP: the checkpoint has its own image tower; --clip is not used')
        else:
            sd.update(load_clip_visual(args.clip))
            notes.append(f'CLIP image tower from {Path(args.clip).name}')
    return notes


def load_global_vocabulary(path: str, size: int) -> list:
    """One string per global id: a .npy array of strings (as released), a .json array, or a .txt with one per line.
    Entries given as uni/bi/trigram parts ({"1": .., "2": .., "3": ..}) are joined in order."""
    p = Path(path)
    if p.suffix == '.npy':
        arr = np.load(p, allow_pickle=True)
        items = arr.tolist()
    elif p.suffix == '.json':
        items = json.loads(p.read_text(encoding='utf-8'))
    else:
        items = p.read_text(encoding='utf-8').split('\n')
        if items and items[-1] == '':
            items = items[:-1]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = ''.join(str(item[k]) for k in sorted(item, key=str))
        elif isinstance(item, bytes):
            item = item.decode('utf-8')
        out.append(str(item))
    if len(out) != size:
        raise ValueError(f'{path}: {len(out)} entries, but the global codebook has {size} rows')
    return out


def export(module, args, path: Path, inputs, outputs, dynamic):
    with warnings.catch_warnings():
        # The tracer's notes (constant shapes, constant tensors) are expected here: sizes are fixed per pack.
        warnings.simplefilter('ignore')
        torch.onnx.export(module, args, str(path), opset_version=OPSET, input_names=inputs, output_names=outputs,
                          dynamic_axes=dynamic, do_constant_folding=True)
    onnx.checker.check_model(str(path))


def export_lpips(net: nn.Module, path: Path, size: int = IMAGE_SIZE) -> None:
    """The LPIPS network as its own graph: any batch and image size (the studio scores 128x128 views)."""
    example = torch.zeros(1, 3, size, size)
    axes = {0: 'N', 2: 'H', 3: 'W'}
    export(net.eval(), (example, example), path, ['image_a', 'image_b'], ['distance'],
           {'image_a': axes, 'image_b': axes, 'distance': {0: 'N'}})


LPIPS_IO = {'inputs': ['image_a', 'image_b'], 'output': 'distance', 'dtype': 'float32',
            'shape': ['N', 3, 'H', 'W'], 'layout': 'NCHW RGB', 'range': [-1, 1]}


def sample_images(n: int, seed: int) -> np.ndarray:
    """Deterministic test pictures, uint8 [n,128,128,3]: smooth colour fields with edges and some noise, so
    every layer sees varied input."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, 6, 6, generator=g)
    x = torch.nn.functional.interpolate(coarse, size=(IMAGE_SIZE, IMAGE_SIZE), mode='bicubic', align_corners=False)
    yy, xx = torch.meshgrid(torch.arange(IMAGE_SIZE), torch.arange(IMAGE_SIZE), indexing='ij')
    stripes = ((xx // 16 + yy // 24) % 2).float() * 0.2
    x = x + stripes + 0.05 * torch.randn(n, 3, IMAGE_SIZE, IMAGE_SIZE, generator=g)
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def write_reference(dirpath: Path, n: int, enc, glob, dec, global_table, lpips=None) -> dict:
    dirpath.mkdir(parents=True, exist_ok=True)
    images = sample_images(n, seed=1234)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    with torch.no_grad():
        ids, emb, local_feats = enc(x)
        gids, feats = glob(x)
        out = dec(emb, global_table[gids])
        # LPIPS of each test image against its decode: what the studio scores a reconstruction with.
        distances = lpips(x, out) if lpips is not None else None
    files = {
        'images_u8': images,
        'input_f32': x.numpy(),
        'ids_i64': ids.numpy().astype(np.int64),
        'embeddings_f32': emb.numpy(),
        'local_features_f32': local_feats.numpy(),
        'global_ids_i64': gids.numpy().astype(np.int64),
        'global_features_f32': feats.numpy(),
        'decoded_f32': out.numpy(),
    }
    if distances is not None:
        files['lpips_f32'] = distances.numpy()
    meta = {'n': n, 'imageSize': IMAGE_SIZE, 'grid': GRID, 'files': {}}
    for name, arr in files.items():
        fname = f'{name}.bin'
        np.ascontiguousarray(arr).tofile(dirpath / fname)
        meta['files'][name] = {'file': fname, 'shape': list(arr.shape), 'dtype': str(arr.dtype)}
    (dirpath / 'reference.json').write_text(json.dumps(meta, indent=1) + '\n')
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--global-vocabulary', required=True)
    ap.add_argument('--local-codebook')
    ap.add_argument('--global-codebook')
    ap.add_argument('--clip')
    ap.add_argument('--out', required=True)
    ap.add_argument('--name', default=None, help='pack name (default: the output folder name)')
    ap.add_argument('--global-tokens', type=int, default=21, help='global tokens per image (paper: 5 or 21)')
    ap.add_argument('--reference', type=int, default=0, help='write PyTorch outputs for this many test images')
    ap.add_argument('--reference-dir', default=None)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--check-only', action='store_true',
                    help='stop after the strict load and print a digest of the assembled weights')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.time()
    out = Path(args.out)

    log(f'reading {args.checkpoint}')
    sd = unwrap_state_dict(torch.load(args.checkpoint, map_location='cpu'))
    notes = fill_external(sd, args)
    for prefix, option in (('tok_embeddings.weight', '--local-codebook codebooks/local_codebook_embedding.pth'),
                           ('tok_embeddings_global.weight', '--global-codebook codebooks/global_codebook_embedding.pth'),
                           ('global_encoder.', '--clip ViT-L-14.pt (OpenAI CLIP ViT-L/14)'),
                           ('encoder.', None), ('decoder.', None), ('quant_conv.', None)):
        if not any(k.startswith(prefix) for k in sd):
            raise ValueError(f'the checkpoint has no {prefix.rstrip(".")} tensors' +
                             (f': pass {option}' if option else ': is it the V2L tokenizer checkpoint?'))
    cfg = infer_config(sd)
    official = {k: v for k, v in cfg.describe().items() if k != 'training_parts'} == \
        {k: v for k, v in OFFICIAL.describe().items() if k != 'training_parts'}
    log(f'layout: {"the released V2L configuration" if official else "NOT the released configuration"}: '
        f'{json.dumps(cfg.describe())}')
    model = load_strict(sd, cfg)
    del sd
    if args.check_only:
        print(json.dumps({'weights_sha256': weights_digest(model), 'tensors': len(model.state_dict())}))
        return 0
    n_params = sum(p.numel() for p in model.parameters())
    log(f'strict load: {len(model.state_dict())} tensors, {n_params / 1e6:.1f} M parameters, all names and shapes match')
    if cfg.local_vocab != LLAMA2_VOCAB_SIZE:
        raise ValueError(f'the local codebook has {cfg.local_vocab} rows, not the {LLAMA2_VOCAB_SIZE} LLaMA-2 pieces')
    if not 1 <= args.global_tokens <= cfg.global_vocab:
        raise ValueError(f'--global-tokens must be within 1..{cfg.global_vocab}')
    vocab = load_global_vocabulary(args.global_vocabulary, cfg.global_vocab)
    out.mkdir(parents=True, exist_ok=True)

    with torch.no_grad():
        local_table = model.projected_codebook().detach().float().contiguous()
        global_table = model.tok_embeddings_global.weight.detach().float().contiguous()
    enc = EncoderGraph(model, NearestLocal(local_table, FIRST_IMAGE_ID)).eval()
    glob = GlobalGraph(model, TopKGlobal(global_table, args.global_tokens)).eval()
    dec = DecoderGraph(model).eval()

    k, d_local, d_global = args.global_tokens, cfg.embed_dim, cfg.clip_dim
    example = torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    paths = {'encoder': out / 'encoder.onnx', 'globalEncoder': out / 'global.onnx', 'decoder': out / 'decoder.onnx',
             'localCodebook': out / 'codebook-local.npy', 'globalCodebook': out / 'codebook-global.npy',
             'globalVocabulary': out / 'global-vocabulary.json'}
    with torch.no_grad():
        t = time.time()
        export(enc, (example,), paths['encoder'], ['image'], ['ids', 'embeddings', 'features'],
               {'image': {0: 'N'}, 'ids': {0: 'N'}, 'embeddings': {0: 'N'}, 'features': {0: 'N'}})
        log(f'encoder.onnx ({time.time() - t:.0f} s)')
        t = time.time()
        export(glob, (example,), paths['globalEncoder'], ['image'], ['global_ids', 'features'],
               {'image': {0: 'N'}, 'global_ids': {0: 'N'}, 'features': {0: 'N'}})
        log(f'global.onnx ({time.time() - t:.0f} s)')
        t = time.time()
        export(dec, (torch.zeros(1, d_local, GRID, GRID), torch.zeros(1, k, d_global)), paths['decoder'],
               ['embeddings', 'global_embeddings'], ['image'],
               {'embeddings': {0: 'N'}, 'global_embeddings': {0: 'N', 1: 'K'}, 'image': {0: 'N'}})
        log(f'decoder.onnx ({time.time() - t:.0f} s)')
        lpips = model.perceptual_loss.eval() if cfg.training_parts else None
        if lpips is not None:
            t = time.time()
            paths['lpips'] = out / 'lpips.onnx'
            export_lpips(lpips, paths['lpips'])
            log(f'lpips.onnx ({time.time() - t:.0f} s)')
        else:
            log('the checkpoint holds no LPIPS network: the pack gets no lpips.onnx, and scores without LPIPS')
    np.save(paths['localCodebook'], local_table.numpy().astype('<f4'))
    np.save(paths['globalCodebook'], global_table.numpy().astype('<f4'))
    paths['globalVocabulary'].write_text(json.dumps(vocab, ensure_ascii=False) + '\n', encoding='utf-8')

    files = {}
    for role, p in paths.items():
        files[role] = {'path': p.name, 'sha256': sha256_file(p), 'bytes': p.stat().st_size}
    files['localCodebook'].update({'dtype': 'float32', 'shape': [cfg.local_vocab, d_local]})
    files['globalCodebook'].update({'dtype': 'float32', 'shape': [cfg.global_vocab, d_global]})
    files['globalVocabulary'].update({'entries': cfg.global_vocab})
    image_io = {'name': 'image', 'dtype': 'float32', 'shape': ['N', 3, IMAGE_SIZE, IMAGE_SIZE],
                'layout': 'NCHW RGB', 'range': [-1, 1]}
    manifest = {
        'format': 'v2l-pack',
        'formatVersion': PACK_FORMAT_VERSION,
        'name': args.name or out.name,
        'imageSize': IMAGE_SIZE,
        'grid': GRID,
        'vocabulary': {
            'name': 'llama2-32000', 'size': LLAMA2_VOCAB_SIZE, 'sha256': LLAMA2_VOCAB_SHA256,
            'hashOf': 'UTF-8 of the 32,000 pieces (index = id) joined by "\\n"', 'source': 'llama-tokenizer-js@1.2.2',
            'producedIds': [FIRST_IMAGE_ID, LLAMA2_VOCAB_SIZE - 1],
        },
        'files': files,
        'io': {
            'encoder': {'input': image_io,
                        'output': {'name': 'ids', 'dtype': 'int64', 'shape': ['N', GRID, GRID], 'order': 'row-major'},
                        'embeddings': {'name': 'embeddings', 'dtype': 'float32', 'shape': ['N', d_local, GRID, GRID]},
                        'features': {'name': 'features', 'dtype': 'float32', 'shape': ['N', d_local, GRID, GRID],
                                     'meaning': 'L2-normalised encoder output before the nearest-row search'}},
            'globalEncoder': {'input': image_io,
                              'output': {'name': 'global_ids', 'dtype': 'int64', 'shape': ['N', k],
                                         'order': 'nearest first'},
                              'features': {'name': 'features', 'dtype': 'float32', 'shape': ['N', d_global]}},
            'decoder': {'input': {'name': 'embeddings', 'dtype': 'float32', 'shape': ['N', d_local, GRID, GRID],
                                  'rowsOf': 'localCodebook'},
                        'globalInput': {'name': 'global_embeddings', 'dtype': 'float32', 'shape': ['N', 'K', d_global],
                                        'rowsOf': 'globalCodebook'},
                        'output': {**image_io}},
            **({'lpips': LPIPS_IO} if lpips is not None else {}),
        },
        'global': {
            'tokens': k,
            'size': cfg.global_vocab,
            'dim': d_global,
            'selection': 'the k global codebook rows nearest (squared Euclidean) to the L2-normalised CLIP image '
                         'embedding, nearest first',
            'clipInput': f'the pack image (imageSize square, [-1,1]) to [0,1], bicubic to {cfg.clip_resolution}, '
                         'clamped, CLIP mean/std normalisation',
        },
        'preprocess': {'resize': 'short side to 128, bicubic with antialiasing', 'crop': 'centre 128x128',
                       'scale': 'x / 127.5 - 1'},
        'opset': OPSET,
        'source': {
            'model': 'V2L tokenizer (Zhu, Wei, Lu, CVPR 2024), weights released at '
                     'https://github.com/zh460045050/V2L-Tokenizer',
            'checkpoint': Path(args.checkpoint).name,
            'externalPieces': notes,
            'layout': cfg.describe(),
            'releasedLayout': official,
            'parameters': n_params,
            'localSearch': f'nearest over ids {FIRST_IMAGE_ID}..{LLAMA2_VOCAB_SIZE - 1} (the released quantiser '
                           f'also considers ids 0..{FIRST_IMAGE_ID - 1}: special and byte pieces)',
            'convertedBy': 'training/convert/convert.py',
            'convertedAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        },
        'metrics': {},
    }
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    total = sum(f['bytes'] for f in files.values())
    log(f'pack written to {out} ({total / 1e6:.1f} MB, {time.time() - started:.0f} s)')

    if args.reference > 0:
        ref_dir = Path(args.reference_dir) if args.reference_dir else out / 'reference'
        write_reference(ref_dir, args.reference, enc, glob, dec, global_table, lpips)
        log(f'PyTorch reference for {args.reference} images in {ref_dir}')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (ValueError, FileNotFoundError) as error:
        print(f'convert.py: {error}', file=sys.stderr)
        sys.exit(1)
