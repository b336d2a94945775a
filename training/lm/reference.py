"""PyTorch reference outputs for verify_gguf.mjs: copy-test prompts (uniform ids) with targets, PyTorch greedy ids and
the log-probabilities of the first generated position.

  /usr/bin/python3 training/lm/reference.py --ckpt RUN/ckpt.pt --out RUN/reference.json [--n 200]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import copy_eval  # noqa: E402
from threads import use_threads  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--n', type=int, default=200)
    ap.add_argument('--seed', type=int, default=2024)
    ap.add_argument('--n-logits', type=int, default=4, help='prompts whose full first-step log-probs are stored')
    a = ap.parse_args()
    use_threads(1)
    m, ck = copy_eval.load_ckpt(a.ckpt)
    out = {'ckpt': os.path.abspath(a.ckpt), 'step': ck.get('step'), 'tokens_seen': ck.get('tokens_seen'), 'sets': {}}
    sampler = copy_eval.IdSampler('uniform')
    for name, (ne, noisy) in copy_eval.SETTINGS.items():
        rng = np.random.default_rng(a.seed + 1000 * ne + noisy)
        prompts, tg, _, _ = copy_eval.make_prompts(a.n, ne, noisy, sampler, rng)
        g = copy_eval.greedy(m, prompts)
        with torch.no_grad():
            lp = torch.log_softmax(m(prompts[:a.n_logits])[:, -1], -1)
        out['sets'][name] = {
            'prompts': prompts.tolist(), 'targets': tg.tolist(), 'pytorch_greedy': g.tolist(),
            'pytorch_accuracy': float((g == tg).mean()),
            'first_step_logprobs': [[round(float(v), 5) for v in row] for row in lp],
        }
        print(name, 'pytorch accuracy', out['sets'][name]['pytorch_accuracy'])
    with open(a.out, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
