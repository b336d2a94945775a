#!/usr/bin/env bash
# Rebuild the text lineage (idY's recipe, README "idY / idZ" onwards) on a machine without its checkpoints, and keep
# extending it, stage by stage, with one command that also resumes it:
#
#   V2L_RUNS=~/.cache/v2l-training/lm bash training/lm/lineage.sh [NAME]      (NAME defaults to idV)
#
#   1. NAME      d=128 from zero with the induction initialisation, 3,600 steps, a cosine tail over the last 1,200
#   2.           its step-3600 snapshot grown to d=256, 6 layers (grow.py)
#   3. NAME G    the grown model at 5e-4 to step 5100, a cosine tail to a tenth over the last 900 (idYG's)
#   4. NAME H..Z each the previous stage's end continued for 1,200 steps: a 100-step warm-up of the fresh optimiser,
#                the constant rate, and a cosine tail over the last 800 (idYK's); until stopped, or after stage
#                NAME$LAST (env LAST, default Z); each also leaves $V2L_RUNS/lm/avg_NAME<letter>.pt, the mean of its
#                end and the previous stage's end (average.py); from L on, a stage starts from the previous
#                stage's average instead of its end; from M on, with dropout 0.1
#
# Each stage is a train.py run under $V2L_RUNS/lm/<stage>, done once its end snapshot (snap_<end>.pt) exists; an
# interrupted stage resumes from its ckpt.pt (train.py saves on SIGTERM). Stop everything with
#   kill -TERM -- -<the process group of this script>    (or pkill -TERM -f 'train.py --run NAME')
# and run the same command to go on. The corpus must be tokenised first (tokenize_corpus.mjs, README "Reproduce").
# TRAIN_ARGS (env) adds train.py options to every stage; a dry run of every stage to NAME$LAST on the CPU (6 minutes
# for the first stage and about 12 for the next, on one thread beside a real run):
#   V2L_RUNS=/tmp/dry THREADS=1 LAST=I MEASURE=0 \
#     TRAIN_ARGS="--B0 2 --T0 64 --B 2 --T 64 --eval-n 4 --val-windows 4 --val-T 64" \
#     bash training/lm/lineage.sh      (with /tmp/dry/data a link to the tokenised corpus)
# After each stage it measures, with measure.sh, the model the next stage starts from (a stage's end; from the stage
# before avg_from on, its average), into $V2L_RUNS/lm/measure/<model>/ with what measure.sh prints in summary.txt;
# MEASURE=0 skips that, MEASURE_LIMIT sets how many dev images (50). Training waits meanwhile (22 minutes for idWI's
# d=256 end on two cores; measure.sh's header has the earlier times).
# The figures are reported; nothing here chooses a snapshot by them.
# The body is one { } block, so bash parses all of it before running any: editing this file while it runs cannot
# change what the running copy does next.
{
set -euo pipefail
name=${1:-idV}
threads=${THREADS:-2}
runs=${V2L_RUNS:-$HOME/.cache/v2l-training/lm}
export V2L_RUNS=$runs
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
lm=$runs/lm
# Checked before anything is written, so a mistyped LAST leaves nothing behind.
case ${LAST:-Z} in
  [HIJKLMNOPQRSTUVWXYZ]) ;;
  *) echo "LAST=$LAST: give the letter of the last stage to run, H to Z" >&2; exit 2 ;;
esac
mkdir -p "$lm"
[ -f "$runs/data/train.bin" ] || { echo "no $runs/data/train.bin: run node training/lm/tokenize_corpus.mjs first" >&2; exit 2; }

snap() { printf '%s/%s/snap_%07d.pt' "$lm" "$1" "$2"; }

