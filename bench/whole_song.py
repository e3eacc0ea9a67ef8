"""What a user gets from `editptr-edit` on whole held-out songs: the model's free-running edits beside the baselines.

    python bench/whole_song.py [--checkpoint models/pointer_network/best.pt] [--bar-model models/bars/best.pt] \\
        --corpus data/synth [--corpus data/synth_big] [--split test] [--seed 0] [--max-items N] [--samples 8] [--seams bar] \\
        [--threads 2] [--out bench/results/whole_song_cpu.md]

Runs `editptr.evaluate.evaluate` on the split's whole songs of each corpus (no crop; every decoder is given the true
edit length; with several corpora, their test songs are pooled)
and prints, per style and over all pairs, one Markdown table whose rows are the free-running methods
(`editptr.evaluate.FR_METHODS`: style by name, a reference pair from another song, best of `--samples` prior
samples, the prior's greedy edit, coarse to fine; the same four of the bar model (`editptr.bars`) when --bar-model is
given, its prior rows with z drawn from N(0, I) (each bar sampled at `SAMPLE_TEMPERATURE`, as `editptr-edit --samples`) and z = 0; continue +1, copy raw, the classical editor). Columns:
dest F1 = destination-aware seam F1 (tol 3 frames), seam F1 = the same without destinations, accuracy = share of
output frames equal to the truth, length MAE (frames; 0 when the length is given and kept), on bars = share of
seams with both sides within 2 frames of a bar line, seam dist = mean `seam_quality` distance of the seams (1: as
smooth as the music's own frame-to-frame change), distinct = distinct edits among the samples. '–': no value
(no seams, or not a sampled row). The header states checkpoint, corpus, songs and pairs, torch, threads and wall time.
The classical editor works on the raw's audio: pairs of a corpus built with `--no-audio` get no classical edit, and
its row's pairs column says how many it covers.
"""
import argparse, math, os, time, warnings
from pathlib import Path

COLUMNS = {'pairs': 'pairs', 'dest_seam_f1': 'dest F1', 'seam_f1': 'seam F1', 'accuracy': 'accuracy', 'length_mae': 'length MAE',
           'seams_on_bars': 'on bars', 'seam_distance': 'seam dist', 'distinct_edits': 'distinct'}


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)): return '–'
    if isinstance(v, int): return str(v)
    return f'{v:.2f}'


def style_table(rows):
    "Markdown table of one style's free-running rows, one per method."
    out = ['| method | ' + ' | '.join(COLUMNS.values()) + ' |', '|---|' + '---|' * len(COLUMNS)]
    return '\n'.join(out + [f"| {r['method']} | " + ' | '.join(fmt(r.get(c)) for c in COLUMNS) + ' |' for r in rows])


def report(res, header):
    "The header, then one section per style ('all' last) of the free-running rows."
    rows = [r for r in res.rows if r['mode'] == 'free-running']
    styles = list(dict.fromkeys(r['style'] for r in rows))            # evaluate's order: styles by name, 'all' last
    lines = [header, '']
    for s in styles: lines += [f'## {s}', '', style_table([r for r in rows if r['style'] == s]), '']
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--checkpoint', help='frame model checkpoint (best.pt)')
    ap.add_argument('--bar-model', help="bar model checkpoint (editptr-train-bars); several joined by '+' (a forward and a --reverse model) agree on each edit")
    ap.add_argument('--bar-beam', type=int, default=1, help="the bar model's beam width (1: greedy)")
    ap.add_argument('--corpus', action='append', required=True, help='corpus the models were trained on (split by song, --seed); repeat to pool test songs')
    ap.add_argument('--seed', type=int, default=0, help="the split's seed: the models' training seed (a model trained with --seed 1 is held out on that split)")
    ap.add_argument('--split', default='test', choices=('train', 'val', 'test', 'all'))
    ap.add_argument('--max-items', type=int, default=None, help='pairs to evaluate (default: the whole split)')
    ap.add_argument('--samples', type=int, default=8, help='prior samples per pair for the best-of row')
    ap.add_argument('--threads', type=int, default=2, help='CPU threads (torch and the numeric libraries)')
    ap.add_argument('--seams', default='bar', choices=('bar', 'beat', 'frame'), help="where the model's seams may be (as editptr-edit --seams)")
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--out', default='bench/results/whole_song_cpu.md', help="write the report here too ('' : print only)")
    a = ap.parse_args(argv)
    if not (a.checkpoint or a.bar_model): ap.error('give --checkpoint, --bar-model or both')
    for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'): os.environ[v] = str(a.threads)
    import torch                                                     # after the thread settings: numpy reads them on import
    from editptr.evaluate import evaluate, EvalResult, score_by_style
    from editptr.bars import SAMPLE_TEMPERATURE
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')                              # librosa's notes on the classical editor's analysis
        per_corpus = [evaluate(a.checkpoint, c, split=a.split, device=a.device, max_items=a.max_items, samples=a.samples, seed=a.seed,
                               progress=True, seams=a.seams, bar_model=a.bar_model, bar_beam=a.bar_beam).items for c in a.corpus]
    items = [it for its in per_corpus for it in its]
    res = EvalResult(score_by_style(items), items)
    wall = time.perf_counter() - t0
    songs = sum(len({it['song'] for it in its}) for its in per_corpus)    # song names repeat across corpora
    frames = [it['n_raw'] for it in res.items]
    models = ', '.join(f'{k} {v}' for k, v in (('checkpoint', a.checkpoint), ('bar model', a.bar_model)) if v) + (f', bar beam {a.bar_beam}' if a.bar_model else '')
    header = (f'# Whole songs, free-running ({models}, corpus {" + ".join(a.corpus)}, {a.split} split (seed {a.seed}): {songs} songs, '
              f'{len(res.items)} pairs, {min(frames)}-{max(frames)} raw frames; best of {a.samples} prior samples' + (f' (bar model: bars sampled at temperature {SAMPLE_TEMPERATURE:g})' if a.bar_model else '') + f'; model seams on {a.seams} lines; torch {torch.__version__}, {a.threads} thread(s), '
              f'{a.device}; wall time {wall:.0f} s)\n\nEvery decoder is given the true edit length. Produced by '
              f'`python bench/whole_song.py`; columns are described in its docstring.')
    text = report(res, header)
    print(text)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
