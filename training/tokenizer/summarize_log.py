"""Print a markdown summary of a run's log.jsonl (held-out checks, throughput, codebook usage).

  /usr/bin/python3 summarize_log.py RUN_NAME_OR_LOG_PATH
"""
import json
import sys
from pathlib import Path

from common import RUNS


def main():
    arg = Path(sys.argv[1])
    path = arg if arg.suffix == '.jsonl' else RUNS / 'runs' / str(arg) / 'log.jsonl'
    recs = [json.loads(line) for line in open(path)]
    train = [r for r in recs if r['type'] == 'train']
    evals = [r for r in recs if r['type'] == 'eval_heldout']
    print('| img_eq | wall h | weights | held-out PSNR | PSNR-Y | distinct ids | lr | crop |')
    print('|---|---|---|---|---|---|---|---|')
    for e in evals:
        t = min(train, key=lambda r: abs(r['img_eq'] - e['img_eq'])) if train else {}
        print(f"| {e['img_eq']:.0f} | {e['wall_s'] / 3600:.2f} | {e.get('weights', 'ema')} | {e['psnr']:.2f} | "
              f"{e['psnr_y']:.2f} | {e['distinct']} ({e['images']} img) | {t.get('lr', 0):.2e} | {t.get('crop', '')} |")
    if train:
        last = train[-1]
        rate = sum(r['img_eq_per_s'] for r in train[-30:]) / len(train[-30:])
        print(f"\nlast train record: img_eq {last['img_eq']:.0f}, step {last['step']}, wall {last['wall_s'] / 3600:.2f} h, "
              f"batch PSNR {last['psnr_batch']:.2f}, ids used in the last interval {last['usage_recent']}, "
              f"ids seen since start {last['usage_total']}, {rate:.2f} img_eq/s (recent mean)")


if __name__ == '__main__':
    main()
