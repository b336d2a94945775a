#!/usr/bin/env bash
# One call on a lent GPU machine, from the repo root: continue a snapshot with the full softmax at several values of
# one train.py option side by side on the one GPU, each bounded by wall time, and bring back the weights with the
# lowest held-out loss (float16, in parts under the 16 MB return limit) plus every run's log.
#
#   bash training/lm/gpu_sweep.sh MINUTES OPTION VALUE...      e.g.  7.5 dropout 0.0 0.1 0.2 0.3
#   bash training/lm/gpu_sweep.sh MINUTES args "ARGS"...        e.g.  7.5 args "--syn-final 0.25" "zero --id-dims 32"
#
# With the option `args` each value is a list of train.py options of its own; one that begins with the word "zero"
# starts from zero even when init.pt is there, so one call can compare a continued model with new architectures.
#
# Expects in training/lm/.data (git-ignored, carried with the call): train.bin.xz, val.bin and, to continue a
# model, init.pt (a float16 model-only snapshot, see README "GPU"); without init.pt each run starts from zero. Writes to $OUT: <run>.log for each run, best.pt.part-aa, -ab, ... (join
# with cat) and best.json (which run, step and readings). TRAIN_ARGS (env) adds train.py options, e.g. a small
# --B/--T for a dry run on the CPU.
set -u
minutes=$1
opt=$2
shift 2
data=training/lm/.data
runs=/tmp/v2l-runs
out=${OUT:-/tmp/v2l-out}
mkdir -p "$runs" "$out"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('$data/train.bin.xz'), open('$data/train.bin', 'wb'))" || exit 1

# The fused attention path must agree with the explicit one before any run relies on it.
python3 - <<'EOF' || export V2L_SDPA=0
import sys, torch
sys.path.insert(0, 'training/lm')
import model as M
m = M.LM(M.Config(d=256, layers=2, heads=8, ffn=768)).cuda().eval()
x = torch.randint(0, 32000, (2, 300), device='cuda')
with torch.no_grad():
    M.USE_SDPA = True
    a = m(x)
    M.USE_SDPA = False
    b = m(x)
err = float((a - b).norm() / b.norm())
print('sdpa rel err', err, flush=True)
sys.exit(0 if err < 1e-2 else 1)
EOF

# With a snapshot, continue it (fresh optimiser, no curriculum); without one, the preset's own curriculum from zero.
start=()
if [ -f "$data/init.pt" ]; then
  start=(--init-from "$data/init.pt" --syn-only-steps 0 --ramp-steps 1 --warmup 100 --lr 1e-3)
fi
names=()
for p in "$@"; do
  run_start=("${start[@]}")
  if [ "$opt" = args ]; then
    name=args$(printf '%s' "$p" | tr -c 'A-Za-z0-9.' '_')
    read -r -a extra <<<"$p"
    if [ "${extra[0]:-}" = zero ]; then run_start=(); extra=("${extra[@]:1}"); fi
  else
    name=$opt$p
    extra=("--$opt" "$p")
  fi
  names+=("$name")
  V2L_RUNS=$runs python3 training/lm/train.py --run "$name" --preset gpu --data "$data" "${run_start[@]}" \
    --steps 1000000000 --decay-steps 0 \
    --max-minutes "$minutes" --decay-frac 0.5 --eval-every 1000000000 --eval-minutes 1 --val-windows 256 --val-T 512 \
    --snapshots 0 --ckpt-every 1000000000 --best-out "$runs/$name.best.pt" ${TRAIN_ARGS:-} "${extra[@]}" >"$out/$name.log" 2>&1 &
done
wait

python3 - "$runs" "$out" "$opt" "${names[@]}" <<'EOF'
import json, os, sys, torch
runs, out, opt, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
found = []
for p in names:
    f = os.path.join(runs, f'{p}.best.pt')
    if os.path.exists(f):
        s = torch.load(f, map_location='cpu')
        found.append((s['eval']['val_loss'], p, f, s))
        print(f'{p}: best val_loss {s["eval"]["val_loss"]:.4f} at step {s["step"]}')
if not found:
    sys.exit('no run wrote a best snapshot')
v, p, f, s = min(found)
data = open(f, 'rb').read()
part = 15 * 1000 * 1000
for i in range(0, len(data), part):
    open(os.path.join(out, 'best.pt.part-a' + 'abcdefgh'[i // part]), 'wb').write(data[i:i + part])
json.dump({'option': opt, 'run': p, 'step': s['step'], 'tokens_seen': s['tokens_seen'], 'eval': s['eval']},
          open(os.path.join(out, 'best.json'), 'w'), indent=1)
print('chosen:', p, 'val_loss', v)
EOF
