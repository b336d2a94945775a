"""Grow a trained snapshot into a wider and deeper model that computes (nearly) the same function.

  /usr/bin/python3 training/lm/grow.py --snap $V2L_RUNS/lm/txt4s/snap_0004500.pt \
      --out $V2L_RUNS/lm/grown_txt4s_4500.pt [--d 256 --layers 6 --heads 8 --ffn 768] [--layer-map 0,1,2,3,-,-]

The result is a snapshot train.py's --init-from reads (model, config, step, tokens_seen, text_tokens, syn_tokens):
the grown run continues the small run's step and token counters, so a model card can state everything the weights
saw. Initialisation (documented; every weight is trained afterwards):

  * residual stream: the old d0 dimensions are the leading slice of the new d; the new d - d0 dimensions start with
    small random embedding values (--extra-emb-std) and nothing else writes into them;
  * attention: the head dimension stays d0 / heads0 (asserted), so old head h keeps rows h*hd..(h+1)*hd of wq/wk/wv
    and the same columns of wo, with the same RoPE tables and 1/sqrt(hd) scale. Old heads read only the old
    dimensions (their columns for the new dimensions are zero) and write only them. New heads get small random
    wq/wk/wv rows (--new-std) over all d inputs and ZERO wo columns, so they add nothing at first;
  * FFN: old units keep their w1/w3 rows (zero on the new input dimensions) and w2 columns (zero on the new output
    dimensions); new units get small random w1/w3 rows and ZERO w2 columns;
  * new layers (a '-' in --layer-map) are identity blocks: random wq/wk/wv/w1/w3, ZERO wo and w2, so h passes through;
  * RMSNorm: the mean square now runs over d dimensions of which d - d0 are nearly empty, so 1/rms grows by
    sqrt(d / d0) (exactly so when the new dimensions are zero); every copied gain (attention, FFN and final norms) is
    scaled by sqrt(d0 / d) to compensate, and the gains of the new dimensions start at the mean of the compensated
    gains of the old ones. New layers' norms get the mean compensated gains of the old layers' norms;
  * the output stays tied to the embedding (the new columns of the output matrix are the new embedding values), so
    the logits change only by the (small) product of the new dimensions;
  * a model with frozen identity columns (id_dims, the embedding's last columns) has its residual dimensions
    reordered at the end so that the old identity columns are again the last ones (an exact reparametrisation).

The remaining differences come from the new embedding values (they enter the mean square and, tied, the logits) and
from eps (1e-5), which is not rescaled; --verify prints the held-out loss and the copy tests of both models.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import LM, Config, n_params  # noqa: E402
from threads import use_threads  # noqa: E402
import copy_eval  # noqa: E402

RUNS = os.environ.get('V2L_RUNS', os.path.expanduser('~/.cache/v2l-training/lm'))


def load_snapshot(path):
    snap = torch.load(path, map_location='cpu')
    cfg = Config(**snap['config'])
    m = LM(cfg)
    m.load_state_dict(snap['model'])
    m.eval()
    return m, snap


@torch.no_grad()
def grow(small: LM, d, layers, heads, ffn, layer_map, new_std=0.02, extra_emb_std=0.01, seed=0):
    c0 = small.c
    d0, L0, H0, F0 = c0.d, c0.layers, c0.heads, c0.ffn
    hd = d0 // H0
    if d % heads or d // heads != hd:
        raise SystemExit(f'head dimension must stay {hd}: d={d} heads={heads} gives {d / heads}')
    if d < d0 or heads < H0 or ffn < F0 or layers < L0:
        raise SystemExit('the grown model must be at least as large as the small one in every dimension')
    if len(layer_map) != layers or sorted(x for x in layer_map if x is not None) != list(range(L0)):
        raise SystemExit(f'--layer-map must list every old layer once and have {layers} entries: {layer_map}')
    cfg = Config(**{**c0.to_dict(), 'd': d, 'layers': layers, 'heads': heads, 'ffn': ffn,
                    'prev_heads': [], 'induction_init': False})
    big = LM(cfg)  # layout only: every tensor is set below
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, std):
        return torch.randn(*shape, generator=g) * std

    comp = math.sqrt(d0 / d)  # RMSNorm gain compensation for the larger mean-square denominator

    def norm_gain(old):
        w = old * comp
        return torch.cat([w, torch.full((d - d0,), float(w.mean()))])

    # embedding (tied output)
    E0 = small.tok.weight
    big.tok.weight.copy_(torch.cat([E0, rnd(E0.shape[0], d - d0, std=extra_emb_std)], 1))
    if not cfg.tie:
        O0 = small.out.weight
        big.out.weight.copy_(torch.cat([O0, big.tok.weight[:, d0:]], 1))
    big.norm.weight.copy_(norm_gain(small.norm.weight))

    mean_attn = torch.stack([b.attn_norm.weight for b in small.blocks]).mean(0)
    mean_ffn = torch.stack([b.ffn_norm.weight for b in small.blocks]).mean(0)
    for i, src in enumerate(layer_map):
        nb = big.blocks[i]
        # inputs of every unit: random over all d inputs (used for new units and new layers), zero outputs
        for lin in (nb.wq, nb.wk, nb.wv, nb.w1, nb.w3):
            lin.weight.copy_(rnd(*lin.weight.shape, std=new_std))
        nb.wo.weight.zero_()
        nb.w2.weight.zero_()
        if src is None:  # identity block
            nb.attn_norm.weight.copy_(norm_gain(mean_attn))
            nb.ffn_norm.weight.copy_(norm_gain(mean_ffn))
            continue
        ob = small.blocks[src]
        nb.attn_norm.weight.copy_(norm_gain(ob.attn_norm.weight))
        nb.ffn_norm.weight.copy_(norm_gain(ob.ffn_norm.weight))
        for name in ('wq', 'wk', 'wv'):  # old heads: rows 0..d0, reading only the old dimensions
            w = getattr(nb, name).weight
            w[:d0, :] = 0.0
            w[:d0, :d0] = getattr(ob, name).weight
        nb.wo.weight[:d0, :d0] = ob.wo.weight  # old heads write only the old dimensions; new heads write nothing
        for name in ('w1', 'w3'):
            w = getattr(nb, name).weight
            w[:F0, :] = 0.0
            w[:F0, :d0] = getattr(ob, name).weight
        nb.w2.weight[:d0, :F0] = ob.w2.weight
    if c0.id_dims:
        # The frozen identity columns are the embedding's last id_dims (model.py): move the old ones, which are the
        # small model's last columns, to the end of the grown residual, so that they stay the frozen ones.
        k = c0.id_dims
        order = list(range(d0 - k)) + list(range(d0, d)) + list(range(d0 - k, d0))
        permute_residual(big, torch.tensor(order))
    big.eval()
    return big, cfg


@torch.no_grad()
def permute_residual(m: LM, order):
    """Reorders the residual stream's dimensions (new dimension i is old dimension order[i]): the same function,
    since every weight that reads or writes the stream moves with it and RMSNorm does not depend on the order."""
    m.tok.weight.copy_(m.tok.weight[:, order])
    if m.out is not None:
        m.out.weight.copy_(m.out.weight[:, order])
    m.norm.weight.copy_(m.norm.weight[order])
    for b in m.blocks:
        b.attn_norm.weight.copy_(b.attn_norm.weight[order])
        b.ffn_norm.weight.copy_(b.ffn_norm.weight[order])
        for lin in (b.wq, b.wk, b.wv, b.w1, b.w3):
            lin.weight.copy_(lin.weight[:, order])
        for lin in (b.wo, b.w2):
            lin.weight.copy_(lin.weight[order, :])


@torch.no_grad()
def compare(small, big, val, n_windows, T=384):
    """Held-out loss of both models on the same windows, and the largest log-probability difference."""
    starts = np.linspace(0, len(val) - T - 2, n_windows).astype(np.int64)
    tot_s = tot_b = 0.0
    cnt = 0
    max_dp = 0.0
    mean_dp = 0.0
    for s in starts:
        xs = torch.from_numpy(val[s:s + T + 1].astype(np.int64))[None]
        x, y = xs[:, :-1], xs[:, 1:]
        ls = torch.log_softmax(small(x), -1)
        lb = torch.log_softmax(big(x), -1)
        tot_s -= float(ls.gather(-1, y[..., None]).sum())
        tot_b -= float(lb.gather(-1, y[..., None]).sum())
        dp = (ls.exp() - lb.exp()).abs().sum(-1)  # total variation x 2 per position
        max_dp = max(max_dp, float(dp.max()))
        mean_dp += float(dp.sum())
        cnt += y.numel()
    return tot_s / cnt, tot_b / cnt, max_dp, mean_dp / cnt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--snap', required=True, help='snapshot (snap_*.pt) or checkpoint (ckpt.pt) of the small model')
    ap.add_argument('--out', required=True)
    ap.add_argument('--d', type=int, default=256)
    ap.add_argument('--layers', type=int, default=6)
    ap.add_argument('--heads', type=int, default=8)
    ap.add_argument('--ffn', type=int, default=768)
    ap.add_argument('--layer-map', default='0,1,2,3,-,-',
                    help="for each new layer, the old layer it copies or '-' for a new identity block")
    ap.add_argument('--new-std', type=float, default=0.02, help='std of the new units\' input weights')
    ap.add_argument('--extra-emb-std', type=float, default=0.01, help='std of the new embedding dimensions')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--verify', type=int, default=1, help='print held-out loss and copy tests of both models')
    ap.add_argument('--val-windows', type=int, default=32)
    ap.add_argument('--eval-n', type=int, default=100)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--data', default=os.path.join(RUNS, 'data'))
    a = ap.parse_args()
    use_threads(a.threads)
    small, snap = load_snapshot(a.snap)
    layer_map = [None if x.strip() == '-' else int(x) for x in a.layer_map.split(',')]
    big, cfg = grow(small, a.d, a.layers, a.heads, a.ffn, layer_map, a.new_std, a.extra_emb_std, a.seed)
    print(f'small: d={small.c.d} layers={small.c.layers} heads={small.c.heads} ffn={small.c.ffn} '
          f'{n_params(small):,} parameters; grown: d={cfg.d} layers={cfg.layers} heads={cfg.heads} ffn={cfg.ffn} '
          f'{n_params(big):,} parameters', flush=True)
    res = {}
    if a.verify:
        t = time.time()
        val = np.fromfile(os.path.join(a.data, 'val.bin'), dtype=np.uint16)
        ls, lb, max_dp, mean_dp = compare(small, big, val, a.val_windows)
        res = {'val_loss_small': ls, 'val_loss_grown': lb, 'max_abs_prob_diff_sum': max_dp,
               'mean_abs_prob_diff_sum': mean_dp}
        samplers = {'uniform': copy_eval.IdSampler('uniform')}
        for name, m in (('small', small), ('grown', big)):
            # the same prompts and seeds train.py's evaluation uses
            r = copy_eval.copy_accuracy(m, n=a.eval_n, seed=777, samplers=samplers)
            res[f'repeat_{name}'] = copy_eval.repeat_accuracy(m, n=a.eval_n, seed=778, data_dir=a.data)
            for k in ('noisy10', 'clean10', 'noisy5'):
                res[f'{k}_{name}'] = r[k]
        for k, v in res.items():
            print(f'{k:28s} {v:.4f}')
        print(f'verification took {time.time() - t:.0f} s', flush=True)
    out = {'model': big.state_dict(), 'config': cfg.to_dict(), 'step': snap.get('step', 0),
           'tokens_seen': snap.get('tokens_seen', 0), 'text_tokens': snap.get('text_tokens', 0),
           'syn_tokens': snap.get('syn_tokens', 0),
           'grown_from': {'snap': os.path.abspath(a.snap), 'config': small.c.to_dict(), 'layer_map': a.layer_map,
                          'new_std': a.new_std, 'extra_emb_std': a.extra_emb_std, 'seed': a.seed},
           'eval': res}
    tmp = a.out + '.tmp'
    torch.save(out, tmp)
    os.replace(tmp, a.out)
    print(f'wrote {a.out} (step {out["step"]}, tokens seen {out["tokens_seen"]:,}: text {out["text_tokens"]:,}, '
          f'repeat spans {out["syn_tokens"]:,})')


if __name__ == '__main__':
    main()
