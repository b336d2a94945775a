"""Print the evaluation curve of a run (copy accuracy and held-out loss against tokens seen) as a Markdown table.

  /usr/bin/python3 training/lm/curves.py RUN_DIR_OR_LOG [...]
"""
import json
import os
import sys

for arg in sys.argv[1:]:
    path = os.path.join(arg, 'log.jsonl') if os.path.isdir(arg) else arg
    print(f'\n{path}\n')
    print('| step | tokens seen | noisy10 | clean10 | noisy5 | val loss |')
    print('|---|---|---|---|---|---|')
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get('event') == 'eval':
                print(f"| {r['step']} | {r['tokens_seen']:,} | {r['noisy10']:.3f} | {r['clean10']:.3f} | "
                      f"{r['noisy5']:.3f} | {r['val_loss']:.3f} |")
