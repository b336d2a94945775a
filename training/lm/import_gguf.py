"""Read a GGUF written by export_gguf.py back into a training snapshot, so a new machine resumes from the shipped
model's weights instead of from zero.

  /usr/bin/python3 training/lm/import_gguf.py --gguf resources/models/lm/v2l-lm.gguf --out SNAP.pt \
      [--step 840 --tokens-seen 2580480]

The snapshot has the layout train.py's --init-from reads (model, config, step, tokens_seen). Only the llama.* keys and
F32/F16 tensors our writer produces are understood; anything else is refused with the key or tensor that differs.
A tied output is a file without output.weight (export_gguf.py's) or one whose output.weight equals token_embd.weight.
A query bias (attn_q.bias, written for models trained with --q-bias) is read with the rest.
"""
import argparse
import struct
import sys
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import LM, Config  # noqa: E402

_SCALAR = {0: '<B', 1: '<b', 2: '<H', 3: '<h', 4: '<I', 5: '<i', 6: '<f', 7: '<?', 10: '<Q', 11: '<q', 12: '<d'}


class Reader:
    def __init__(self, buf):
        self.b = buf
        self.o = 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.o)
        self.o += struct.calcsize(fmt)
        return v[0]

    def string(self):
        n = self.take('<Q')
        s = self.b[self.o:self.o + n].decode('utf-8')
        self.o += n
        return s

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            at, n = self.take('<I'), self.take('<Q')
            return [self.value(at) for _ in range(n)]
        return self.take(_SCALAR[t])


def read_gguf(path):
    with open(path, 'rb') as f:
        buf = f.read()
    r = Reader(buf)
    if buf[:4] != b'GGUF':
        raise SystemExit(f'{path}: not a GGUF file')
    r.o = 4
    version, n_t, n_kv = r.take('<I'), r.take('<Q'), r.take('<Q')
    if version != 3:
        raise SystemExit(f'{path}: GGUF version {version}, expected 3')
    kv = {}
    for _ in range(n_kv):
        k = r.string()
        kv[k] = r.value(r.take('<I'))
    infos = []
    for _ in range(n_t):
        name = r.string()
        nd = r.take('<I')
        dims = [r.take('<Q') for _ in range(nd)]
        gt, off = r.take('<I'), r.take('<Q')
        infos.append((name, dims, gt, off))
    align = kv.get('general.alignment', 32)
    base = r.o + (-r.o) % align
    tensors = {}
    for name, dims, gt, off in infos:
        if gt not in (0, 1):
            raise SystemExit(f'{path}: tensor {name} has ggml type {gt}; only F32 (0) and F16 (1) are read')
        dt = np.float32 if gt == 0 else np.float16
        n = int(np.prod(dims))
        a = np.frombuffer(buf, dtype=dt, count=n, offset=base + off)
        tensors[name] = a.reshape(list(reversed(dims))).astype(np.float32)
    return kv, tensors


def to_snapshot(kv, t):
    if kv.get('general.architecture') != 'llama':
        raise SystemExit('not a llama-architecture GGUF')
    d, L = kv['llama.embedding_length'], kv['llama.block_count']
    tie = 'output.weight' not in t or bool(np.array_equal(t['output.weight'], t['token_embd.weight']))
    q_bias = 'blk.0.attn_q.bias' in t
    cfg = Config(vocab=kv['llama.vocab_size'], d=d, layers=L, heads=kv['llama.attention.head_count'],
                 ffn=kv['llama.feed_forward_length'], rope_base=float(kv['llama.rope.freq_base']),
                 eps=float(kv['llama.attention.layer_norm_rms_epsilon']), tie=tie, q_bias=q_bias)
    sd = {'tok.weight': t['token_embd.weight'], 'norm.weight': t['output_norm.weight']}
    names = {'attn_norm': 'attn_norm', 'attn_q': 'wq', 'attn_k': 'wk', 'attn_v': 'wv', 'attn_output': 'wo',
             'ffn_norm': 'ffn_norm', 'ffn_gate': 'w1', 'ffn_up': 'w3', 'ffn_down': 'w2'}
    for i in range(L):
        for g, p in names.items():
            sd[f'blocks.{i}.{p}.weight'] = t[f'blk.{i}.{g}.weight']
        if q_bias:
            sd[f'blocks.{i}.wq.bias'] = t[f'blk.{i}.attn_q.bias']
    if not tie:
        sd['out.weight'] = t['output.weight']
    model = LM(cfg)  # builds the layout; every tensor is then replaced by the file's
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in sd.items()}, strict=True)
    return model, cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gguf', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--step', type=int, default=0, help='steps the model was trained for (its model card says)')
    ap.add_argument('--tokens-seen', type=int, default=0)
    a = ap.parse_args()
    kv, t = read_gguf(a.gguf)
    model, cfg = to_snapshot(kv, t)
    torch.save({'model': model.state_dict(), 'config': cfg.to_dict(), 'step': a.step, 'tokens_seen': a.tokens_seen,
                'source': os.path.basename(a.gguf)}, a.out)
    print(f'wrote {a.out}: d={cfg.d} layers={cfg.layers} heads={cfg.heads} ffn={cfg.ffn} tie={cfg.tie}')


if __name__ == '__main__':
    main()