# measure SNAPSHOT MODEL: once per model; a failed measurement is logged and the lineage goes on
measure() {
  local out=$lm/measure/$2
  if [ "${MEASURE:-1}" = 0 ] || [ -s "$out/summary.txt" ]; then
    return
  fi
  echo "$(date -u +%FT%TZ) $2: measuring"
  mkdir -p "$lm/measure"
  if bash "$here/measure.sh" "$1" "$out" "${MEASURE_LIMIT:-50}" > "$out.txt" 2>&1; then
    mv "$out.txt" "$out/summary.txt"
    echo "$(date -u +%FT%TZ) $2: measured ($out/summary.txt)"
  else
    echo "$(date -u +%FT%TZ) $2: measure.sh failed (see $out.txt)" >&2
  fi
}

# stage RUN END ARGS...: run train.py until RUN's snapshot at step END exists
stage() {
  local run=$1 end=$2
  shift 2
  if [ -f "$(snap "$run" "$end")" ]; then
    echo "$(date -u +%FT%TZ) $run: done (step $end)"
    return
  fi
  echo "$(date -u +%FT%TZ) $run: training to step $end"
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of options
  "$py" "$here/train.py" --run "$run" --threads "$threads" --steps "$end" "$@" ${TRAIN_ARGS:-} >> "$lm/$run.out" 2>&1
  [ -f "$(snap "$run" "$end")" ] || { echo "$run stopped before step $end (see $lm/$run.out)" >&2; exit 1; }
}

stage "$name" 3600 --preset cpu --id-dims 32 --copies 6 --mix-share 1.0 --decay-steps 1200
measure "$(snap "$name" 3600)" "${name}_3600"

grown=$lm/grown_${name}_3600.pt
if [ ! -f "$grown" ]; then
  "$py" "$here/grow.py" --snap "$(snap "$name" 3600)" --out "$grown.tmp" --verify 0 >> "$lm/grow_$name.out" 2>&1
  mv "$grown.tmp" "$grown"
fi

# The d=256 continuations' options (idXG's onwards): text from the start, repeat spans a tenth of the sequences.
cont=(--copies 6 --mix-share 1.0 --syn-only-steps 0 --ramp-steps 1 --syn-final 0.1 --lr 5e-4 --warmup 100
  --eval-every 300 --eval-at-start 0)
stage "${name}G" 5100 --init-from "$grown" "${cont[@]}" --decay-steps 900
measure "$(snap "${name}G" 5100)" "${name}G_5100"

# Each stage from H on also leaves avg_<stage>.pt, the mean of its end and the previous stage's end (average.py), a
# candidate judged like the stage's end on held-out loss and the repeat test. From stage L on, a stage starts from
# the previous stage's average: for idVJ and idVK the average read no worse on held-out loss and better on the
# repeat test than the end (README "avg"). H to K started from the previous end, as they ran.
avg_from=L
# From stage M on, dropout 0.1: after two passes over the 13.9 M training tokens idVL no longer learned (full-softmax
# loss on training windows 4.251 at idVK's end, 4.249 at idVL's; held-out 5.187, then 5.204), and the memorisation
# that follows the second pass is what dropout 0.1 held off on the GPU (gpu1) and in idXI (README "idVL").
dropout_from=M
prev=${name}G end=5100
for letter in H I J K L M N O P Q R S T U V W X Y Z; do
  run=$name$letter
  init=$(snap "$prev" "$end")
  [[ $letter < $avg_from ]] || init=$lm/avg_$prev.pt
  extra=()
  [[ $letter < $dropout_from ]] || extra=(--dropout 0.1)
  stage "$run" $((end + 1200)) --init-from "$init" "${cont[@]}" --decay-steps 800 "${extra[@]}"
  avg=$lm/avg_$run.pt
  [ -f "$avg" ] || "$py" "$here/average.py" --out "$avg" "$(snap "$prev" "$end")" "$(snap "$run" $((end + 1200)))" \
    >> "$lm/$run.out" 2>&1
  next=$(tr 'H-Y' 'I-Z' <<< "$letter")
  if [[ $next < $avg_from ]]; then
    measure "$(snap "$run" $((end + 1200)))" "${run}_$((end + 1200))"
  else
    measure "$avg" "avg_$run"
  fi
  prev=$run end=$((end + 1200))
  [ "$letter" != "${LAST:-Z}" ] || break
done
exit
}
