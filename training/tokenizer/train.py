"""Train the V2L local tokenizer (resumable; CPU with one thread by default, CUDA when present).

  nice -n 5 /usr/bin/python3 train.py --run NAME [--budget IMG_EQ] [--arch small|base]
Resume: run the same command again (it continues from $V2L_RUNS/runs/NAME/last.pt). A larger --budget extends the
schedule: the cosine decay is re-planned from the current learning rate to the new end (no jump).
Budgets and progress are counted in "image equivalents" (img_eq): pixels seen / 128^2.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import RUNS, FIRST_USABLE_ID, VOCAB_SIZE, psnr, psnr_y, to_uint8
from model import Tokenizer

ARCHS = {
    'small': dict(ch=(32, 64, 128, 128), nres=(0, 1, 1, 2)),
    'base': dict(ch=(32, 64, 128, 192), nres=(0, 1, 2, 2)),
}
# crop-size curriculum: (fraction of budget where the stage starts, crop, batch) -> ~64k pixels per step on CPU
STAGES_CPU = [(0.0, 64, 16), (0.45, 96, 7), (0.75, 128, 4)]
STAGES_GPU = [(0.0, 64, 128), (0.45, 96, 64), (0.75, 128, 32)]


def log(*a):
    print(f'[{time.strftime("%H:%M:%S")}]', *a, file=sys.stderr, flush=True)


class Data:
    """Random crops + horizontal flips from the uint8 cache written by prepare_data.py."""

    def __init__(self, root, seed):
        self.pixels = np.load(root / 'pixels.npy', mmap_mode='r')
        self.index = np.load(root / 'index.npy')
        self.rng = np.random.default_rng(seed)

    def batch(self, n, crop):
        out = np.empty((n, crop, crop, 3), dtype=np.uint8)
        for k in range(n):
            while True:
                off, h, w, _ = self.index[self.rng.integers(len(self.index))]
                if h >= crop and w >= crop:
                    break
            y = self.rng.integers(h - crop + 1)
            x = self.rng.integers(w - crop + 1)
            img = self.pixels[off:off + h * w * 3].reshape(h, w, 3)
            c = img[y:y + crop, x:x + crop]
            out[k] = c[:, ::-1] if self.rng.random() < 0.5 else c
        return out


def to_input(u8, device):
    t = torch.from_numpy(u8).to(device)
    return t.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0).contiguous()


def lr_at(sched, t):
    """sched: list of segments {start, end, lr0, lr1}; cosine from lr0 at start to lr1 at end; warm-up in the first."""
    seg = sched[-1]
    for s in sched:
        if s['start'] <= t < s['end']:
            seg = s
            break
    f = min(max((t - seg['start']) / max(seg['end'] - seg['start'], 1e-9), 0.0), 1.0)
    lr = seg['lr1'] + 0.5 * (seg['lr0'] - seg['lr1']) * (1 + math.cos(math.pi * f))
    if seg.get('warmup'):
        lr *= min(1.0, (t + 1) / seg['warmup'])
    return lr


def stage_at(stages, frac):
    cur = stages[0]
    for s in stages:
        if frac >= s[0]:
            cur = s
    return cur


@torch.no_grad()
def evaluate(model, images_u8, device, bs=20):
    model.eval()
    ps, pys, ids_all = [], [], []
    for i in range(0, len(images_u8), bs):
        x = to_input(images_u8[i:i + bs], device)
        y, ids, _ = model(x)
        rec = to_uint8(y.float().cpu().numpy())
        for a, b in zip(images_u8[i:i + bs], rec):
            ps.append(psnr(a, b))
            pys.append(psnr_y(a, b))
        ids_all.append(ids.cpu().numpy().ravel())
    model.train()
    return {'psnr': float(np.mean(ps)), 'psnr_y': float(np.mean(pys)),
            'distinct': int(np.unique(np.concatenate(ids_all)).size), 'images': len(images_u8)}


def save_atomic(obj, path):
    tmp = str(path) + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--arch', default='small', choices=sorted(ARCHS))
    ap.add_argument('--budget', type=float, default=400_000, help='total image equivalents (128x128) to train for')
    ap.add_argument('--lr', type=float, default=None, help='peak learning rate (default 6e-4 CPU, 1.5e-3 CUDA)')
    ap.add_argument('--lr-min-frac', type=float, default=0.02)
    ap.add_argument('--warmup', type=float, default=2000, help='image equivalents of linear warm-up')
    ap.add_argument('--mse', type=float, default=1.0, help='weight of MSE next to L1')
    ap.add_argument('--grad', type=float, default=0.0, help='weight of an L1 loss on image gradients')
    ap.add_argument('--commit', type=float, default=1.0)
    ap.add_argument('--ema', type=float, default=0.999)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--codebook', default=str(RUNS / 'codebook' / 'codebook-llama2-128d.npy'))
    ap.add_argument('--data', default=str(RUNS / 'data'))
    ap.add_argument('--log-every', type=float, default=60, help='seconds')
    ap.add_argument('--eval-every', type=float, default=1800, help='seconds')
    ap.add_argument('--heldout-n', type=int, default=64, help='held-out train images used by the periodic check')
    ap.add_argument('--ckpt-every', type=float, default=600, help='seconds')
    ap.add_argument('--snapshot-every', type=float, default=50_000, help='keep a copy every N img_eq')
    ap.add_argument('--max-seconds', type=float, default=0, help='stop after this many seconds (0 = run to budget)')
    args = ap.parse_args()

    from pathlib import Path
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    device = torch.device('cuda' if cuda else 'cpu')
    stages = STAGES_GPU if cuda else STAGES_CPU
    if args.lr is None:
        args.lr = 1.5e-3 if cuda else 6e-4
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    args.hardware = torch.cuda.get_device_name(0) if cuda else f'CPU ({args.threads} thread)'
    run_dir = RUNS / 'runs' / args.run
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = run_dir / 'last.pt'
    codebook = np.load(args.codebook).astype(np.float32)
    arch = ARCHS[args.arch]
    model = Tokenizer(codebook, **arch).to(device)
    ema = Tokenizer(codebook, **arch).to(device)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.99))
    state = {'img_eq': 0.0, 'crops': 0, 'step': 0, 'wall': 0.0, 'next_snapshot': args.snapshot_every,
             'sched': [{'start': 0.0, 'end': args.budget, 'lr0': args.lr, 'lr1': args.lr * args.lr_min_frac,
                        'warmup': args.warmup}],
             'seen': np.zeros(VOCAB_SIZE, dtype=bool)}
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck['model'])
        ema.load_state_dict(ck['ema'])
        opt.load_state_dict(ck['opt'])
        state = ck['state']
        if ck['args']['arch'] != args.arch:
            raise SystemExit(f'checkpoint arch {ck["args"]["arch"]} != {args.arch}')
        end = state['sched'][-1]['end']
        if abs(args.budget - end) > 1e-6:
            cur = lr_at(state['sched'], state['img_eq'])
            state['sched'][-1]['end'] = state['img_eq']
            state['sched'].append({'start': state['img_eq'], 'end': args.budget, 'lr0': cur,
                                   'lr1': args.lr * args.lr_min_frac})
            log(f'schedule re-planned: cosine {cur:.2e} -> {args.lr * args.lr_min_frac:.2e} '
                f'from {state["img_eq"]:.0f} to {args.budget:.0f} img_eq')
        log(f'resumed at step {state["step"]}, {state["img_eq"]:.0f} img_eq')
    with open(run_dir / 'args.json', 'w') as f:
        json.dump(vars(args), f, indent=1)
    data = Data(Path(args.data), seed=args.seed + state['step'])
    heldout_all = np.load(Path(args.data) / 'heldout.npy')
    heldout = heldout_all[:args.heldout_n]
    logf = open(run_dir / 'log.jsonl', 'a')
    nparams = sum(p.numel() for p in model.parameters())
    log(f'device {device}, threads {args.threads}, params {nparams / 1e6:.2f} M, budget {args.budget:.0f} img_eq')

    def checkpoint():
        save_atomic({'model': model.state_dict(), 'ema': ema.state_dict(), 'opt': opt.state_dict(),
                     'state': state, 'args': vars(args), 'arch': arch}, ckpt_path)

    def write(rec):
        logf.write(json.dumps(rec) + '\n')
        logf.flush()

    t_start = time.time()
    wall0 = state['wall']
    last_log = last_eval = last_ckpt = time.time()
    acc = {'l1': 0.0, 'mse': 0.0, 'commit': 0.0, 'n': 0, 'crops': 0, 'img_eq': 0.0}
    recent = np.zeros(VOCAB_SIZE, dtype=bool)
    while state['img_eq'] < state['sched'][-1]['end']:
        frac = state['img_eq'] / state['sched'][-1]['end']
        _, crop, bs = stage_at(stages, frac)
        lr = lr_at(state['sched'], state['img_eq'])
        for g in opt.param_groups:
            g['lr'] = lr
        x = to_input(data.batch(bs, crop), device)
        y, ids, commit = model(x)
        l1 = (y - x).abs().mean()
        mse = F.mse_loss(y, x)
        loss = l1 + args.mse * mse + args.commit * commit
        if args.grad > 0:
            gx = lambda t: t[..., :, 1:] - t[..., :, :-1]
            gy = lambda t: t[..., 1:, :] - t[..., :-1, :]
            loss = loss + args.grad * ((gx(y) - gx(x)).abs().mean() + (gy(y) - gy(x)).abs().mean())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            d = min(args.ema, (1.0 + state['step']) / (10.0 + state['step']))  # EMA warm-up
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(d).add_(pm.detach(), alpha=1 - d)
        u = ids.cpu().numpy().ravel()
        recent[u] = True
        state['seen'][u] = True
        e = bs * crop * crop / 128.0 ** 2
        state['img_eq'] += e
        state['crops'] += bs
        state['step'] += 1
        acc['l1'] += l1.item(); acc['mse'] += mse.item(); acc['commit'] += commit.item(); acc['n'] += 1
        acc['crops'] += bs; acc['img_eq'] += e
        now = time.time()
        state['wall'] = wall0 + (now - t_start)
        if state['img_eq'] >= state['next_snapshot']:
            checkpoint()
            snap = run_dir / f'snap-{int(state["next_snapshot"]):08d}.pt'
            save_atomic({'ema': ema.state_dict(), 'state': {k: v for k, v in state.items() if k != 'seen'},
                         'args': vars(args), 'arch': arch}, snap)
            state['next_snapshot'] += args.snapshot_every
        if now - last_log >= args.log_every:
            n = acc['n']
            rec = {'type': 'train', 'step': state['step'], 'img_eq': round(state['img_eq'], 1), 'crops': state['crops'],
                   'wall_s': round(state['wall'], 1), 'lr': lr, 'crop': crop, 'batch': bs,
                   'l1': acc['l1'] / n, 'mse': acc['mse'] / n, 'commit': acc['commit'] / n,
                   'psnr_batch': 10 * math.log10(4.0 / max(acc['mse'] / n, 1e-12)),
                   'usage_recent': int(recent.sum()), 'usage_total': int(state['seen'].sum()),
                   'img_eq_per_s': acc['img_eq'] / (now - last_log)}
            write(rec)
            log(' '.join(f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}' for k, v in rec.items() if k != 'type'))
            acc = {k: 0 for k in acc}
            recent[:] = False
            last_log = now
        if now - last_eval >= args.eval_every:
            for name, net in (('ema', ema), ('model', model)):
                r = evaluate(net, heldout, device)
                r.update({'type': 'eval_heldout', 'weights': name, 'step': state['step'],
                          'img_eq': round(state['img_eq'], 1), 'wall_s': round(state['wall'], 1)})
                write(r)
                log('heldout', r)
            last_eval = time.time()
        if now - last_ckpt >= args.ckpt_every:
            checkpoint()
            last_ckpt = time.time()
        if args.max_seconds and now - t_start >= args.max_seconds:
            break
    checkpoint()
    r = evaluate(ema, heldout_all, device)
    r.update({'type': 'eval_heldout', 'weights': 'ema', 'step': state['step'], 'img_eq': round(state['img_eq'], 1),
              'wall_s': round(state['wall'], 1), 'final': state['img_eq'] >= state['sched'][-1]['end']})
    write(r)
    log('final heldout', r)


if __name__ == '__main__':
    main()
