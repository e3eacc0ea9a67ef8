"""Benchmark `editptr.align.align_audio` against two baselines on edits with exact truth.

    python bench/align.py [--quick]
    python bench/align.py --real data/real_corpus/nexuiz-music [--real ...] [--songs 3]   # recorded songs' corpus pairs

Edits: synth tracks x editor styles (shorten, extend, trim, rearrange), each under a
perturbation: none (editptr's own render, seams on the frame grid, 10 ms crossfade), off-grid
(the same runs spliced at random sample offsets), crossfade (off-grid + 30 ms), gain (-9 dB),
eq (mid boost), lossy (MP3 round trip, or lowpass + quantisation without an encoder); the last
three are applied to off-grid edits. Baselines, same inputs, same process, one thread:
(a) per-frame nearest neighbour on cosine similarity of the same features (blocked),
(b) librosa.sequence.dtw on the cosine cost (needs the dense T_edit x T_raw cost: run only
when it is below ~40 M cells; monotonic, so it cannot follow loops or reorders).
x real time = edited seconds / CPU seconds to align (one thread), both mel spectrograms included.
"""
import os
for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'): os.environ[v] = '1'
import argparse, time
from pathlib import Path
import numpy as np

PERTURBATIONS = ('none', 'off-grid', 'crossfade', 'gain', 'eq', 'lossy')
DTW_MAX_CELLS = 40_000_000


def runs(p):
    "Maximal +1 runs of pointer sequence `p` (split at its seams) as (first, stop) raw frames."
    from editptr.pointers import seam_frames
    return [(int(r[0]), int(r[-1]) + 1) for r in np.split(p, seam_frames(p))]


def make_case(track, style, kind, seed, cfg):
    "(raw, edit, truth) for one style and perturbation."
    from editptr.edits import TrackAnalysis, apply_style, make_pair
    if kind == 'none':
        pr = make_pair(track, style, seed=seed, cfg=cfg)
        return track.audio, pr.edited, pr.pointers
    return track.audio, *spliced_case(track.audio, apply_style(TrackAnalysis.from_synth(track, cfg), style, seed=seed), kind, seed, cfg)


def spliced_case(raw, p, kind, seed, cfg):
    "(edit, truth): the runs of frame pointers `p` spliced from `raw` at random sample offsets, under perturbation `kind`."
    from editptr.align import splice_edit, degrade
    rng = np.random.default_rng(seed + 1000)
    hop, n = cfg.hop_length, len(raw)
    spans = []
    for a, b in runs(p):
        d = int(rng.integers(1, hop))                      # every run starts off the frame grid
        spans.append((min(a * hop + d, n - 1), min(b * hop + d, n)))
    edit, truth = splice_edit(raw, spans, cfg, crossfade_ms=30.0 if kind == 'crossfade' else 0.0)
    if kind in ('gain', 'eq', 'lossy'): edit = degrade(edit, kind, cfg.sr, seed)
    return edit, truth


