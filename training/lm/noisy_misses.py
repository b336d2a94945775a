"""Why a checkpoint misses the first output id of noisy10 copy prompts (copy_eval.py's prompts, uniform ids).

Prints, for the first output id of N prompts:
  - accuracy by how many of the 10 examples carry the clean id (a majority vote gets every prompt with 6 or more);
  - accuracy with noise in the examples' inputs only, and in their outputs only;
  - a direct logit attribution, hits and misses apart: every attention head's and MLP's output at the last position
    (and the last token's embedding), scaled by the final RMSNorm of the whole, dotted with the unembedding of the
    clean id, of the id the model chose, and the mean over 300 random ids; layer 1's heads are the induction heads
    of the initialisation;
  - the pieces the model chose instead in the misses;
  - for the second output id, given the clean first one: accuracy by the clean id's share among the examples whose
    first output matches, where the wrong ids come from, and each candidate's logit split into the frozen identity
    columns (id_dims) and the trained ones, with the largest frozen-column logit over the vocabulary (the crosstalk
    of the copied code onto other tokens);
  - where the heads of --layer look (layer 1 holds the induction heads of the initialisation): attention mass at the
    last position on each example's first output id, oldest example first, and for the second id the mass on the
    second ids of examples whose first one matches, split by whether that second id is the clean one.

  /usr/bin/python3 training/lm/noisy_misses.py --snap $V2L_RUNS/lm/idXd/snap_0009400.pt --n 200
"""
import argparse
import json
import os

import numpy as np
import torch

import copy_eval
from threads import use_threads


def noisy10(n, seed, noise_in=True, noise_out=True):
    """copy_eval's noisy10 prompts, the clean first output ids, how many of the 10 examples carry each, and the
    clean output pairs."""
    x, pairs, _, _ = copy_eval.make_prompts(n, 10, True, copy_eval.IdSampler('uniform'),
                                            np.random.default_rng(seed), noise_in, noise_out)
    fr = copy_eval.framing()
    example = len(fr['pre']) + 16 + len(fr['mid']) + 2
    first = len(fr['head']) + len(fr['pre']) + 16 + len(fr['mid']) + example * np.arange(10)
    clean = torch.from_numpy(pairs[:, 0])
    votes = (x[:, first] == clean[:, None]).sum(1).numpy()
    return x, clean, votes, first, torch.from_numpy(pairs)


