#!/usr/bin/env bash
# One lent GPU machine (16 cores, one GPU), one command of at most 10 minutes: generated whole-song corpora
# (no audio) -> bar models trained side by side on the GPU (bench/gpu_bars.py) -> the bar model's GPU speed
# (bench/bar_model.py --device cuda). Run from the repository root on that machine, with the wheels that its
# Python lacks (librosa, soundfile, fastcore, ...) in .whl/:
#
#   OUT=/tmp/out bash bench/gpu_run.sh
#
# Writes to $OUT: <variant>/best.pt and last.pt (weights and style bank, no optimizer state), logs.tar
# (metrics.jsonl and summary.json of each variant, this script's log) and bar_model_gpu.md.
set -uo pipefail
: "${OUT:?set OUT}"
BUDGET=${BUDGET:-560}      # seconds this script may take in all
GEN_END=${GEN_END:-230}    # corpus generation stops starting songs here
TRAIN_END=${TRAIN_END:-470}
DEVICE=${DEVICE:-cuda}
read -r N0 N1 N2 N3 <<< "${COUNTS:-40 160 240 400}"   # songs of the four smaller corpora (the fifth fills the time left)
JOBS=$(nproc)
exec > >(tee "$OUT/gpu_run.log") 2>&1
echo "start $(date -u +%FT%TZ); $JOBS cores; $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null)"
[[ -n ${NO_WHEELS:-} ]] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
python3 -c "import torch, librosa, soundfile, editptr.bars; print('torch', torch.__version__, 'librosa', librosa.__version__)" || exit 1

# corpora in memory when /dev/shm has room (each no-audio song is ~8 MB of mel)
DATA=data; shm=$(df -BG --output=avail /dev/shm 2>/dev/null | tail -1 | tr -dc 0-9)
if [[ -n $shm && $shm -gt 40 ]]; then DATA=/dev/shm/data; fi
echo "corpora in $DATA"
gen() {  # name songs seed
  local t=$SECONDS
  python3 -m editptr.data synth --out "$DATA/$1" --tracks "$2" --seed "$3" --no-audio --jobs "$JOBS" --no-progress | tail -1
  echo "   $1: $2 songs in $((SECONDS - t)) s (at $SECONDS s)"
}
t=$SECONDS
gen synth "$N0" 0; gen synth_big "$N1" 1000; gen synth_big2 "$N2" 2000; gen synth_big3 "$N3" 3000
rate=$(python3 -c "print(($N0 + $N1 + $N2 + $N3) / max(1, $SECONDS - $t))")
n4=$(python3 -c "print(max(20, min(2000, int($rate * ($GEN_END - $SECONDS)))))")
gen synth_na4 "$n4" 4000
CORPORA=(--corpus $DATA/synth --corpus $DATA/synth_big --corpus $DATA/synth_big2 --corpus $DATA/synth_big3 --corpus $DATA/synth_na4)

python3 bench/gpu_bars.py "${CORPORA[@]}" --out runs/gpu --device "$DEVICE" --deadline $((TRAIN_END - SECONDS)) \
  --variant readme:d_model=64,steps=5000,batch_size=16,lr=1e-3 \
  --variant wide:d_model=128,n_encoder_layers=4,n_decoder_layers=4,steps=12000,batch_size=32,lr=7e-4 \
  --variant deep:d_model=96,n_encoder_layers=6,n_decoder_layers=6,steps=12000,batch_size=32,lr=7e-4
echo "trained (at $SECONDS s)"

if [[ -f runs/gpu/readme/last.pt ]]; then
  timeout $(( BUDGET - SECONDS - 15 > 30 ? BUDGET - SECONDS - 15 : 30 )) python3 bench/bar_model.py --bar-model runs/gpu/readme/last.pt --corpus $DATA/synth --device "$DEVICE" \
    --out "$OUT/bar_model_gpu.md" | tail -40
fi
python3 bench/gpu_bars.py strip runs/gpu "$OUT"
echo "done at $SECONDS s"
tar -cf "$OUT/logs.tar" runs/gpu/*/metrics.jsonl runs/gpu/*/summary.json "$OUT/gpu_run.log" 2>/dev/null
