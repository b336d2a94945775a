"""Train the small llama-architecture LM on text, with a small share of generic repeat-span sequences.

  nice -n 5 /usr/bin/python3 training/lm/train.py --run NAME [--preset cpu|gpu] [--init-from SNAP.pt] [--key value ...]

Runs live in $V2L_RUNS/lm/NAME/ ($V2L_RUNS defaults to ~/.cache/v2l-training/lm): ckpt.pt (atomic, resumable: the
same command resumes), log.jsonl (train / eval records with tokens seen per source), args.json. Data:
$V2L_RUNS/data/{train,val}.bin from tokenize_corpus.mjs. Uses CUDA when available (bf16 autocast), otherwise the
CPU with --threads threads for the matrix products (threads.py).

Data (issue 12's rules): plain text windows of the corpus (loss on every token), and a small share of 'repeat'
sequences: running text, a span of 4-64 random ids (uniform or corpus-distributed), more text, the same span again,
with loss only on the repeat (the classic induction-head task). Never noisy copies, records, delimiters of our own,
the restoration prompt's words or image tokens. Curriculum: --syn-only-steps of repeat sequences only (length --T0;
a from-scratch start, so the induction initialisation becomes a working mechanism), then the repeat share falls to
--syn-final over --ramp-steps (length --T). A run continuing a trained model uses --syn-only-steps 0 --ramp-steps 1.
"""
import argparse
import json
import math
import os
import signal
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

PRESETS = {
    # one CPU thread, sampled softmax
    'cpu': dict(d=128, layers=4, heads=4, ffn=384, B0=8, T0=384, B=8, T=384, lr=1.5e-3, warmup=200,
                syn_only_steps=400, ramp_steps=2000, syn_final=0.1, pool_share=0.5, n_neg=2048, eval_every=300,
                ckpt_every=100, full_softmax=False, steps=10 ** 9, decay_steps=0),
    # one H100 for ~10 minutes: wider, full softmax, big batches
    'gpu': dict(d=256, layers=6, heads=8, ffn=768, B0=64, T0=384, B=64, T=512, lr=1.5e-3, warmup=200,
                syn_only_steps=300, ramp_steps=1500, syn_final=0.1, pool_share=0.5, n_neg=8192, eval_every=500,
                ckpt_every=250, full_softmax=True, steps=6000, decay_steps=1500),
}

