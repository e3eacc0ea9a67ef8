"""Benchmark the classical retargeting editor (`editptr.classical.classical_edit`) against the editor styles' truth.

    python bench/classical.py [--songs 0:120 1:140 2:160 3:180] [--out bench/results/classical_cpu.md]

Songs: generated whole songs (`synth_track(seed, duration)`: intro, verses, choruses, bridge, outro). For each
style (shorten, extend, trim, rearrange) the truth is `apply_style` on the song's exact analysis with the song's
seed, and the classical editor is asked for the truth's length, once with the exact beats and sections
(`TrackAnalysis.from_synth`, "exact") and once with its own estimate (`analyze`, "analyze"). Columns:
dest F1 = destination-aware seam F1 (tol 3 frames, `seam_f1(..., destination=True)`), seam F1 = the same
without destinations, exact = output length equals the target, on bar = share of the output's seams whose
both sides lie within 2 frames of a true bar line, s = seconds per song (features + analysis + search, one
thread). The classical editor knows nothing of the styles: it is a baseline, not a reproduction.
"""
import os
for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'): os.environ[v] = '1'
import argparse, time, warnings
from pathlib import Path
import numpy as np

STYLES = ('shorten', 'extend', 'trim', 'rearrange')


def on_bar_share(p, lines, tol=2):
    "Share of the seams of `p` whose source end and destination are both within `tol` frames of a bar line (None: no seams)."
    from editptr.pointers import seam_frames
    s = seam_frames(p)
    if not len(s): return None
    near = lambda f: np.abs(lines[None] - np.asarray(f)[:, None]).min(1) <= tol
    return float((near(p[s]) & near(p[s - 1] + 1)).mean())


def run_song(seed, duration, cfg):
    "Rows (one per style and analysis) for one song."
    from editptr.synth import synth_track
    from editptr.edits import TrackAnalysis, apply_style, analyze
    from editptr.classical import classical_edit
    from editptr.pointers import seam_f1, seam_frames
    track = synth_track(seed, duration=duration, cfg=cfg)
    exact = TrackAnalysis.from_synth(track, cfg)
    lines = exact.bar_lines()
    rows = []
    for kind in ('exact', 'analyze'):
        for style in STYLES:
            truth = apply_style(exact, style, seed=seed)
            t0 = time.perf_counter()
            a = exact if kind == 'exact' else analyze(track.audio, cfg)
            e = classical_edit(track.audio, len(truth), analysis=a, cfg=cfg)
            dt = time.perf_counter() - t0
            p = e.pointers
            rows.append(dict(style=style, song=f'{seed} ({len(track.audio) / cfg.sr:.0f} s, {track.bpm:.0f} BPM)',
                             analysis=kind, target=len(truth), seams=f'{len(seam_frames(p))} / {len(seam_frames(truth))}',
                             dest_f1=seam_f1(p, truth, destination=True)['seam_f1'], seam_f1=seam_f1(p, truth)['seam_f1'],
                             exact=len(p) == len(truth), on_bar=on_bar_share(p, lines), seconds=dt))
    return rows


def fmt(v):
    if v is None: return '–'
    if isinstance(v, (bool, np.bool_)): return 'yes' if v else 'no'
    if isinstance(v, float): return f'{v:.2f}'
    return str(v)


def table(rows):
    "Markdown table of one style's rows plus the mean per analysis."
    cols = ['song', 'analysis', 'target', 'seams', 'dest_f1', 'seam_f1', 'exact', 'on_bar', 'seconds']
    head = ['song', 'analysis', 'target (frames)', 'seams (out / truth)', 'dest F1', 'seam F1', 'exact', 'on bar', 's']
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(fmt(r[c]) for c in cols) + ' |' for r in rows]
    for kind in ('exact', 'analyze'):
        rs = [r for r in rows if r['analysis'] == kind]
        if not rs: continue
        ob = [r['on_bar'] for r in rs if r['on_bar'] is not None]
        mean = dict(song='**mean**', analysis=kind, target='', seams='', dest_f1=np.mean([r['dest_f1'] for r in rs]),
                    seam_f1=np.mean([r['seam_f1'] for r in rs]), exact=f"{sum(r['exact'] for r in rs)}/{len(rs)}",
                    on_bar=float(np.mean(ob)) if ob else None, seconds=np.mean([r['seconds'] for r in rs]))
        out.append('| ' + ' | '.join(fmt(mean[c]) for c in cols) + ' |')
    return '\n'.join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--songs', nargs='+', default=['0:120', '1:140', '2:160', '3:180'], help='seed:duration_seconds')
    ap.add_argument('--out', help='also write the report here (markdown)')
    args = ap.parse_args(argv)
    from editptr.config import AudioConfig
    cfg = AudioConfig()
    songs = [(int(s.split(':')[0]), float(s.split(':')[1])) for s in args.songs]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for seed, dur in songs: rows += run_song(seed, dur, cfg)
    lines = ['# Classical retargeting editor vs the editor styles (CPU, one thread)', '',
             f"Songs: {', '.join(f'synth_track({s}, duration={d:g})' for s, d in songs)}; the target is the truth's "
             'length; "exact" = the generator\'s beats and sections, "analyze" = estimated. dest F1 = destination-aware '
             'seam F1 (tol 3), seam F1 = seams only, on bar = share of seams on a true bar line (±2 frames), '
             's = seconds per song. Produced by `python bench/classical.py`.', '']
    for style in STYLES:
        lines += [f'## {style}', '', table([r for r in rows if r['style'] == style]), '']
    text = '\n'.join(lines)
    print(text)
    if args.out: Path(args.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