@torch.no_grad()
def attributed_forward(model, x):
    """Final normed hidden state at the last position, and each component's additive share of the residual there
    (taken by hooks on the model's own modules: the input of each block's wo, split by head, and w2's output),
    scaled by the final RMSNorm of the whole."""
    parts, hooks = {}, []
    H = model.c.heads
    hd = model.c.d // H
    for li, b in enumerate(model.blocks):
        def heads(mod, inp, li=li):
            o = inp[0][:, -1].view(-1, H, hd)
            w = mod.weight.view(-1, H, hd)
            for h in range(H):
                parts[f'L{li}H{h}'] = o[:, h] @ w[:, h].t()
        hooks.append(b.wo.register_forward_pre_hook(heads))
        hooks.append(b.w2.register_forward_hook(lambda mod, inp, out, li=li: parts.__setitem__(f'L{li}F', out[:, -1])))
    try:
        final = model.hidden(x)[:, -1]
    finally:
        for hk in hooks:
            hk.remove()
    parts = {'emb': model.tok(x)[:, -1], **parts}
    last = sum(parts.values())
    scale = model.norm.weight / last.pow(2).mean(-1, keepdim=True).add(model.c.eps).sqrt()
    return final, {name: p * scale for name, p in parts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--snap', required=True)
    ap.add_argument('--n', type=int, default=200)
    ap.add_argument('--seed', type=int, default=11)
    ap.add_argument('--layer', type=int, default=1, help='layer whose attention attention_split() reports')
    a = ap.parse_args()
    use_threads(1)
    model, _ = copy_eval.load_ckpt(a.snap)
    W = model.out_weight()
    with torch.no_grad():
        for label, ni, no in (('inputs only noisy', True, False), ('outputs only noisy', False, True)):
            x, clean, *_ = noisy10(a.n, a.seed, ni, no)
            acc = float(((model.hidden(x)[:, -1] @ W.t()).argmax(-1) == clean).float().mean())
            print(f'first id right, {label}: {acc:.3f}')
        x, clean, votes, first, pairs = noisy10(a.n, a.seed)
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
    second_id(model, x, pairs, first)
    attention_split(model, x, pairs, first, a.layer)


@torch.no_grad()
def attention_split(model, x, pairs, first, layer):
    """How the vote is weighted: a head that averaged the examples would put 1/10 of its match mass on each."""
    H = model.c.heads
    def last_attention(seq):  # the last position's attention in that layer: (prompts, heads, positions)
        return torch.cat([model.hidden(seq[i:i + 20], want_attn=True)[1][layer][:, :, -1]
                          for i in range(0, len(seq), 20)])
    a1 = last_attention(x)
    a2 = last_attention(torch.cat([x, pairs[:, :1]], 1))  # the clean first id, teacher-forced
    print(f'layer {layer} attention at the first output id, per head: mass on each example\'s first output id '
          f'(example 1 = oldest, noisiest) | total')
    on_first = a1[:, :, first].mean(0)  # (heads, 10)
    for h in range(H):
        print(f'  H{h}: ' + ' '.join(f'{v:.3f}' for v in on_first[h]) + f' | {on_first[h].sum():.3f}')
    match = x[:, first] == pairs[:, :1]
    good = match & (x[:, first + 1] == pairs[:, 1:])
    mass = a2[:, :, first + 1]  # (prompts, heads, 10): on each example's second id
    print(f'layer {layer} attention at the second output id (clean first id given), per head: mass on second ids '
          f'after a matching first id that are clean / noisy, on the other examples\' second ids, elsewhere')
    for h in range(H):
        m = mass[:, h]
        parts = [(m * good).sum(1), (m * (match & ~good)).sum(1), (m * ~match).sum(1)]
        parts.append(1 - sum(parts))
        print(f'  H{h}: ' + ' '.join(f'{float(v.mean()):.3f}' for v in parts))
    print(f'  clean share among the examples whose first id matches: '
          f'{float((good.sum(1) / match.sum(1).clamp(min=1)).mean()):.3f}')


@torch.no_grad()
def second_id(model, x, pairs, first):
    W = model.out_weight()
    xf = torch.cat([x, pairs[:, :1]], 1)  # the clean first id, teacher-forced
    h = torch.cat([model.hidden(xf[i:i + 20])[:, -1] for i in range(0, len(xf), 20)])
    chosen = (h @ W.t()).argmax(-1)
    clean = pairs[:, 1]
    hit = (chosen == clean).numpy()
    print(f'second id right, clean first id given: {hit.mean():.3f}')
    firsts, seconds = x[:, first], x[:, first + 1]
    match = firsts == pairs[:, :1]  # examples whose first output is the clean first id
    share = ((seconds == clean[:, None]) & match).sum(1).float() / match.sum(1).clamp(min=1)
    for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        sel = ((share >= lo) & (share < hi)).numpy()
        if sel.any():
            print(f'  clean share among matching examples {lo:.1f}-{min(hi, 1):.1f}: {int(sel.sum()):3d} prompts, '
                  f'right {hit[sel].mean():.2f}')
    miss = np.where(~hit)[0]
    src = [('an example\'s second id' if bool((seconds[i] == chosen[i]).any()) else
            'elsewhere in the prompt' if bool((x[i] == chosen[i]).any()) else 'nowhere in the prompt') for i in miss]
    print('  misses:', {k: src.count(k) for k in sorted(set(src))})
    k = model.c.id_dims
    if not k:
        return
    ar = torch.arange(len(x))
    split = {'frozen': (h[:, -k:], W[:, -k:]), 'trained': (h[:, :-k], W[:, :-k])}
    for name, sel in (('hits', hit), ('misses', ~hit)):
        s = torch.from_numpy(sel)
        if not s.any():
            continue
        line = []
        for part, (hp, wp) in split.items():
            lg = hp[s] @ wp.t()
            line.append(f'{part}: clean {lg[ar[:len(lg)], clean[s]].mean():.2f} chosen {lg[ar[:len(lg)], chosen[s]].mean():.2f}'
                        f' mean {lg.mean():.2f} max {lg.max(-1).values.mean():.2f}')
        print(f'  {name} ({int(s.sum())}) logits, ' + ' | '.join(line))


if __name__ == '__main__':
    main()
