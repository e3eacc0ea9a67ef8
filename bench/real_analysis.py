"""How the track analysis (beats, bars, sections) and the editor styles behave on real recordings, without hand labels.

    .venv/bin/python bench/real_analysis.py                        # every track under data/real/<package>/
    .venv/bin/python bench/real_analysis.py --sample 10 --jobs 1   # 10 tracks per package, one process
    .venv/bin/python bench/real_analysis.py --md bench/results/real_analysis.md

Tracks come from `bash bench/real_corpus.sh` (data/real/<package>/). For each track, at the analysis rate (22050 Hz mono):
- `analyze` on the original (timed: seconds of analysis per minute of audio, wall and CPU);
- `beat_grid` again on (a) the signal at -6 dB and (b) the signal through an MP3 round trip (libsndfile's own MP3
  encoder and decoder via soundfile, default VBR setting, mono 22050 Hz): share of the original's beats and
  downbeats with one of the variant's within +-2 frames, BPM difference;
- each style of `STYLES` with the seeds `editptr-data audio` uses (seed 0: style j gets seed j): identity edits,
  fallbacks, and the share of seams whose source end p[s-1]+1 and destination p[s] are both in `bar_lines()`.
Tracks where the analysis is visibly wrong are listed with the reason.
"""
from __future__ import annotations
import os
for _v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'):
    os.environ.setdefault(_v, '1')                       # one core per job: timings comparable, jobs don't fight
import argparse, io, sys, time, warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ('wesnoth-1.16-music', 'warzone2100-music', 'nexuiz-music')
TOL = 2          # frames (+-23 ms at 22050 Hz / 256 hop)
GAIN_DB = -6.0


def _match(ref: np.ndarray, other: np.ndarray, tol: int = TOL) -> float:
    "Share of `ref` frames with a frame of `other` within `tol`."
    if len(ref) == 0: return float('nan')
    if len(other) == 0: return 0.0
    i = np.clip(np.searchsorted(other, ref), 1, len(other) - 1) if len(other) > 1 else np.zeros(len(ref), int)
    d = np.minimum(np.abs(other[i] - ref), np.abs(other[np.maximum(i - 1, 0)] - ref))
    return float((d <= tol).mean())


