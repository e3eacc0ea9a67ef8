"""How audible a seam is after rendering, for a fixed crossfade and for one chosen per seam (markdown table).

    python bench/seams.py --corpus data/synth [--corpus data/synth_big] [--bar-model models/bars/last.pt] \\
        [--split test] [--pairs 40] [--out bench/results/seams_cpu.md]

For the edits of held-out generated songs (the true edit, the bar model's with the style by name when --bar-model is
given, and the classical editor's, all of the true length), each edit is rendered three ways: a 10 ms crossfade at
every seam (render's default), a 50 ms one at every seam, and `editptr.edit.seam_crossfades` (the long fade only where
the join is alike or unlike enough: `seam_quality` distance at most `ALIKE_SEAM` or above `UNLIKE_SEAM`). The rendered
audio is analysed again, and each seam
gets two numbers over the frames its longest fade can touch:
- step: how much larger the rendered frame-to-frame log-mel distance gets than either side's own (the raw's at the
  frames it would have played: a downbeat changes the spectrum on both sides), in units of the raw's median
  frame-to-frame distance: what a listener hears as a jump;
- bump: how far the rendered loudness rises above the louder of the two sides it mixes (dB): an equal-power fade of
  two alike (correlated) signals adds up to +3 dB, heard as a swell.
A second table pools every seam by the raw's own seam distance: where the long fade pays (what the thresholds are read from,
on the validation split).
"""
import argparse, math, sys, time
from pathlib import Path
import numpy as np