class Data:
    def __init__(self, data_dir, seed, pool_share=0.0, copies=2, mix_share=0.0):
        self.pool_share = pool_share
        self.mix_share = mix_share
        self.copies = copies
        self.text_tokens = 0  # tokens of plain-text sequences served (the model card reports both counts)
        self.syn_tokens = 0  # tokens of repeat-span sequences served (their filler text included)
        self.train = np.fromfile(os.path.join(data_dir, 'train.bin'), dtype=np.uint16)
        cnt = np.bincount(self.train, minlength=32000).astype(np.float64)
        cnt[:259] = 0
        self.cdf = np.cumsum(cnt / cnt.sum())
        self.rng = np.random.default_rng(seed)

    def ids(self, n, text_dist):
        r = self.rng
        if text_dist:
            return np.minimum(np.searchsorted(self.cdf, r.random(n)), 31999).astype(np.int64)
        return r.integers(259, 32000, size=n)

    def mixed_ids(self, n):
        return np.where(self.rng.random(n) < 0.5, self.ids(n, True), self.ids(n, False))

    def text(self, n):
        s = int(self.rng.integers(0, len(self.train) - n - 1))
        return self.train[s:s + n].astype(np.int64)

    # ---- sequence builders: return (tokens[T+1], loss_mask[T+1]); mask[i] = loss on predicting tokens[i] ----
    def text_seq(self, T):
        x = np.concatenate([[1], self.text(T)])
        m = np.ones(T + 1, dtype=bool)
        m[0] = False
        return x, m

    def _finish(self, seq, mask, T):
        seq, mask = seq[:T + 1], mask[:T + 1]
        if len(seq) < T + 1:
            k = T + 1 - len(seq)
            seq = seq + self.text(k).tolist()
            mask = mask + [False] * k
        return np.array(seq, dtype=np.int64), np.array(mask, dtype=bool)

    def repeat_seq(self, T):
        """A random span of ids and, after some text, the same span again: the generic induction-head task.

        With `copies` > 2 the span recurs 2..copies times (exact repeats, text between them), so the evidence for a
        copy can come from several earlier occurrences, as a word repeated through a paragraph gives it. Loss only on
        ids 2..n of every copy after the first (the first id of a copy cannot be known before it starts). No noise,
        no record layout, no delimiters of our own: the span sits in running text."""
        r = self.rng
        seq, mask = [1], [False]
        f = int(r.integers(0, T // 4))
        seq += self.text(f).tolist()
        mask += [False] * f
        # With copies = 2 no draw is made, so runs from before --copies replay the same random stream.
        k = int(r.integers(2, self.copies + 1)) if self.copies > 2 else 2
        n = int(r.integers(4, min(64, (3 * T // 4) // k) + 1))
        text_dist = r.random() < 0.5
        # A mixed span draws each id from either distribution, so frequent ids are followed by rare ones: copying
        # it means trusting the earlier occurrence over what the text has taught about the frequent id's successor.
        mixed = bool(self.mix_share) and r.random() < self.mix_share

        def draw(m):
            return self.mixed_ids(m) if mixed else self.ids(m, text_dist)

        if r.random() < self.pool_share:
            # A span over a small alphabet (2-8 ids), so the same id recurs inside it: copying it needs more than
            # the one previous token as the match, as repeated words in running text (or flat image regions) do.
            span = r.choice(draw(int(r.integers(2, 9))), n).tolist()
        else:
            span = draw(n).tolist()
        seq += span
        mask += [False] * n
        for _ in range(k - 1):
            gap = self.text(int(r.integers(0, T // (4 * (k - 1))))).tolist()
            seq += gap + span
            mask += [False] * (len(gap) + 1) + [True] * (n - 1)
        return self._finish(seq, mask, T)

    def batch(self, B, T, p_syn):
        xs, ms = [], []
        for _ in range(B):
            u = self.rng.random()
            if u < p_syn:
                x, m = self.repeat_seq(T)
                self.syn_tokens += T
            else:
                x, m = self.text_seq(T)
                self.text_tokens += T
            xs.append(x)
            ms.append(m)
        x = torch.from_numpy(np.stack(xs))
        m = torch.from_numpy(np.stack(ms))
        return x[:, :-1], x[:, 1:], m[:, 1:]


def schedule(a, step):
    if step < a.syn_only_steps:
        return 1.0, a.B0, a.T0
    f = min(1.0, (step - a.syn_only_steps) / max(a.ramp_steps, 1))
    return 1.0 - f * (1.0 - a.syn_final), a.B, a.T


def cosine_tail(lr, f):
    """The rate at fraction f (0..1) of a cosine tail from lr down to a tenth of it."""
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(f, 1.0))))


def lr_at(a, step, start_step=0, elapsed_s=0.0):
    """Linear warm-up over the first --warmup steps of this run (a run continuing a snapshot warms up its fresh
    optimiser too: without it, full-size Adam steps on new data wreck a trained model within tens of steps).
    The cosine tail to a tenth is either the last --decay-steps of --steps or, for a run bounded by --max-minutes
    (a lent GPU, whose step rate is not known beforehand), the last --decay-frac of its wall time."""
    if step - start_step < a.warmup:
        return a.lr * (step - start_step + 1) / a.warmup
    if a.decay_frac and a.max_minutes:
        f = (elapsed_s / (a.max_minutes * 60) - (1 - a.decay_frac)) / a.decay_frac
        return cosine_tail(a.lr, f) if f > 0 else a.lr
    if a.decay_steps and step >= a.steps - a.decay_steps:
        return cosine_tail(a.lr, (step - (a.steps - a.decay_steps)) / a.decay_steps)
    return a.lr


def atomic_save(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--preset', default=None, help='cpu or gpu (default: gpu if CUDA is available)')
    ap.add_argument('--data', default=os.path.join(RUNS, 'data'))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--max-minutes', type=float, default=0, help='stop (with a checkpoint) after this wall time')
    ap.add_argument('--prev-heads', default='1,2', help='layer-0 heads initialised as offset heads ("" = none)')
    ap.add_argument('--prev-scale', type=float, default=12.0)
    ap.add_argument('--emb-std', type=float, default=0.08)
    ap.add_argument('--tie', type=int, default=1)
    ap.add_argument('--rope-base', type=float, default=1e6)
    ap.add_argument('--induction-init', type=int, default=1, help='start layer 1 as an induction layer (model.py)')
    ap.add_argument('--ind-qk', type=float, default=3.0)
    ap.add_argument('--ind-ov', type=float, default=1.0)
    ap.add_argument('--ind-v', type=float, default=0.25)
    ap.add_argument('--eval-n', type=int, default=100)
    ap.add_argument('--eval-at-start', type=int, default=1)
    ap.add_argument('--init-from', default=None, help='start from this snapshot (snap_*.pt) of another run')
    ap.add_argument('--snapshots', type=int, default=1, help='keep a model-only snapshot at every evaluation')
    ap.add_argument('--id-dims', type=int, default=0, help='embedding columns frozen at init (model.py id_dims)')
    ap.add_argument('--id-code', default='random', help='what the frozen columns hold: random, rm (id-dims 32) or bch (64) (model.py id_code)')
    ap.add_argument('--q-bias', type=int, default=0, help='learned query bias (model.py q_bias); a snapshot without '
                    'one starts from zero bias, the same function')
    ap.add_argument('--q-bias-lr-mult', type=float, default=20.0, help='the query bias\'s learning rate, in units of --lr')
    ap.add_argument('--dropout', type=float, default=None, help='dropout on embeddings and residual branches')
    ap.add_argument('--head-atten', type=float, default=None, help='scale heads of --head-atten-layers by U[1-a, 1]')
    ap.add_argument('--head-atten-layers', default='1', help='layers whose heads --head-atten scales (comma list)')
    ap.add_argument('--decay-frac', type=float, default=0.0, help='cosine tail over this share of --max-minutes')
    ap.add_argument('--eval-minutes', type=float, default=0, help='also evaluate after this much wall time')
    ap.add_argument('--val-windows', type=int, default=32, help='held-out windows of the val_loss reading')
    ap.add_argument('--val-T', type=int, default=384)
    ap.add_argument('--copies', type=int, default=2, help='a repeat span occurs 2..copies times (exact repeats)')
    ap.add_argument('--mix-share', type=float, default=0.0, help='share of repeat spans mixing both id distributions')
    ap.add_argument('--frozen-copy', type=int, default=0,
                    help='hold the induction-initialised heads at their initial weights (model.py frozen_copy)')
    ap.add_argument('--untie', type=int, default=0,
                    help='with --init-from a tied snapshot: an output matrix of its own, started as a copy of the '
                    'embedding (the same function)')
    ap.add_argument('--best-out', default=None, help='keep the lowest-val_loss weights here (float16, model only)')
    for k, v in PRESETS['cpu'].items():
        ap.add_argument('--' + k.replace('_', '-'), type=type(v) if not isinstance(v, bool) else int, default=None)
    a = ap.parse_args()
    cuda = torch.cuda.is_available()
    preset = a.preset or ('gpu' if cuda else 'cpu')
    for k, v in PRESETS[preset].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    dev = 'cuda' if cuda else 'cpu'
    use_threads(a.threads)
    rdir = os.path.join(RUNS, 'lm', a.run)
    os.makedirs(rdir, exist_ok=True)
    ckpath = os.path.join(rdir, 'ckpt.pt')
    logf = open(os.path.join(rdir, 'log.jsonl'), 'a')

    def log(rec):
        rec['time'] = round(time.time(), 1)
        logf.write(json.dumps(rec) + '\n')
        logf.flush()
        print(json.dumps(rec), flush=True)

    cfg = Config(d=a.d, layers=a.layers, heads=a.heads, ffn=a.ffn, tie=bool(a.tie), emb_std=a.emb_std,
                 prev_heads=[int(x) for x in a.prev_heads.split(',') if x.strip()], prev_scale=a.prev_scale,
                 rope_base=a.rope_base, induction_init=bool(a.induction_init), ind_qk=a.ind_qk, ind_ov=a.ind_ov,
                 ind_v=a.ind_v, id_dims=a.id_dims, id_code=a.id_code, q_bias=bool(a.q_bias), seed=1234 + a.seed,
                 frozen_copy=bool(a.frozen_copy))
    step, tokens_seen, start_step = 0, 0, 0
    if os.path.exists(ckpath):
        ck = torch.load(ckpath, map_location='cpu')
        cfg = Config(**ck['config'])
        model = LM(cfg)
        model.load_state_dict(ck['model'])
        step, tokens_seen = ck['step'], ck['tokens_seen']
        start_step = ck.get('start_step', 0)
    elif a.init_from:
        # A new run continuing from another run's snapshot (weights only; fresh optimiser, this run's schedule).
        snap = torch.load(a.init_from, map_location='cpu')
        cfg = Config(**snap['config'])
        cfg.q_bias = cfg.q_bias or bool(a.q_bias)
        untie = bool(a.untie) and cfg.tie
        if untie:
            cfg.tie = False
        model = LM(cfg)
        missing, unexpected = model.load_state_dict(snap['model'], strict=False)
        assert not unexpected and all(k.endswith('wq.bias') or (untie and k == 'out.weight') for k in missing), (
            missing, unexpected)
        if untie:
            with torch.no_grad():
                model.out.weight.copy_(model.tok.weight)
        step, tokens_seen = snap['step'], snap['tokens_seen']
        start_step = step
        ck = None
    else:
        snap = None
        torch.manual_seed(a.seed)
        model = LM(cfg)
        ck = None
    if a.dropout is not None:
        cfg.dropout = a.dropout  # the model's blocks share this Config object
    if a.head_atten is not None:
        cfg.head_atten = a.head_atten
        cfg.head_atten_layers = [int(x) for x in a.head_atten_layers.split(',') if x.strip()]
    model.to(dev)
    # (parameter, mask, value) for the entries held fixed: restored after every step, so neither Adam's moments nor
    # weight decay move them
    frozen = [(p, m, p.detach().clone()) for p, m in model.frozen_copy_masks()] if cfg.frozen_copy else []
    decay, no_decay, q_bias = [], [], []
    for n_, p in model.named_parameters():
        if n_.endswith('wq.bias'):
            q_bias.append(p)
        else:
            (decay if p.dim() == 2 and not n_.startswith(('tok', 'out')) else no_decay).append(p)
    groups = [{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}]
    if q_bias:
        # Adam moves a weight by about the rate a step: a sink needs a bias of several units, which at the
        # weights' rate takes tens of thousands of steps
        groups.append({'params': q_bias, 'weight_decay': 0.0, 'lr_mult': a.q_bias_lr_mult})
    opt = torch.optim.AdamW(groups, lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    if ck is not None:
        opt.load_state_dict(ck['opt'])
    data = Data(a.data, a.seed * 1000003 + step, pool_share=a.pool_share, copies=a.copies,
                mix_share=a.mix_share)
    if ck is not None and 'rng' in ck:
        data.rng.bit_generator.state = ck['rng']
    src = ck if ck is not None else (snap if a.init_from else {})
    data.text_tokens, data.syn_tokens = src.get('text_tokens', 0), src.get('syn_tokens', 0)
    with open(os.path.join(rdir, 'args.json'), 'w') as f:
        json.dump({'args': vars(a), 'config': cfg.to_dict(), 'params': n_params(model), 'device': dev}, f, indent=1)
    if ck is None:
        log({'event': 'start', 'params': n_params(model), 'config': cfg.to_dict(), 'args': vars(a)})
    else:
        log({'event': 'resume', 'step': step, 'tokens_seen': tokens_seen})
    val = np.fromfile(os.path.join(a.data, 'val.bin'), dtype=np.uint16)
    samplers = {'uniform': copy_eval.IdSampler('uniform')}

    stop = {'flag': False}

    def on_sig(*_):
        stop['flag'] = True
    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    def save():
        atomic_save({'model': model.state_dict(), 'opt': opt.state_dict(), 'config': cfg.to_dict(), 'step': step,
                     'tokens_seen': tokens_seen, 'rng': data.rng.bit_generator.state, 'args': vars(a),
                     'text_tokens': data.text_tokens, 'syn_tokens': data.syn_tokens, 'start_step': start_step}, ckpath)

    def evaluate():
        t = time.time()
        res = copy_eval.copy_accuracy(model, n=a.eval_n, seed=777, samplers=samplers, device=dev)
        res = {k: v for k, v in res.items() if 'ref' not in k}
        res['repeat'] = copy_eval.repeat_accuracy(model, n=a.eval_n, seed=778, device=dev, data_dir=a.data)
        res['val_loss'] = copy_eval.val_loss(model, val, T=a.val_T, n_windows=a.val_windows, device=dev,
                                             batch=16 if cuda else 2)
        log({'event': 'eval', 'step': step, 'tokens_seen': tokens_seen, 'text_tokens': data.text_tokens,
             'syn_tokens': data.syn_tokens, **res, 'eval_s': round(time.time() - t, 1)})
        if a.snapshots:  # model-only snapshot per evaluation, so the best copy/loss trade-off can be exported later
            atomic_save({'model': model.state_dict(), 'config': cfg.to_dict(), 'step': step, 'tokens_seen': tokens_seen,
                         'text_tokens': data.text_tokens, 'syn_tokens': data.syn_tokens, 'eval': res},
                        os.path.join(rdir, f'snap_{step:07d}.pt'))
        if a.best_out and res['val_loss'] < best['val_loss']:
            best['val_loss'] = res['val_loss']
            atomic_save({'model': {k: v.half().cpu() for k, v in model.state_dict().items()}, 'config': cfg.to_dict(),
                         'step': step, 'tokens_seen': tokens_seen, 'text_tokens': data.text_tokens,
                         'syn_tokens': data.syn_tokens, 'eval': res}, a.best_out)

    best = {'val_loss': float('inf')}

    if ck is None and a.eval_at_start:
        evaluate()  # accuracy at initialisation (before any training)
    t_start = t_eval = time.time()
    acc = {'loss': 0.0, 'n': 0, 'tok': 0, 't': time.time(), 'syn': 0.0, 'ns': 0, 'txt': 0.0, 'nt': 0}
    gen = torch.Generator(device=dev)
    gen.manual_seed(a.seed + step)
    amp = torch.autocast('cuda', dtype=torch.bfloat16) if cuda else None
    while step < a.steps and not stop['flag']:
        p_syn, B, T = schedule(a, step)
        x, y, m = data.batch(B, T, p_syn)
        x, y, m = x.to(dev), y.to(dev), m.to(dev)
        for g in opt.param_groups:
            g['lr'] = lr_at(a, step, start_step, time.time() - t_start) * g.get('lr_mult', 1.0)
        if amp is not None:
            with amp:
                loss = model.full_loss(x, y, m) if a.full_softmax else model.sampled_loss(x, y, m, a.n_neg, gen)
        else:
            loss = model.full_loss(x, y, m) if a.full_softmax else model.sampled_loss(x, y, m, a.n_neg, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        for p, m, _ in frozen:
            p.grad.masked_fill_(m, 0.0)  # so the clipping below sees only the gradients that are applied
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for p, m, v in frozen:
                p.copy_(torch.where(m, v, p))
        step += 1
        tokens_seen += x.numel()
        acc['loss'] += float(loss)
        acc['n'] += 1
        acc['tok'] += x.numel()
        if p_syn >= 1.0:
            acc['syn'] += float(loss)
            acc['ns'] += 1
        if step % 50 == 0:
            dt = time.time() - acc['t']
            log({'event': 'train', 'step': step, 'tokens_seen': tokens_seen, 'loss': acc['loss'] / acc['n'],
                 'p_syn': round(p_syn, 3), 'lr': opt.param_groups[0]['lr'], 'T': T, 'B': B,
                 'tok_per_s': round(acc['tok'] / dt, 1)})
            acc = {'loss': 0.0, 'n': 0, 'tok': 0, 't': time.time(), 'syn': 0.0, 'ns': 0, 'txt': 0.0, 'nt': 0}
        if step % a.ckpt_every == 0:
            save()
        if step % a.eval_every == 0 or (a.eval_minutes and time.time() - t_eval > a.eval_minutes * 60):
            evaluate()
            acc['t'] = t_eval = time.time()
        if a.max_minutes and time.time() - t_start > a.max_minutes * 60:
            break
    save()
    if step % a.eval_every:  # a step that eval_every divides was evaluated in the loop already
        evaluate()
    log({'event': 'stop', 'step': step, 'tokens_seen': tokens_seen})


if __name__ == '__main__':
    main()
