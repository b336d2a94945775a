"""Why a checkpoint misses the first output id of noisy10 copy prompts (copy_eval.py's prompts, uniform ids).

Prints, for the first output id of N prompts:
  - accuracy by how many of the 10 examples carry the clean id (a majority vote gets every prompt with 6 or more);
  - accuracy with noise in the examples' inputs only, and in their outputs only;
  - a direct logit attribution, hits and misses apart: every attention head's and MLP's output at the last position
    (and the last token's embedding), scaled by the final RMSNorm of the whole, dotted with the unembedding of the
    clean id, of the id the model chose, and the mean over 300 random ids; layer 1's heads are the induction heads
    of the initialisation;
  - the pieces the model chose instead in the misses.

  /usr/bin/python3 training/lm/noisy_misses.py --snap $V2L_RUNS/lm/idXd/snap_0009400.pt --n 200
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

import copy_eval
import model as M


def prompts(n, rng, sampler, noise_in=True, noise_out=True):
    """copy_eval.make_prompts' noisy10 prompts, with the noise optionally kept off the inputs or the outputs."""
    fr = copy_eval.framing()
    rows, clean_first, votes = [], [], []
    for _ in range(n):
        clean = sampler(rng, 18)
        seq, firsts = list(fr['head']), []
        for k in range(10):
            ex = clean.copy()
            rep = rng.random(18) < 0.50 - 0.27 * k / 9
            rep[:16] &= noise_in
            rep[16:] &= noise_out
            ex[rep] = sampler(rng, int(rep.sum()))
            seq += fr['pre'] + ex[:16].tolist() + fr['mid'] + ex[16:].tolist()
            firsts.append(int(ex[16]))
        rows.append(seq + fr['pre'] + clean[:16].tolist() + fr['mid'])
        clean_first.append(int(clean[16]))
        votes.append(firsts.count(int(clean[16])))
    return torch.tensor(rows), torch.tensor(clean_first), np.array(votes)


def attributed_forward(model, x):
    """Final-position hidden state, and each component's additive share of the residual before the final norm."""
    parts = {'emb': model.tok(x)[:, -1]}
    T = x.shape[1]
    cos, sin = M.rope_tables(T, model.c.d // model.c.heads, model.c.rope_base, x.device)
    mask = torch.full((T, T), float('-inf')).triu(1)
    h = model.tok(x)
    for li, b in enumerate(model.blocks):
        B, _, d = h.shape
        H = b.c.heads
        hd = d // H
        a_in = b.attn_norm(h)
        q = M.apply_rope(b.wq(a_in).view(B, T, H, hd).transpose(1, 2), cos, sin)
        k = M.apply_rope(b.wk(a_in).view(B, T, H, hd).transpose(1, 2), cos, sin)
        v = b.wv(a_in).view(B, T, H, hd).transpose(1, 2)
        o = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, -1) @ v
        wo = b.wo.weight.view(d, H, hd)
        for hh in range(H):
            parts[f'L{li}H{hh}'] = o[:, hh, -1] @ wo[:, hh].t()
        h = h + b.wo(o.transpose(1, 2).reshape(B, T, d))
        f = b.w2(F.silu(b.w1(b.ffn_norm(h))) * b.w3(b.ffn_norm(h)))
        parts[f'L{li}F'] = f[:, -1]
        h = h + f
    last = h[:, -1]
    scale = model.norm.weight / last.pow(2).mean(-1, keepdim=True).add(model.c.eps).sqrt()
    return model.norm(h)[:, -1], {name: p * scale for name, p in parts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--snap', required=True)
    ap.add_argument('--n', type=int, default=200)
    ap.add_argument('--seed', type=int, default=11)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, _ = copy_eval.load_ckpt(a.snap)
    sampler = copy_eval.IdSampler('uniform')
    W = model.out_weight()
    with torch.no_grad():
        for label, ni, no in (('inputs only noisy', True, False), ('outputs only noisy', False, True)):
            x, clean, _ = prompts(a.n, np.random.default_rng(a.seed), sampler, ni, no)
            acc = float(((model.hidden(x)[:, -1] @ W.t()).argmax(-1) == clean).float().mean())
            print(f'first id right, {label}: {acc:.3f}')
        x, clean, votes = prompts(a.n, np.random.default_rng(a.seed), sampler)
        final, parts = attributed_forward(model, x)
        chosen = (final @ W.t()).argmax(-1)
    hit = (chosen == clean).numpy()
    print(f'first id right, noisy10: {hit.mean():.3f} of {a.n}')
    for v in range(11):
        sel = votes == v
        if sel.any():
            print(f'  clean id in {v:2d} of 10 examples: {int(sel.sum()):3d} prompts, right {hit[sel].mean():.2f}')
    rand = W[torch.randint(259, 32000, (300,), generator=torch.Generator().manual_seed(a.seed))]
    for name, sel in (('hits', hit), ('misses', ~hit)):
        idx = torch.tensor(np.where(sel)[0])
        if len(idx) == 0:
            continue
        print(f'-- {name} ({len(idx)}): component -> logit of clean id / chosen id / random id (mean)')
        for comp, p in parts.items():
            p = p[idx]
            lc = (p * W[clean[idx]]).sum(-1).mean()
            lt = (p * W[chosen[idx]]).sum(-1).mean()
            lr = (p @ rand.t()).mean()
            print(f'   {comp:6s} {lc:7.2f} {lt:7.2f} {lr:7.2f}')
    vocab_file = os.path.join(copy_eval.DATA, 'vocab_gguf.json')
    if os.path.exists(vocab_file) and (~hit).any():
        pieces = json.load(open(vocab_file))['tokens']
        print('chosen instead:', ' '.join(pieces[int(i)] for i in chosen[torch.tensor(~hit)][:40]))


if __name__ == '__main__':
    main()
