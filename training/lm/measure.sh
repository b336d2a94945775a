#!/usr/bin/env bash
# Measure a snapshot the way the status table in README.md does, through node-llama-cpp: an f16 GGUF, `eval lm`,
# and reference-protocol restoration on the first LIMIT dev images of all five tasks, in three lanes balanced by
# prompt length (inpaint's prompts are half the others'), beside a fourth for the held-out readings.
#
#   bash training/lm/measure.sh SNAPSHOT OUTDIR [LIMIT]      e.g.  $V2L_RUNS/lm/idYJ/snap_0008200.pt /tmp/idYJ 50
#
# Writes to OUTDIR: lm.gguf, eval_lm.json (and eval_lm_32k.json, over 32,768 held-out tokens), r<LIMIT>_<task>.json
# (and .err with the per-image log), then prints the figures the table takes. LIMIT defaults to 50: on two cores
# with nothing beside it, 22 minutes for a d=256 model (idWI's end). With the two held-out readings run before the
# restorations rather than beside them: 26.6 minutes for a d=256 model (idWG's end), 8.7 of them the 32,768-token
# reading, and 16 for a d=128 model (idW's end, before the second run's copy tests were cut to one case), 9 of them
# that reading; before that reading was added, 14 minutes for a d=256 model with training paused (idVG, idVH) and
# 10 for d=128.
# PAUSE=1 pauses every running train.py (SIGSTOP) for the measurement and lets it go on when this script ends, however
# it ends, so that both cores are the measurement's: the 14 minutes above were taken so.
set -eu
if [ $# -lt 2 ] || [ ! -f "$1" ]; then
  echo "usage: bash training/lm/measure.sh SNAPSHOT OUTDIR [LIMIT]  (SNAPSHOT: a snap_*.pt or ckpt.pt of train.py)" >&2
  exit 2
fi
# Both paths are taken before the cd to the repo root, so relative ones mean what they meant to the caller.
snap=$(realpath "$1")
out=$(realpath -m "$2")
limit=${3:-50}
if [ "${PAUSE:-0}" = 1 ]; then
  paused=$(pgrep -f 'train\.py --run' || true)
  if [ -n "$paused" ]; then
    # shellcheck disable=SC2086  # a list of process ids
    trap 'kill -CONT $paused 2>/dev/null || true' EXIT
    # shellcheck disable=SC2086
    kill -STOP $paused
    echo "paused train.py ($paused) until this measurement ends" >&2
  fi
fi
cd "$(dirname "$0")/../.."
mkdir -p "$out"
# eval lm reads the documents this lineage held out from heldout.json beside the GGUF (tokenize_corpus.mjs's split).
cp resources/models/lm/heldout.json "$out/"
/usr/bin/python3 training/lm/export_gguf.py --ckpt "$snap" --out "$out/lm.gguf" --f16 > "$out/export.log"
# The two held-out readings run as a fourth lane beside the three restoration lanes: they keep one core busy
# (JavaScript reads each token's probabilities), so run first they left the other idle for 10.5 of idWG's 26.6.
readings() {
  V2L_LM="$out/lm.gguf" npm run -s v2l -- eval lm --json > "$out/eval_lm.json" 2> "$out/eval_lm.err"
  # the longer held-out reading the status table gives in brackets: 2,048 tokens move by a few hundredths between
  # neighbouring snapshots, 32,768 much less. Only its val_loss is read, so its copy tests run one case each rather
  # than repeating the run above.
  V2L_LM="$out/lm.gguf" npm run -s v2l -- eval lm --json --val-tokens 32768 --cases 1 > "$out/eval_lm_32k.json" \
    2> "$out/eval_lm_32k.err"
}
restore() {
  for task in "$@"; do
    V2L_LM="$out/lm.gguf" npm run -s v2l -- eval restore --task "$task" --protocol reference --limit "$limit" \
      --json > "$out/r${limit}_$task.json" 2> "$out/r${limit}_$task.err" || echo "$task failed: see $out/r${limit}_$task.err"
  done
}
readings &
lane=$!
restore inpaint outpaint &
restore shift rotate &
restore deblur &
# a failed reading fails the measurement (the summary needs both); a failed restoration is reported in its place
if ! wait $lane; then
  wait
  echo "eval lm failed: see $out/eval_lm.err and $out/eval_lm_32k.err" >&2
  exit 1
fi
wait

/usr/bin/python3 - "$out" "$limit" <<'EOF'
import json, os, sys
out, limit = sys.argv[1], sys.argv[2]
lm = json.load(open(os.path.join(out, 'eval_lm.json')))
lm32 = json.load(open(os.path.join(out, 'eval_lm_32k.json')))
print(f"val_loss {lm['val_loss']:.3f} ({lm32['val_loss']:.3f} over 32,768 tokens)  "
      f"repeat {lm['repeat_copy_accuracy']:.3f}  noisy10 / clean10 / noisy5 "
      f"{lm['copy_accuracy_noisy10']} / {lm['copy_accuracy_clean10']} / {lm['copy_accuracy_noisy5']}")
for task in ('inpaint', 'outpaint', 'deblur', 'shift', 'rotate'):
    path = os.path.join(out, f'r{limit}_{task}.json')
    try:
        r = json.load(open(path))
        print(f"{task:9s} token accuracy {r['token_accuracy']:.3f}  PSNR {r['psnr']:.2f} dB  (first {limit})")
    except (OSError, ValueError, KeyError) as e:
        print(f"{task:9s} no result ({e}); see {path[:-5]}.err")
EOF
