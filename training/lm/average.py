"""Average the weights of several snapshots of one lineage into one snapshot (checkpoint averaging).

Snapshots along one training trajectory sit in one basin, so their mean is a model too, usually with a lower loss
than its members (stochastic weight averaging; "latest weight averaging"). It is a candidate like any other: it is
judged on held-out loss and the repeat test (copy_eval.py, measure.sh), never on the restoration prompt.

  /usr/bin/python3 training/lm/average.py --out AVG.pt SNAP [SNAP ...]      (oldest first)

The members must share one config (same shape, same frozen id columns; dropout may differ). The result is a
model-only snapshot in float32 that export_gguf.py, copy_eval.py and train.py --init-from read; its config, step and
token counts are the last member's, and `averaged` lists the members.
"""
import argparse
import os
import sys

import torch

TRAINING_ONLY = ('dropout',)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('snaps', nargs='+')
    a = ap.parse_args()
    if len(a.snaps) < 2:
        sys.exit('give two or more snapshots to average')
    missing = [p for p in a.snaps if not os.path.isfile(p)]
    if missing:
        sys.exit(f'no such snapshot: {", ".join(missing)} (give snap_*.pt files of train.py, oldest first)')
    members = [torch.load(p, map_location='cpu') for p in a.snaps]
    # Dropout is a training setting, not part of the weights' shape: a stage trained with it averages with one trained
    # without (lineage.sh from stage M on). The average carries the last member's config, as it carries its counts.
    shape = [{k: v for k, v in m['config'].items() if k not in TRAINING_ONLY} for m in members]
    for p, c in zip(a.snaps, shape):
        if c != shape[0]:
            sys.exit(f'{p}: its config differs from {a.snaps[0]}\'s, so the two cannot be averaged')
    cfg = members[-1]['config']
    avg = {}
    for k, v in members[0]['model'].items():
        if not v.is_floating_point():
            avg[k] = v.clone()
            continue
        avg[k] = sum(m['model'][k].float() for m in members) / len(members)
    last = members[-1]
    # The last member saw everything the others did (one trajectory), so its counts are the average's: a run started
    # from it goes on counting from them, and the model card's tokens per source stay whole.
    out = {k: last.get(k) for k in ('step', 'tokens_seen', 'text_tokens', 'syn_tokens')}
    out.update({'model': avg, 'config': cfg, 'averaged': [os.path.abspath(p) for p in a.snaps]})
    tmp = a.out + '.tmp'
    torch.save(out, tmp)
    os.replace(tmp, a.out)
    print(f'averaged {len(members)} snapshots into {a.out}')


if __name__ == '__main__':
    main()