def _mp3_round_trip(y: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    "`y` encoded to MP3 and decoded (same length, zero-padded or cut), and the bitrate in kbit/s."
    import soundfile as sf
    buf = io.BytesIO()
    sf.write(buf, y, sr, format='MP3', subtype='MPEG_LAYER_III')
    kbps = buf.tell() * 8 / 1000 / (len(y) / sr)
    buf.seek(0)
    z, _ = sf.read(buf, dtype='float32')
    z = z if z.ndim == 1 else z.mean(1)
    out = np.zeros_like(y); out[:min(len(y), len(z))] = z[:len(y)]
    return out, kbps


def _grid_compare(a, b) -> dict:
    return dict(beats=_match(a.beat_frames, b.beat_frames), downbeats=_match(a.downbeat_frames, b.downbeat_frames),
                bpm=float(b.bpm), dbpm=float(b.bpm - a.bpm))


def _style_stats(analysis, style: str, seed: int, cfg) -> dict:
    from editptr.edits import apply_style
    from editptr.pointers import seam_frames
    n, secs = analysis.n_frames, analysis.sections
    p = np.asarray(apply_style(analysis, style, seed=seed), np.int64)
    lines = set(analysis.bar_lines().tolist())
    downs = set(analysis.beats.downbeat_frames.tolist())
    s = seam_frames(p)
    src_end, dest = p[s - 1] + 1, p[s]
    on = np.array([(a in lines) and (b in lines) for a, b in zip(src_end, dest)], bool)
    tracked = np.array([(a in downs or a == n) and (b in downs or b == 0) for a, b in zip(src_end, dest)], bool)
    labels = [x.label for x in secs]
    # Fallbacks: the branch each style takes when the analysis gives it too little to work with
    fallback = {'trim': len(secs) < 3,                                        # no intro/outro to drop: silence only
                'rearrange': len(secs) < 2,                                 # one section: its halves swapped
                'shorten': False, 'extend': False}[style]
    # Targets the styles draw when none is given (the same draw as in editptr.edits)
    lo_hi = {'shorten': (0.55, 0.85), 'extend': (1.2, 1.6)}.get(style)
    target = int(round(np.random.default_rng(seed).uniform(*lo_hi) * n)) if lo_hi else None
    return dict(identity=bool(len(p) == n and np.array_equal(p, np.arange(n))), fallback=bool(fallback),
                n_seams=int(len(s)), on_bar=int(on.sum()), on_tracked=int(tracked.sum()),
                length_ratio=len(p) / n, target_miss=(abs(len(p) - target) / target) if target else float('nan'))


_WARM = False

def _warm_up(cfg):
    "Run the analysis once on 20 s of clicks, so that no track's timing holds numba's compilation."
    global _WARM
    if _WARM: return
    from editptr.edits import analyze
    y = np.zeros(20 * cfg.sr, np.float32); y[::cfg.sr // 2] = 1.0
    analyze(y + 1e-3 * np.random.default_rng(0).standard_normal(len(y)).astype(np.float32), cfg)
    _WARM = True


def track_job(pkg: str, path: str, base: str) -> dict:
    "Every measurement on one track, or {'skipped': reason}."
    from editptr.audio import load_audio, check_audio, beat_grid, AudioError
    from editptr.edits import analyze, STYLES
    from editptr.config import AudioConfig
    cfg = AudioConfig()
    _warm_up(cfg)
    r = dict(pkg=pkg, track=str(Path(path).relative_to(Path(base) / pkg)))
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            y = check_audio(load_audio(path, cfg.sr), cfg, name=path)
        r['warnings'] = [str(x.message).split(': ', 1)[-1] for x in w]
    except AudioError as e:
        return {**r, 'skipped': str(e).split(': ', 1)[-1]}
    r['minutes'] = len(y) / cfg.sr / 60
    t, c = time.perf_counter(), time.process_time()
    a = analyze(y, cfg)
    r['analyze_wall'], r['analyze_cpu'] = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    g_gain = beat_grid((y * 10 ** (GAIN_DB / 20)).astype(np.float32), cfg)
    r['grid_wall'] = time.perf_counter() - t
    y_mp3, r['mp3_kbps'] = _mp3_round_trip(y, cfg.sr)
    g_mp3 = beat_grid(y_mp3, cfg)
    b = a.beats
    r['bpm'] = b.bpm
    r['fixed_grid'] = bool(b.bpm == cfg.fallback_bpm)
    r['gain'], r['mp3'] = _grid_compare(b, g_gain), _grid_compare(b, g_mp3)
    lines = a.bar_lines()
    bars_per_sec = [int(((lines >= s.start_frame) & (lines < s.end_frame)).sum()) for s in a.sections]
    r['n_bars'] = len(lines) - 1
    r['n_sections'] = len(a.sections)
    r['labels'] = ''.join(s.label for s in a.sections)
    r['min_section_bars'] = min(bars_per_sec)
    r['section_bars'] = bars_per_sec
    r['section_seconds'] = [(s.end_frame - s.start_frame) / cfg.frames_per_second for s in a.sections]
    r['bar_seconds'] = float(np.median(np.diff(lines))) / cfg.frames_per_second if len(lines) > 2 else float('nan')
    r['active'] = a.active
    r['n_frames'] = a.n_frames
    r['styles'] = {st: _style_stats(a, st, j, cfg) for j, st in enumerate(STYLES)}
    return r


def _flags(r: dict) -> list[str]:
    "What is visibly wrong with the analysis of one track."
    f = []
    for k, what in (('gain', f'{GAIN_DB:g} dB'), ('mp3', 'MP3')):
        ratio = r[k]['bpm'] / r['bpm']
        for m, name in ((2, 'doubled'), (0.5, 'halved'), (1.5, 'x3/2'), (2 / 3, 'x2/3'), (4 / 3, 'x4/3'), (0.75, 'x3/4')):
            if abs(ratio / m - 1) < 0.04: f.append(f"BPM {name} after {what} ({r['bpm']:.1f} -> {r[k]['bpm']:.1f})")
        if abs(ratio - 1) >= 0.04 and not any('BPM' in x and what in x for x in f):
            f.append(f"BPM changed after {what} ({r['bpm']:.1f} -> {r[k]['bpm']:.1f})")
        if r[k]['beats'] < 0.5: f.append(f"beats moved after {what} (only {r[k]['beats']:.0%} within +-{TOL} frames)")
        elif r[k]['downbeats'] < 0.5:
            f.append(f"bar phase moved after {what} (beats {r[k]['beats']:.0%}, downbeats {r[k]['downbeats']:.0%})")
    if r['fixed_grid']: f.append(f"no beats tracked: fixed {r['bpm']:g} BPM grid")
    elif not 60 <= r['bpm'] <= 200: f.append(f"implausible tempo {r['bpm']:.1f} BPM")
    if r['min_section_bars'] <= 1 and r['n_sections'] > 1:
        f.append(f"section of {r['min_section_bars']} bar ({r['n_sections']} sections)")
    if r['n_sections'] == 1 and r['minutes'] > 0.5: f.append(f"one section for {r['minutes']:.1f} min")
    return f


def _pct(x) -> str: return '–' if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.0f} %"


def report(rows: list[dict], skipped: list[dict], wall: float, jobs: int, sample: int | None) -> str:
    from editptr.edits import STYLES
    out = []
    P = lambda *s: out.append(' '.join(map(str, s)))
    pkgs = [p for p in PACKAGES if any(r['pkg'] == p for r in rows)]
    groups = [(p, [r for r in rows if r['pkg'] == p]) for p in pkgs] + [('all', rows)]
    mins = sum(r['minutes'] for r in rows)
    P(f"{len(rows)} tracks analysed ({mins:.0f} min of audio){f', a sample of {sample} per package' if sample else ''}; "
      f"{len(skipped)} skipped; {wall / 60:.1f} min wall with {jobs} job(s).")
    P(f"MP3 round trip: libsndfile {__import__('soundfile').__libsndfile_version__} (soundfile, format MP3, its default VBR setting) "
      f"on the mono 22050 Hz analysis signal, median {np.median([r['mp3_kbps'] for r in rows]):.0f} kbit/s; decoded gaplessly (same length, no offset).")
    P()
    P("### Beat-grid stability (original vs variant; share within ±2 frames = ±23 ms)\n")
    P("| package | tracks | variant | beats | downbeats | tracks with downbeats < 50 % | median abs ΔBPM | tracks with ΔBPM ≥ 4 % | BPM ×2 / ×½ |")
    P("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for p, rs in groups:
        for k, name in (('gain', f'{GAIN_DB:g} dB gain'), ('mp3', 'MP3 round trip')):
            b = np.mean([r[k]['beats'] for r in rs]); d = np.mean([r[k]['downbeats'] for r in rs])
            low = sum(r[k]['downbeats'] < 0.5 for r in rs)
            dbpm = np.median([abs(r[k]['dbpm']) for r in rs])
            moved = sum(abs(r[k]['bpm'] / r['bpm'] - 1) >= 0.04 for r in rs)
            octave = sum(any(abs(r[k]['bpm'] / r['bpm'] / m - 1) < 0.04 for m in (2, 0.5)) for r in rs)
            P(f"| {p} | {len(rs)} | {name} | {_pct(b)} | {_pct(d)} | {low} | {dbpm:.2f} | {moved} | {octave} |")
    P("\nbeats, downbeats: mean over tracks of the share of the original's beats (downbeats) that the variant also has.")
    P()
    P("### Tempo and sections found\n")
    P("| package | tracks | BPM median (min–max) | fixed-grid fallback | sections per minute | tracks with a 1-bar section | tracks with a repeated label | median section (s) | median section (bars) | neighbouring sections with the same label |")
    P("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for p, rs in groups:
        bpm = [r['bpm'] for r in rs]
        spm = sum(r['n_sections'] for r in rs) / sum(r['minutes'] for r in rs)
        one = sum(r['min_section_bars'] <= 1 and r['n_sections'] > 1 for r in rs)
        rep = sum(len(set(r['labels'])) < len(r['labels']) for r in rs)
        same = sum(a == b for r in rs for a, b in zip(r['labels'], r['labels'][1:]))
        pairs = sum(max(len(r['labels']) - 1, 0) for r in rs)
        P(f"| {p} | {len(rs)} | {np.median(bpm):.0f} ({min(bpm):.0f}–{max(bpm):.0f}) | {sum(r['fixed_grid'] for r in rs)} | "
          f"{spm:.2f} | {one} | {rep} | {np.median([s for r in rs for s in r['section_seconds']]):.1f} | "
          f"{np.median([b for r in rs for b in r['section_bars']]):.0f} | {_pct(same / max(pairs, 1))} ({same} of {pairs}) |")
    P()
    P("### Styles (seeds as `editptr-data audio`: style j, seed j)\n")
    P("| style | package | tracks | identity edit | fallback branch | seams | seams on bar lines | on tracked downbeats (or track ends) | length / raw (median) | miss of drawn target (median) |")
    P("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    fb = {'trim': 'fewer than 3 sections: only silence trimmed', 'rearrange': 'one section (its halves swapped); a track without a repeated label has its last section moved instead of a repeat',
          'shorten': 'none', 'extend': 'none'}
    for st in STYLES:
        for p, rs in groups:
            S = [r['styles'][st] for r in rs]
            ns = sum(s['n_seams'] for s in S)
            miss = np.nanmedian([s['target_miss'] for s in S]) if st in ('shorten', 'extend') else float('nan')
            P(f"| {st} | {p} | {len(S)} | {sum(s['identity'] for s in S)} | {sum(s['fallback'] for s in S)} | {ns} | "
              f"{_pct(sum(s['on_bar'] for s in S) / ns if ns else None)} | {_pct(sum(s['on_tracked'] for s in S) / ns if ns else None)} | "
              f"{np.median([s['length_ratio'] for s in S]):.2f} | {_pct(miss)} |")
    P("\nFallback branches: " + '; '.join(f"{k}: {v}" for k, v in fb.items()) + '.')
    P("A seam is on bar lines when its source end p[s-1]+1 and its destination p[s] are both in `bar_lines()` "
      "(tracked downbeats plus frame 0 and the track end; a pickup or tail under half a bar is dropped).")
    P()
    P("### Analysis time\n")
    P("| package | tracks | minutes of audio | analyze: s per min (wall) | analyze: s per min (CPU) | beat_grid alone: s per min (wall) |")
    P("|---|---:|---:|---:|---:|---:|")
    for p, rs in groups:
        m = sum(r['minutes'] for r in rs)
        P(f"| {p} | {len(rs)} | {m:.0f} | {sum(r['analyze_wall'] for r in rs) / m:.2f} | {sum(r['analyze_cpu'] for r in rs) / m:.2f} | "
          f"{sum(r['grid_wall'] for r in rs) / m:.2f} |")
    P(f"\n{jobs} job(s) on a 2-core machine shared with other work; one BLAS/numba thread per job. Loading and resampling are not counted.")
    P()
    P("### Where the analysis is visibly wrong\n")
    bad = [(r, _flags(r)) for r in rows]
    bad = [(r, f) for r, f in bad if f]
    P(f"{len(bad)} of {len(rows)} tracks.\n")
    if bad:
        P("| package | track | min | BPM | sections | what |")
        P("|---|---|---:|---:|---|---|")
        for r, f in bad: P(f"| {r['pkg']} | {r['track']} | {r['minutes']:.1f} | {r['bpm']:.1f} | {r['n_sections']} ({r['labels']}) | {'; '.join(f)} |")
    odd = [(r, st, k) for r in rows for st, v in r['styles'].items() for k in ('identity', 'fallback') if v[k]]
    if odd:
        P("\nIdentity edits and fallback branches: " + '; '.join(
            f"{r['pkg']}/{r['track']} ({r['minutes'] * 60:.0f} s, {r['n_bars']} bars, {r['n_sections']} sections): {st} {k}" for r, st, k in odd))
    if skipped:
        P("\nSkipped: " + '; '.join(f"{s['pkg']}/{s['track']}: {s['skipped']}" for s in skipped))
    warn = [(r, w) for r in rows for w in r['warnings']]
    if warn: P("\nLoader warnings: " + '; '.join(f"{r['pkg']}/{r['track']}: {w}" for r, w in warn))
    P()
    P("### Per track\n")
    P("| package | track | min | BPM | ΔBPM −6 dB | ΔBPM MP3 | beats −6 dB / MP3 | downbeats −6 dB / MP3 | bar (s) | sections | s/min |")
    P("|---|---|---:|---:|---:|---:|---|---|---:|---|---:|")
    for r in rows:
        P(f"| {r['pkg']} | {r['track']} | {r['minutes']:.1f} | {r['bpm']:.1f} | {r['gain']['dbpm']:+.1f} | {r['mp3']['dbpm']:+.1f} | "
          f"{_pct(r['gain']['beats'])} / {_pct(r['mp3']['beats'])} | {_pct(r['gain']['downbeats'])} / {_pct(r['mp3']['downbeats'])} | "
          f"{r['bar_seconds']:.2f} | {r['n_sections']} {r['labels']} | {r['analyze_wall'] / r['minutes']:.2f} |")
    return '\n'.join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--real', default=str(ROOT / 'data' / 'real'), help='folder with one sub-folder of tracks per package')
    ap.add_argument('--sample', type=int, default=None, help='at most this many tracks per package (evenly spaced in path order)')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--md', default=None, help='also write the tables to this file')
    args = ap.parse_args(argv)
    from editptr.corpus import walk_files, is_audio_file
    todo = []
    for p in PACKAGES:
        d = Path(args.real) / p
        if not d.is_dir(): print(f"{d}: missing (run bench/real_corpus.sh)", file=sys.stderr); continue
        files = [f for f in walk_files(d)[0] if is_audio_file(f)]
        if args.sample and len(files) > args.sample:
            files = [files[i] for i in np.linspace(0, len(files) - 1, args.sample).round().astype(int)]
        todo += [(p, str(f)) for f in files]
    if not todo: print("no tracks", file=sys.stderr); return 1
    t0, res = time.perf_counter(), []
    if args.jobs <= 1:
        for i, (p, f) in enumerate(todo): res.append(track_job(p, f, args.real)); print(f"[{i + 1}/{len(todo)}] {f}", file=sys.stderr)
    else:
        with ProcessPoolExecutor(args.jobs) as ex:
            futs = {ex.submit(track_job, p, f, args.real): f for p, f in todo}
            for i, fu in enumerate(as_completed(futs)):
                res.append(fu.result()); print(f"[{i + 1}/{len(todo)}] {futs[fu]}", file=sys.stderr)
    wall = time.perf_counter() - t0
    order = {(p, str(Path(f).relative_to(Path(args.real) / p))): i for i, (p, f) in enumerate(todo)}
    res.sort(key=lambda r: order.get((r['pkg'], r['track']), 0))
    rows, skipped = [r for r in res if 'skipped' not in r], [r for r in res if 'skipped' in r]
    md = report(rows, skipped, wall, args.jobs, args.sample)
    print(md)
    if args.md:
        head = (f"# Analysis on real recordings\n\n{time.strftime('%Y-%m-%d')}; `.venv/bin/python bench/real_analysis.py "
                f"{' '.join(argv if argv is not None else sys.argv[1:])}` (tracks from `bash bench/real_corpus.sh`).\n\n")
        Path(args.md).write_text(head + md + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
