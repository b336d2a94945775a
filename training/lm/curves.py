"""Print the evaluation curve of a run as a Markdown table: held-out loss and the generic repeat-copy test (what
checkpoints are chosen by), then the restoration-prompt copy tests (reported only), against tokens seen per source.

  /usr/bin/python3 training/lm/curves.py RUN_DIR_OR_LOG [...]
"""
import json
import os
import sys

for arg in sys.argv[1:]:
    path = os.path.join(arg, 'log.jsonl') if os.path.isdir(arg) else arg
    print(f'\n{path}\n')
    print('| step | tokens seen | text tokens | repeat-span tokens | val loss | repeat | noisy10 | clean10 | noisy5 |')
    print('|---|---|---|---|---|---|---|---|---|')
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get('event') != 'eval':
                continue
            # Runs before issue 12 logged neither the repeat test nor the tokens per source.
            rep = f"{r['repeat']:.3f}" if 'repeat' in r else '-'
            text = f"{r['text_tokens']:,}" if 'text_tokens' in r else '-'
            syn = f"{r['syn_tokens']:,}" if 'syn_tokens' in r else '-'
            print(f"| {r['step']} | {r['tokens_seen']:,} | {text} | {syn} | {r['val_loss']:.3f} | {rep} | "
                  f"{r['noisy10']:.3f} | {r['clean10']:.3f} | {r['noisy5']:.3f} |")
