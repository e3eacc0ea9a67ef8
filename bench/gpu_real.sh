#!/usr/bin/env bash
# Issue #10 on a lent GPU, in one short command: bar models trained on real recordings (Wesnoth + Warzone 2100)
# from scratch and fine-tuned from generated-corpus models (their held-out Nexuiz edits are measured here after,
# `python bench/gpu_bars.py --items .gpureal/items.pkl --test ...`). The bar items travel from here (no audio there):
#
#   python bench/gpu_bars.py export --corpus data/real_corpus/wesnoth-1.16-music --corpus data/real_corpus/warzone2100-music \
#       --test-corpus data/real_corpus/nexuiz-music --out .gpureal/items.pkl
#   cp models/gpu_deep/last.pt .gpureal/synth_deep.pt; cp models/gpu_readme/last.pt .gpureal/synth_readme.pt
#   OUT=/tmp/out bash bench/gpu_real.sh        # on the GPU machine, .whl and .gpureal carried
#
# Writes to $OUT: <variant>_{best,last}.pt (no optimizer state) and logs.tar (metrics.jsonl, summary.json).
set -uo pipefail
: "${OUT:?set OUT}"
DEVICE=${DEVICE:-cuda}
TRAIN_S=${TRAIN_S:-75}
[[ -n ${NO_WHEELS:-} ]] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
keep="python3 bench/gpu_bars.py strip runs/real $OUT --flat; tar -cf $OUT/logs.tar runs/real/*/metrics.jsonl runs/real/*/summary.json"
python3 bench/gpu_bars.py --items .gpureal/items.pkl --out runs/real --device "$DEVICE" --deadline "$TRAIN_S" \
  --variant tuned_deep:init_from=.gpureal/synth_deep.pt,lr=3e-4,steps=1500,free_running_pairs=27 \
  --variant tuned_readme:init_from=.gpureal/synth_readme.pt,lr=3e-4,steps=1500,free_running_pairs=27 \
  --variant scratch:d_model=64,lr=1e-3,steps=3000,free_running_pairs=27 \
  --after-training "$keep"
echo "done at $SECONDS s"
