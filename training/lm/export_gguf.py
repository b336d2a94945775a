"""Write a trained checkpoint as a llama-architecture GGUF v3 file (our own writer; spec: ggml docs/gguf.md).

  /usr/bin/python3 training/lm/export_gguf.py --ckpt RUN/ckpt.pt --out model.gguf [--vocab vocab_gguf.json]
      [--f16] [--name NAME] [--ctx 2048]

Layout: "GGUF", version 3, tensor count (u64), KV count (u64); KV pairs; tensor infos (name, n_dims, dims with the
fastest-varying dimension first, i.e. PyTorch's shape reversed, type, offset); padding to the alignment (32); tensor
data, every tensor starting on a 32-byte boundary. All llama.* hyperparameters are uint32 (epsilon and rope base are
float32). The tokenizer (tokenizer.ggml.model = llama, tokens / scores / token types) comes from
dump_vocab.mjs (llama-tokenizer-js 1.2.2). Our RoPE already rotates adjacent pairs (llama.cpp's layout), so q/k are
written unpermuted. A tied model has no output.weight: llama.cpp's llama architecture then reads the logits through
token_embd.weight, so the file does not carry the vocabulary matrix twice (8.2 M values at d=256).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
RUNS = os.environ.get('V2L_RUNS', os.path.expanduser('~/.cache/v2l-training/lm'))

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)
GGML_F32, GGML_F16 = 0, 1
ALIGN = 32


class Writer:
    def __init__(self):
        self.kv = []
        self.tensors = []

    def add(self, key, vtype, value, atype=None):
        self.kv.append((key, vtype, value, atype))

    def tensor(self, name, arr):
        self.tensors.append((name, np.ascontiguousarray(arr)))

    @staticmethod
    def _str(s):
        b = s.encode('utf-8')
        return struct.pack('<Q', len(b)) + b

    def _scalar(self, t, v):
        fmt = {T_U8: '<B', T_I8: '<b', T_U16: '<H', T_I16: '<h', T_U32: '<I', T_I32: '<i', T_F32: '<f',
               T_BOOL: '<?', T_U64: '<Q', T_I64: '<q', T_F64: '<d'}
        if t == T_STR:
            return self._str(v)
        return struct.pack(fmt[t], v)

    def _value(self, t, v, at):
        if t != T_ARR:
            return self._scalar(t, v)
        out = [struct.pack('<IQ', at, len(v))]
        if at == T_STR:
            out += [self._str(s) for s in v]
        else:
            np_t = {T_F32: '<f4', T_I32: '<i4', T_U32: '<u4'}[at]
            out.append(np.asarray(v, dtype=np_t).tobytes())
        return b''.join(out)

    def write(self, path):
        head = [b'GGUF', struct.pack('<I', 3), struct.pack('<Q', len(self.tensors)), struct.pack('<Q', len(self.kv))]
        for key, t, v, at in self.kv:
            head += [self._str(key), struct.pack('<I', t), self._value(t, v, at)]
        off = 0
        datas = []
        for name, arr in self.tensors:
            gt = GGML_F16 if arr.dtype == np.float16 else GGML_F32
            assert arr.dtype in (np.float16, np.float32), (name, arr.dtype)
            dims = list(reversed(arr.shape))
            head += [self._str(name), struct.pack('<I', len(dims)), struct.pack('<%dQ' % len(dims), *dims),
                     struct.pack('<I', gt), struct.pack('<Q', off)]
            b = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
            pad = (-len(b)) % ALIGN
            datas.append(b + b'\0' * pad)
            off += len(b) + pad
        h = b''.join(head)
        h += b'\0' * ((-len(h)) % ALIGN)
        tmp = path + '.tmp'
        with open(tmp, 'wb') as f:
            f.write(h)
            for d in datas:
                f.write(d)
        os.replace(tmp, path)
        return len(h) + off


def export(ckpt, out, vocab_path, f16=False, name='v2l-studio-lm', ctx=2048):
    ck = torch.load(ckpt, map_location='cpu')
    c = ck['config']
    sd = {k: v.float().numpy() for k, v in ck['model'].items()}
    with open(vocab_path) as f:
        voc = json.load(f)
    assert len(voc['tokens']) == c['vocab'] == 32000
    w = Writer()
    w.add('general.architecture', T_STR, 'llama')
    w.add('general.name', T_STR, name)
    w.add('general.alignment', T_U32, ALIGN)
    w.add('general.file_type', T_U32, 1 if f16 else 0)
    w.add('llama.vocab_size', T_U32, c['vocab'])
    w.add('llama.context_length', T_U32, ctx)
    w.add('llama.embedding_length', T_U32, c['d'])
    w.add('llama.block_count', T_U32, c['layers'])
    w.add('llama.feed_forward_length', T_U32, c['ffn'])
    w.add('llama.rope.dimension_count', T_U32, c['d'] // c['heads'])
    w.add('llama.attention.head_count', T_U32, c['heads'])
    w.add('llama.attention.head_count_kv', T_U32, c['heads'])
    w.add('llama.attention.layer_norm_rms_epsilon', T_F32, float(c['eps']))
    w.add('llama.rope.freq_base', T_F32, float(c['rope_base']))
    w.add('tokenizer.ggml.model', T_STR, 'llama')
    w.add('tokenizer.ggml.tokens', T_ARR, voc['tokens'], T_STR)
    w.add('tokenizer.ggml.scores', T_ARR, voc['scores'], T_F32)
    w.add('tokenizer.ggml.token_type', T_ARR, voc['types'], T_I32)
    w.add('tokenizer.ggml.bos_token_id', T_U32, 1)
    w.add('tokenizer.ggml.eos_token_id', T_U32, 2)
    w.add('tokenizer.ggml.unknown_token_id', T_U32, 0)
    w.add('tokenizer.ggml.add_bos_token', T_BOOL, True)
    w.add('tokenizer.ggml.add_eos_token', T_BOOL, False)

    def mat(a):
        return a.astype(np.float16) if f16 else a.astype(np.float32)

    w.tensor('token_embd.weight', mat(sd['tok.weight']))
    for i in range(c['layers']):
        p = f'blocks.{i}.'
        g = f'blk.{i}.'
        w.tensor(g + 'attn_norm.weight', sd[p + 'attn_norm.weight'].astype(np.float32))
        w.tensor(g + 'attn_q.weight', mat(sd[p + 'wq.weight']))
        if p + 'wq.bias' in sd:
            w.tensor(g + 'attn_q.bias', sd[p + 'wq.bias'].astype(np.float32))
        w.tensor(g + 'attn_k.weight', mat(sd[p + 'wk.weight']))
        w.tensor(g + 'attn_v.weight', mat(sd[p + 'wv.weight']))
        w.tensor(g + 'attn_output.weight', mat(sd[p + 'wo.weight']))
        w.tensor(g + 'ffn_norm.weight', sd[p + 'ffn_norm.weight'].astype(np.float32))
        w.tensor(g + 'ffn_gate.weight', mat(sd[p + 'w1.weight']))
        w.tensor(g + 'ffn_up.weight', mat(sd[p + 'w3.weight']))
        w.tensor(g + 'ffn_down.weight', mat(sd[p + 'w2.weight']))
    w.tensor('output_norm.weight', sd['norm.weight'].astype(np.float32))
    if not c['tie']:
        w.tensor('output.weight', mat(sd['out.weight']))
    return w.write(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--vocab', default=os.path.join(RUNS, 'data', 'vocab_gguf.json'))
    ap.add_argument('--f16', action='store_true')
    ap.add_argument('--name', default='v2l-studio-lm')
    ap.add_argument('--ctx', type=int, default=2048)
    a = ap.parse_args()
    n = export(a.ckpt, a.out, a.vocab, a.f16, a.name, a.ctx)
    print(f'wrote {a.out}: {n} bytes')


if __name__ == '__main__':
    main()
