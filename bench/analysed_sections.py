"""How the sections `analyze` finds in generated songs compare with the generator's own (no model).

Two corpora of the same songs: one cut on the generator's sections (`editptr-data synth`), one on what `analyze`
finds in the same audio (`editptr-data synth --analysed`, or `editptr-data audio` on the first's raws). Per
song, each analysed boundary is right if a true boundary lies within --tolerance frames (precision), each
true boundary where the label changes is found if an analysed one lies that near (recall; a verse
followed by another verse has no change in the audio to find); each pair matched one to one, as seams are
(`editptr.pointers.match_seams`). Prints a table; --out keeps it.

    python bench/analysed_sections.py --truth data/synth_fresh --analysed data/synth_analysed_fresh
"""
import argparse, json
from pathlib import Path
import numpy as np
from common import report
from editptr.pointers import match_seams


def boundaries(sections: list, changes_only: bool = False) -> np.ndarray:
    "Start frames of every section but the first (`changes_only`: only where the label differs from the one before)."
    return np.array([s[1] for k, s in enumerate(sections[1:], 1) if not changes_only or s[0] != sections[k - 1][0]], np.int64)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--truth', required=True, help="corpus cut on the generator's sections")
    ap.add_argument('--analysed', required=True, help='the same songs cut on the sections analyze finds')
    ap.add_argument('--tolerance', type=int, default=10, help='frames a boundary may be off (default: 10, about 0.12 s)')
    ap.add_argument('--out', default='')
    a = ap.parse_args(argv)
    counts, right, found, n_seen, n_changes = {'truth': [], 'analysed': []}, 0, 0, 0, 0
    for f in sorted((Path(a.analysed) / 'pointers').glob('*_info.json')):
        info = json.loads(f.read_text())
        if info['style'] != 'shorten': continue                   # one info file per song
        t = Path(a.truth) / 'pointers' / f.name
        if not t.exists(): continue
        true, seen = json.loads(t.read_text())['sections'], info['sections']
        counts['truth'].append(len(true)); counts['analysed'].append(len(seen))
        ours, changes = boundaries(seen), boundaries(true, changes_only=True)
        right += match_seams(ours, boundaries(true), a.tolerance); n_seen += len(ours)      # each matches a distinct true one
        found += match_seams(changes, ours, a.tolerance); n_changes += len(changes)
    if not n_seen: raise SystemExit(f"no song of {a.analysed} is in {a.truth} (give the same songs twice)")
    med = {k: float(np.median(v)) for k, v in counts.items()}
    text = '\n'.join([f"# Sections analysed vs the generator's ({a.analysed} against {a.truth}; {len(counts['truth'])} songs, tolerance {a.tolerance} frames)", '',
                      '| songs | sections a song, generator (median) | analysed (median) | analysed boundaries | right (precision) | true boundaries where the label changes | found (recall) |',
                      '|---:|---:|---:|---:|---:|---:|---:|',
                      f"| {len(counts['truth'])} | {med['truth']:g} | {med['analysed']:g} | {n_seen} | {right / n_seen:.3f} | {n_changes} | {found / max(n_changes, 1):.3f} |"])
    report(text, a.out)


if __name__ == '__main__':
    main()
