"""Tiny random language models for test_export.mjs, and the checks it runs on the exporter's and importer's output.

  /usr/bin/python3 training/lm/tiny_model.py make OUT_DIR
      writes OUT_DIR/{tied,untied}.pt (train.py's snapshot layout) and OUT_DIR/reference.json (prompts with
      PyTorch's log-probabilities for the next token)
  /usr/bin/python3 training/lm/tiny_model.py same A.pt B.pt --tol T
      exits non-zero unless the two snapshots have the same config and tensors within T

Every weight is random at a scale that makes the next-token distribution peaked (a flat one would hide a wrong
layout), RMSNorm gains are random rather than ones and the RoPE base is not llama's default, so each tensor, the
query bias and every llama.* key the exporter writes changes the logits.
"""
import argparse
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import LM, Config  # noqa: E402

SHAPE = dict(d=64, layers=2, heads=4, ffn=96, rope_base=50000.0, eps=1e-5)
VARIANTS = {'tied': dict(tie=True, q_bias=True), 'untied': dict(tie=False, q_bias=False)}


def random_model(seed, **kw):
    torch.manual_seed(seed)
    m = LM(Config(**SHAPE, **kw))
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith('norm.weight'):
                p.copy_(0.5 + torch.rand_like(p))
            elif name.startswith('tok.') or name.startswith('out.'):
                p.normal_(0.0, 0.5)
            else:  # projections and the query bias
                p.normal_(0.0, 1.5 / p.shape[-1] ** 0.5)
    return m.eval()


def make(out):
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    # ids past the control and byte pieces; one prompt repeats a span, so attention to a distant match matters
    prompts = [torch.randint(259, 32000, (n,), generator=g).tolist() for n in (5, 17, 40)]
    span = torch.randint(259, 32000, (12,), generator=g).tolist()
    prompts.append([1] + span + torch.randint(259, 32000, (9,), generator=g).tolist() + span[:6])
    ref = {'prompts': prompts, 'variants': {}}
    for i, (name, kw) in enumerate(VARIANTS.items()):
        m = random_model(100 + i, **kw)
        torch.save({'model': m.state_dict(), 'config': m.c.to_dict(), 'step': 0, 'tokens_seen': 0},
                   os.path.join(out, f'{name}.pt'))
        rows = []
        with torch.no_grad():
            for p in prompts:
                lp = torch.log_softmax(m(torch.tensor([p]))[0, -1], -1)
                top = torch.topk(lp, 20)
                rows.append({'ids': top.indices.tolist(), 'logprobs': [round(float(v), 6) for v in top.values]})
        ref['variants'][name] = rows
        print(f'{name}: top-1 log-probabilities', [r['logprobs'][0] for r in rows])
    with open(os.path.join(out, 'reference.json'), 'w') as f:
        json.dump(ref, f)


def same(a_path, b_path, tol):
    a, b = torch.load(a_path), torch.load(b_path)
    keys = ('vocab', 'd', 'layers', 'heads', 'ffn', 'rope_base', 'eps', 'tie', 'q_bias')
    # the file stores eps and the RoPE base as float32
    diff = {k: (a['config'][k], b['config'][k]) for k in keys
            if not math.isclose(a['config'][k], b['config'][k], rel_tol=1e-6)}
    if diff:
        raise SystemExit(f'config differs: {diff}')
    if set(a['model']) != set(b['model']):
        raise SystemExit(f'tensors differ: {sorted(set(a["model"]) ^ set(b["model"]))}')
    worst = max((float((a['model'][k].float() - b['model'][k].float()).abs().max()), k) for k in a['model'])
    print(f'largest difference {worst[0]:.3g} ({worst[1]})')
    if worst[0] > tol:
        raise SystemExit(f'{worst[1]} differs by {worst[0]:.3g} > {tol}')


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('make').add_argument('out')
    s = sub.add_parser('same')
    s.add_argument('a')
    s.add_argument('b')
    s.add_argument('--tol', type=float, required=True)
    a = ap.parse_args()
    make(a.out) if a.cmd == 'make' else same(a.a, a.b, a.tol)


if __name__ == '__main__':
    main()
