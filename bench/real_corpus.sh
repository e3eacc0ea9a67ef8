#!/usr/bin/env bash
# A real-music corpus from freely licensed game soundtracks packaged by Debian.
#
#   bash bench/real_corpus.sh          # install, copy, build (a built corpus is kept), summarise
#   REBUILD=1 bash bench/real_corpus.sh  # rebuild the corpora (editptr-data --force)
#   JOBS=1 bash bench/real_corpus.sh     # fewer processes (default 2)
#
# One corpus per package, data/real_corpus/<package>, from the tracks copied to data/real/<package>:
#   wesnoth-1.16-music  orchestral (Ogg Vorbis, 44.1 kHz)          -> training
#   warzone2100-music   electronic / ambient, long (Opus, 48 kHz)  -> training
#   nexuiz-music        electronic / rock (Ogg Vorbis in a .pk3)   -> HELD OUT: never train on it
# MORE=1 adds two more training packages (about 270 MB more; ~3x the real training songs):
#   hyperrogue-music    101 short tracks, many composers (Ogg Vorbis)
#   ufoai-music         orchestral / ambient (Ogg Vorbis in a .pk3)
# EXTRA=1 adds three game packages' music as training corpora without copies of the audio (--no-audio:
# cache and pointers only; about 870 MB of packages, 2 GB installed):
#   supertux-data       SuperTux: platformer music, many composers (Ogg Vorbis)
#   supertuxkart-data   SuperTuxKart: racing music, rock / electronic / orchestral (Ogg Vorbis)
#   freedroidrpg-data   FreedroidRPG: ambient / electronic (Ogg Vorbis)
# Needs root (apt-get) and Debian's package archive; about 320 MB of packages, ~20 GB of corpus (wav) for the first three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NO_AUDIO=(${EXTRA:+supertux-data supertuxkart-data freedroidrpg-data})
PKGS=(wesnoth-1.16-music warzone2100-music nexuiz-music ${MORE:+hyperrogue-music ufoai-music} "${NO_AUDIO[@]}")
HELD_OUT=nexuiz-music
JOBS=${JOBS:-2}

# 1. packages
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if ! apt-cache policy "${missing[@]}" | grep -q 'Candidate: [0-9]'; then apt-get update -q; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
for p in "${PKGS[@]}"; do echo "package $p $(dpkg-query -W -f='${Version}' "$p")"; done

# 2. the audio tracks, copied as the packages ship them (sub-folders kept)
mkdir -p data/real
copy_tracks() {  # package -> data/real/<package>
  local p=$1 d=data/real/$1
  mkdir -p "$d"
  case $p in
    wesnoth-1.16-music) cp -u /usr/share/games/wesnoth/1.16/data/core/music/*.ogg "$d/" ;;
    warzone2100-music)  cp -ru /usr/share/games/warzone2100/music/albums "$d/"; cp -u /usr/share/games/warzone2100/music/menu.opus "$d/" ;;
    nexuiz-music)       unzip -q -o -j /usr/share/games/nexuiz/data/music.pk3 'sound/cdtracks/*' -d "$d" ;;
    hyperrogue-music)   cp -u /usr/share/hyperrogue/music/*.ogg "$d/" ;;
    ufoai-music)        unzip -q -o -j /usr/share/games/ufoai/base/0music.pk3 'music/*.ogg' -d "$d" ;;
    supertux-data)      cp -ru /usr/share/games/supertux2/music/. "$d/" ;;
    supertuxkart-data)  cp -u /usr/share/games/supertuxkart/data/music/*.ogg "$d/" ;;
    freedroidrpg-data)  cp -u /usr/share/freedroidrpg/data/sound/music/*.ogg "$d/" ;;
  esac
  find "$d" -type f ! -name '*.ogg' ! -name '*.opus' -delete   # covers, licences, playlists: not music
}
for p in "${PKGS[@]}"; do copy_tracks "$p"; done

# 3. one corpus per package
mkdir -p data/real_corpus
for p in "${PKGS[@]}"; do
  out=data/real_corpus/$p
  if [[ -f $out/corpus.json && -z ${REBUILD:-} ]]; then echo "== $p: corpus kept ($out/corpus.json; REBUILD=1 rebuilds)"; continue; fi
  echo "== $p: building $out"
  t0=$SECONDS
  no_audio=; [[ " ${NO_AUDIO[*]} " == *" $p "* ]] && no_audio=--no-audio
  $BIN/editptr-data audio "data/real/$p" --out "$out" --jobs "$JOBS" --no-progress ${REBUILD:+--force} $no_audio || echo "editptr-data exited $?"
  echo "   built in $((SECONDS - t0)) s"
done

# 4. what was used and skipped, and how much music
$BIN/python - "$HELD_OUT" "${PKGS[@]}" <<'EOF'
import json, sys
from pathlib import Path
from editptr.config import AudioConfig
from editptr.corpus import walk_files, is_audio_file
held, pkgs = sys.argv[1], sys.argv[2:]
fps = AudioConfig().frames_per_second
print("\n| package | role | audio files | songs used | skipped | duplicates | pairs | hours |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
notes, tot = [], [0, 0, 0, 0, 0, 0.0]
for p in pkgs:
    c = json.loads(Path(f'data/real_corpus/{p}/corpus.json').read_text())
    files = [f for f in walk_files(Path('data/real') / p)[0] if is_audio_file(f)]
    frames = {}
    for f in Path(f'data/real_corpus/{p}/pointers').glob('*_info.json'):
        i = json.loads(f.read_text())
        if i['name'] in c['pairs']: frames[i['song']] = i['n_raw_frames']
    hours = sum(frames.values()) / fps / 3600
    row = [len(files), len(c['songs']), len(c['skipped']), len(c['duplicates']), c['n_pairs'], hours]
    tot = [a + b for a, b in zip(tot, row)]
    print(f"| {p} | {'held out' if p == held else 'training'} | " + ' | '.join(map(str, row[:5])) + f" | {hours:.2f} |")
    notes += [f"- {p}: skipped {Path(s['file']).name}: {s['reason'].removeprefix(s['file'] + ': ')}" for s in c['skipped']]
    notes += [f"- {p}: duplicate {Path(d['file']).name} = {Path(d['duplicate_of']).name} ({d['difference_db']} dB): built once"
              for d in c['duplicates']]
print("| **all** | | " + ' | '.join(map(str, tot[:5])) + f" | {tot[5]:.2f} |")
print(f"\nsongs: {tot[1]} ({tot[5]:.2f} h) in {len(pkgs)} corpora; held out: {held}")
print('\n'.join(["", "Skipped and duplicate files:"] + (notes or ["- none"])))
EOF