def seam_measures(raw_mel, edit_mel, pointers, window: int) -> dict[int, tuple[float, float]]:
    "{seam frame: (step, bump)} of each seam between two raw frames: its excess over both sides, `window` frames from the seam on."
    from editptr.pointers import seam_frames
    from editptr.metrics import frame_loudness
    typical = float(np.median(np.linalg.norm(np.diff(raw_mel, axis=1), axis=0))) + 1e-6
    step = lambda m: np.r_[0, np.linalg.norm(np.diff(m, axis=1), axis=0)] / typical           # (T,) change into each frame
    raw_step, edit_step = step(raw_mel), step(edit_mel)
    loud_raw, loud_edit = frame_loudness(raw_mel), frame_loudness(edit_mel)
    out, T, last = {}, min(len(pointers), edit_mel.shape[1]), raw_mel.shape[1] - 1
    for s in seam_frames(pointers):
        a, b = int(pointers[s - 1]), int(pointers[s])
        if a < 0 or b < 0 or s + window > T: continue
        k = np.arange(window)
        out_side, in_side = np.minimum(a + 1 + k, last), np.minimum(b + k, last)        # the raw frames each side would have played
        steps = edit_step[s + k] - np.maximum(raw_step[out_side], raw_step[in_side])   # beyond what the music itself changes there
        bumps = loud_edit[s + k] - np.maximum(loud_raw[out_side], loud_raw[in_side])
        out[int(s)] = (float(max(0.0, steps.max())), float(max(0.0, bumps.max())))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--bar-model', help="also the bar model's edits (style by name, beam 4; 'A+B' or a two-way checkpoint: the edit its readers agree on)")
    ap.add_argument('--split', default='test')
    ap.add_argument('--pairs', type=int, default=40, help='pairs per corpus, spread over the split')
    ap.add_argument('--out')
    a = ap.parse_args(argv)
    import torch
    from editptr.config import AudioConfig
    from editptr.audio import load_audio, render, mel_spectrogram
    from editptr.dataset import PointerDataset
    from editptr.corpus import pair_audio_path
    from editptr.evaluate import classical_pointers
    from editptr.edit import edit_report, seam_crossfades, SHORT_FADE_MS, LONG_FADE_MS
    torch.set_num_threads(1)
    cfg, t0 = AudioConfig(), time.time()
    model = None
    if a.bar_model:
        from editptr.bars import load_bar_models, bar_item, bar_style_z, agreed_beam
        model = load_bar_models(a.bar_model)      # every reading ('A+B', or a two-way checkpoint): the edit they agree on
    policies = {f'{SHORT_FADE_MS:g} ms every seam': SHORT_FADE_MS, f'{LONG_FADE_MS:g} ms every seam': LONG_FADE_MS,
                f'per seam (`seam_crossfades`)': None}
    window = math.ceil(LONG_FADE_MS / 1000 * cfg.sr / cfg.hop_length) + 1
    rows = {}                                     # (edit, policy) -> list of (step, bump, fade ms)
    by_seam = {}                                  # (edit, pair, frame) -> distance and (step, bump) per policy
    n_pairs = 0
    for corpus in a.corpus:
        ds = PointerDataset(corpus, split=a.split, max_raw_frames=2**62)
        pick = np.unique(np.linspace(0, len(ds) - 1, min(a.pairs, len(ds))).round().astype(int))
        for i in pick:
            path = pair_audio_path(corpus, ds.records[i], 'raw')
            if path is None: continue
            item, y = ds[int(i)], load_audio(path, cfg.sr)
            raw_mel, true = mel_spectrogram(y, cfg), item['pointers'].numpy()
            edits = {'true edit': true, 'classical editor': classical_pointers(y, 0, raw_mel.shape[1], len(true), cfg)}
            if model is not None: edits['bar model'] = agreed_beam(model, bar_item(item), [bar_style_z(m, item['style']) for m in model])['pointers']
            n_pairs += 1
            for name, p in edits.items():
                if p is None: continue
                seams = edit_report(p, cfg, raw_mel)['seams']          # as the ops file lists them: `distance` where scored
                for policy, fade in policies.items():
                    fades = seam_crossfades(seams) if fade is None else [fade] * len(seams)
                    measured = seam_measures(raw_mel, mel_spectrogram(render(y, p, cfg, crossfade_ms=fades), cfg), p, window)
                    for s, f in zip(seams, fades):
                        if s['frame'] not in measured or 'distance' not in s: continue
                        rows.setdefault((name, policy), []).append((*measured[s['frame']], f))
                        by_seam.setdefault((name, n_pairs, s['frame']), {'distance': s['distance']})[policy] = measured[s['frame']]
    lines = [f"# Seams after rendering: fixed vs per-seam crossfade\n",
             f"`python bench/seams.py {' '.join(sys.argv[1:] if argv is None else argv)}`: {n_pairs} pairs of the {a.split} split, {time.time() - t0:.0f} s. "
             f"step: frame-to-frame log-mel change near the seam beyond either side's own "
             f"(x the raw's median frame step); bump: loudness above the louder side (dB). Lower is better for both.\n",
             "| edit | crossfade | seams | step | bump dB | mean fade ms |", "|---|---|---:|---:|---:|---:|"]
    for (name, policy), r in rows.items():
        r = np.array(r)
        lines.append(f"| {name} | {policy} | {len(r)} | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} | {r[:, 2].mean():.1f} |")
    short, long = list(policies)[:2]
    lines += ["", f"Every seam of every edit, by its raw seam distance: what the {LONG_FADE_MS:g} ms fade changes against {SHORT_FADE_MS:g} ms "
              "(negative: better).", "", "| seam distance | seams | step, short | step change | bump dB, short | bump change |", "|---|---:|---:|---:|---:|---:|"]
    d = np.array([v['distance'] for v in by_seam.values()])
    m = {pol: np.array([v[pol] for v in by_seam.values()]).reshape(-1, 2) for pol in (short, long)}
    for lo, hi in ((-np.inf, 1), (1, 2), (2, 3), (3, 5), (5, np.inf)):
        k = (d > lo) & (d <= hi)
        span = f"<= {hi:g}" if lo == -np.inf else f"> {lo:g}" if hi == np.inf else f"{lo:g}-{hi:g}"
        if k.any(): lines.append(f"| {span} | {k.sum()} | {m[short][k, 0].mean():.2f} | {(m[long][k, 0] - m[short][k, 0]).mean():+.2f} | "
                                 f"{m[short][k, 1].mean():.2f} | {(m[long][k, 1] - m[short][k, 1]).mean():+.2f} |")
    text = '\n'.join(lines) + '\n'
    print(text)
    if a.out: Path(a.out).write_text(text)


if __name__ == '__main__':
    main()
