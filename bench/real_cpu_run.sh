#!/usr/bin/env bash
# The default bar-model recipe cut to fit 30 minutes of a 2-core CPU, then evaluated on held-out whole songs.
#
#   bash bench/real_cpu_run.sh                  # seed 0: models/cpu30_real3_2500_s0, bench/results/*_cpu30_real3_2500_s0_cpu.md
#   SEED=1 bash bench/real_cpu_run.sh           # seed 1 (its own split of songs): models/cpu30_real3_2500_s1, ...
#   REAL_WEIGHT=1 STEPS=3000 TAG=cpu30 bash bench/real_cpu_run.sh   # the round before's run: every pair drawn alike, 3 000 steps
#   TAG=mine TRAIN_ARGS='--dropout 0.2' bash bench/real_cpu_run.sh  # more training arguments (TAG names the files)
#
# Needs the corpora of the default recipe: data/synth, data/synth_big, data/synth_big2 (`editptr-data synth`, see the
# README) and the real corpora of `MORE=1 bash bench/real_corpus.sh` (four training packages and Nexuiz, held out).
# Training is `editptr-train-bars`' defaults, seven corpora, redraw 0.5, as the README's 5 000-step recipe, with the
# four real corpora's pairs drawn REAL_WEIGHT (3) times as often as the generated ones' (`--corpus-weights`), for
# STEPS (2 500) steps on THREADS (2) threads: run it alone, its wall time is the figure. Then beam 8, pool 16, style
# by name, the true length, on: the training packages' other songs (validation split of SEED), Nexuiz (every song),
# the generated test split of SEED and the 64 songs generated after training (data/synth_fresh: `editptr-data synth
# --out data/synth_fresh --tracks 64 --seed 7000 --no-audio`); two evaluations at a time, one thread each.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SEED=${SEED:-0}; STEPS=${STEPS:-2500}; THREADS=${THREADS:-2}; REAL_WEIGHT=${REAL_WEIGHT:-3}; read -ra TRAIN_ARGS <<< "${TRAIN_ARGS:-}"
TAG=${TAG:-cpu30_real${REAL_WEIGHT}_${STEPS}_s$SEED}   # names the model and result files
SAVE=models/$TAG
SYNTH=(--corpus data/synth --corpus data/synth_big --corpus data/synth_big2)
REAL=(--corpus data/real_corpus/wesnoth-1.16-music --corpus data/real_corpus/warzone2100-music
      --corpus data/real_corpus/hyperrogue-music --corpus data/real_corpus/ufoai-music)
WEIGHTS=(); for _ in $(seq $(( ${#SYNTH[@]} / 2 ))); do WEIGHTS+=(1); done; for _ in $(seq $(( ${#REAL[@]} / 2 ))); do WEIGHTS+=("$REAL_WEIGHT"); done
[[ $REAL_WEIGHT == 1 ]] || TRAIN_ARGS=(--corpus-weights "${WEIGHTS[@]}" ${TRAIN_ARGS[@]+"${TRAIN_ARGS[@]}"})   # one per --corpus, SYNTH's then REAL's
for c in data/synth data/synth_big data/synth_big2 data/real_corpus/{wesnoth-1.16,warzone2100,hyperrogue,ufoai,nexuiz}-music data/synth_fresh; do
  [[ -f $c/corpus.json ]] || { echo "real_cpu_run: $c/corpus.json missing: build the corpora first (see the header)" >&2; exit 1; }
done

# 1. training, alone: its wall time and peak memory are the figures
rm -f "/tmp/$TAG.maxrss"; start=$(date +%s); TIMED=(); [[ -x /usr/bin/time ]] && TIMED=(/usr/bin/time -f '%M' -o "/tmp/$TAG.maxrss")
"${TIMED[@]}" $BIN/editptr-train-bars "${SYNTH[@]}" "${REAL[@]}" --steps "$STEPS" --redraw 0.5 \
  --seed "$SEED" --save-dir "$SAVE" --threads "$THREADS" --jobs "$THREADS" --no-progress ${TRAIN_ARGS[@]+"${TRAIN_ARGS[@]}"}
wall=$(( $(date +%s) - start ))
cp "$SAVE/metrics.jsonl" "bench/results/${TAG}_val_log.jsonl"
printf '%s\n' "# $TAG: editptr-train-bars, default recipe${TRAIN_ARGS[*]+ with ${TRAIN_ARGS[*]}}, $STEPS steps, seed $SEED, $THREADS threads, alone" "" \
  "$(date -u +%F), $(nproc) cores: $wall s wall ($(( wall / 60 )) min $(( wall % 60 )) s) from start to \`last.pt\`," \
  "peak resident memory $([[ -f /tmp/$TAG.maxrss ]] && echo "$(( $(cat /tmp/$TAG.maxrss) / 1024 )) MiB" || echo 'not measured (no /usr/bin/time)'); validation log \`bench/results/${TAG}_val_log.jsonl\`." \
  > "bench/results/${TAG}_train_cpu.md"
cat "bench/results/${TAG}_train_cpu.md"

# 2. evaluation, two sets at a time
beam() {  # out-name split corpora...
  local name=$1 split=$2; shift 2
  $BIN/python bench/bar_beam.py --bar-model "$SAVE/last.pt" --beams 8 --length-weights 1 --pools 16 --threads 1 \
    --seed "$SEED" --split "$split" "$@" --out "bench/results/${name}_${TAG}_cpu.md" > "/tmp/${name}_${TAG}.log" 2>&1
}
beam real_val val "${REAL[@]}" & beam real_nexuiz all --corpus data/real_corpus/nexuiz-music & wait
beam synth_test test "${SYNTH[@]}" & beam synth_fresh all --corpus data/synth_fresh & wait
for n in real_val real_nexuiz synth_test synth_fresh; do grep '| all |' "bench/results/${n}_${TAG}_cpu.md" | sed "s/^/$n: /"; done