def real_case(corpus, record, kind, seed, cfg):
    "(raw, edit, truth) of a recorded song's corpus pair: 'none' is the corpus's own rendered edit (its sample rate and"
    " channels, read as the aligner reads any file), the other kinds splice the stored pointers from the raw."
    from editptr.audio import load_source, analysis_audio
    from editptr.corpus import pair_audio_path
    raw, p = analysis_audio(load_source(pair_audio_path(corpus, record, 'raw')), cfg.sr), np.load(record['pointers'])
    if kind != 'none': return raw, *spliced_case(raw, p, kind, seed, cfg)
    edit = analysis_audio(load_source(pair_audio_path(corpus, record, 'edit')), cfg.sr)
    n = min(len(p), 1 + len(edit) // cfg.hop_length)
    return raw, edit[:(n - 1) * cfg.hop_length + 1], p[:n]


def nn_baseline(raw, edit, cfg, block=512):
    "Per edited frame, the raw frame of highest cosine similarity (no continuity)."
    from editptr.audio import mel_spectrogram
    from editptr.align import frame_features
    Fr, Fe = frame_features(mel_spectrogram(raw, cfg), cfg), frame_features(mel_spectrogram(edit, cfg), cfg)
    return np.concatenate([np.argmax(Fe[i:i + block] @ Fr.T, 1) for i in range(0, len(Fe), block)]).astype(np.int32)


def dtw_baseline(raw, edit, cfg):
    "librosa DTW on the cosine cost; pointer = first raw frame the path visits for each edited frame."
    import librosa
    from editptr.audio import mel_spectrogram
    from editptr.align import frame_features
    Fr, Fe = frame_features(mel_spectrogram(raw, cfg), cfg), frame_features(mel_spectrogram(edit, cfg), cfg)
    if len(Fr) * len(Fe) > DTW_MAX_CELLS: return None
    C = 1.0 - (Fe @ Fr.T).astype(np.float64)
    _, wp = librosa.sequence.dtw(C=C, backtrack=True)
    wp = wp[::-1]
    p = np.full(len(Fe), -1, np.int32)
    for i, j in wp:
        if p[i] < 0: p[i] = j
    return p


def timed(f, *a):
    "Result and CPU seconds (one thread, so CPU time = one core's time even on a busy machine)."
    t = time.process_time(); r = f(*a); return r, time.process_time() - t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='2 tracks x 30 s (about a minute)')
    ap.add_argument('--real', action='append', default=[], help='a corpus built from recordings (editptr-data audio, with audio): '
                    'align its pairs instead of generated songs (repeat for several)')
    ap.add_argument('--songs', type=int, default=3, help='with --real: songs per corpus (every style of each)')
    a = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    from editptr.config import AudioConfig
    from editptr.synth import synth_track
    from editptr.edits import STYLES
    from editptr.align import align_audio, score_alignment
    cfg = AudioConfig()
    seeds, dur = ((101, 102), 30.0) if a.quick else ((101, 102, 103, 104, 105), 60.0)
    if a.real:
        from editptr.corpus import read_corpus
        pairs = []
        for c in a.real:
            records = read_corpus(c)
            songs = list(dict.fromkeys(r['song'] for r in records))[:a.songs]
            pairs += [(c, r) for r in records if r['song'] in songs]
        cases = lambda kind: ((i, lambda c=c, r=r, i=i: real_case(c, r, kind, i, cfg)) for i, (c, r) in enumerate(pairs))
        what = f"{len(pairs)} pairs of {sum(a.songs for _ in a.real)} recorded songs ({', '.join(Path(c).name for c in a.real)})"
    else:
        tracks = [synth_track(s, dur, cfg=cfg) for s in seeds]
        cases = lambda kind: ((ti * 10 + si, lambda tr=tr, style=style, seed=ti * 10 + si: make_case(tr, style, kind, seed, cfg))
                              for ti, tr in enumerate(tracks) for si, style in enumerate(STYLES))
        what = f"{'quick: ' if a.quick else ''}{len(tracks)} synth tracks x {dur:.0f} s x {len(STYLES)} styles = {len(tracks) * len(STYLES)} edits"
    warm = synth_track(101, 5.0, cfg=cfg).audio
    align_audio(warm, warm[:22050 * 3])                                       # numba compile, not timed
    methods = ('align_audio', 'nearest neighbour', 'librosa DTW')
    res = {k: {m: [] for m in methods} for k in PERTURBATIONS}
    t_start = time.time()
    for kind in PERTURBATIONS:
        for _, make in cases(kind):
            raw, edit, truth = make()
            secs = len(edit) / cfg.sr
            al, dt = timed(align_audio, raw, edit, cfg.sr, cfg)
            res[kind]['align_audio'].append({**score_alignment(al.pointers, truth), 'xrt': secs / dt})
            p, dt = timed(nn_baseline, raw, edit, cfg)
            res[kind]['nearest neighbour'].append({**score_alignment(p, truth), 'xrt': secs / dt})
            p, dt = timed(dtw_baseline, raw, edit, cfg)
            if p is not None: res[kind]['librosa DTW'].append({**score_alignment(p, truth), 'xrt': secs / dt})
    print(f"# align_audio benchmark ({what} per perturbation, 1 thread, mel included)\n")
    for kind in PERTURBATIONS:
        print(f"\n## perturbation: {kind}\n")
        print('| method | exact % | within-1 % | seam F1 | x real time | edits |')
        print('|---|---:|---:|---:|---:|---:|')
        for m in methods:
            rows = res[kind][m]
            if not rows: print(f'| {m} | - | - | - | - | 0 (cost matrix too big) |'); continue
            mean = lambda k: float(np.mean([r[k] for r in rows]))
            print(f"| {m} | {100 * mean('exact'):.2f} | {100 * mean('within1'):.2f} | {mean('seam_f1'):.3f} | "
                  f"{mean('xrt'):.0f} | {len(rows)} |")
    lossy = 'MP3 round trip' if 'MP3' in __import__('soundfile').available_formats() else 'lowpass + quantisation'
    print(f"\nlossy = {lossy}. DTW is monotonic start-to-end: it cannot represent loops or reorders.")
    if a.real: print("\nnone = the corpus's own render (its rate and channels, 10 ms crossfades); the others splice the truth's runs from the raw.")
    print(f"\n(total {time.time() - t_start:.0f} s)")


if __name__ == '__main__':
    main()
