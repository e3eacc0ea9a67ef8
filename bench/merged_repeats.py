"""Generated songs cut on the generator's sections with each run of same-label neighbours joined into one section.

An analysis of the audio cannot split a verse followed by another verse (nothing in the sound changes there), so it
hands the editor rules one long section where the generator hands them two. This builds `editptr-data synth`'s corpus
of the same songs (same seeds, styles and lengths) with only that difference, to measure what it does to a network's
edits (`bench/bar_beam.py`, `bench/bar_errors.py` on the result). The generator's sections are joined by wrapping
`TrackAnalysis.from_synth` for this process only (one job, so the wrapper is the one that runs).

    python bench/merged_repeats.py --seed 7000 --tracks 64 --out data/synth_merged_fresh
"""
import argparse
import editptr.edits as edits
from editptr.synth import Section
from editptr.data import main as data_main


def joined(sections: list) -> list:
    "`sections` with each run of neighbours that share a label joined into one."
    out = []
    for s in sections:
        if out and out[-1].label == s.label: out[-1] = Section(s.label, out[-1].start_frame, s.end_frame)
        else: out.append(s)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=7000, help="the corpus seed of the songs (editptr-data synth --seed)")
    ap.add_argument('--tracks', type=int, default=64)
    ap.add_argument('--duration', type=float, default=None, help='seconds per song (default: whole songs, as editptr-data synth)')
    ap.add_argument('--out', required=True)
    a = ap.parse_args(argv)
    from_synth = edits.TrackAnalysis.from_synth.__func__
    def from_synth_joined(cls, track, cfg=edits.AudioConfig()):
        analysis = from_synth(cls, track, cfg); analysis.sections = joined(analysis.sections); return analysis
    edits.TrackAnalysis.from_synth = classmethod(from_synth_joined)
    length = ['--duration', str(a.duration)] if a.duration else []
    data_main(['synth', '--seed', str(a.seed), '--tracks', str(a.tracks), *length, '--no-audio', '--jobs', '1', '--no-progress', '--out', a.out])


if __name__ == '__main__':
    main()
