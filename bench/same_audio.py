"""Are the bar model's wrong frames another copy of the same audio? Per style, the wrong frames of its edits by name and how close they sound to the truth's (markdown).

    python bench/same_audio.py --bar-model models/mix_two_way/last.pt --corpus data/real_corpus/nexuiz-music \\
        [--split all] [--seed 0] [--styles shorten,extend] [--threads 2] [--out bench/results/same_audio_nexuiz_cpu.md]

Each pair is edited at its true length with the style by name, as `editptr-edit --style` does (beam 4, every
reading of the checkpoint proposing `AGREED_POOL` edits: `agreed_beam`). A frame is wrong where it points at another
raw frame than the truth's. For each wrong frame, the log-mel it plays is compared with the one the truth plays
(mean |difference| over the mel bands, dB): 'within 0.5 dB' is as good as the same audio (a repeated section
copied note for note); 'within a step' is closer than the song's median change from one frame to the next.
A pooled repeat of the truth's audio would make the wrong frames mostly 'within 0.5 dB'.
"""
import time
import numpy as np
import torch
from common import bar_bench_args, report


def wrong_frames(raw_mel: np.ndarray,   # (n_mels, T_raw) log-mel, dB
                 pred: np.ndarray,      # (T,) frames the edit plays
                 true: np.ndarray,      # (T,) frames the truth plays
                ) -> tuple[int, int, int]:
    "(wrong frames, of those within 0.5 dB of the truth's audio, of those closer than the song's median frame-to-frame change)."
    wrong = pred != true
    diff = np.abs(raw_mel[:, pred] - raw_mel[:, true]).mean(0)                   # (T,) dB
    step = np.median(np.abs(np.diff(raw_mel, axis=1)).mean(0))
    return int(wrong.sum()), int((wrong & (diff < 0.5)).sum()), int((wrong & (diff < step)).sum())


def main(argv=None):
    ap = bar_bench_args(__doc__)
    ap.add_argument('--styles', default='shorten,extend')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models, bar_item, BEAM_WIDTH, AGREED_POOL
    from editptr.dataset import PointerDataset
    from bar_beam import edits_by_name
    models, styles, t0 = load_bar_models(a.bar_model), a.styles.split(','), time.process_time()
    counts = {s: np.zeros(4, np.int64) for s in styles}                           # frames, wrong, within 0.5 dB, within a step
    for c in a.corpus:
        ds = PointerDataset(c, split=a.split, seed=a.seed, max_raw_frames=2**62)
        for i in range(len(ds)):
            d = ds[i]
            if d['style'] not in styles: continue
            it = bar_item(d)
            if it['tokens'] is None: continue                                     # off the bar grid: no bar-model edit
            pred = edits_by_name(models, [it], BEAM_WIDTH, 1.0, pool=AGREED_POOL)[0]['pointers']
            counts[d['style']] += [len(pred), *wrong_frames(np.asarray(d['raw_mel']), pred, it['pointers'])]
    rows = [f"| {s} | {n} | {w} | {h} ({h / max(w, 1):.1%}) | {k} ({k / max(w, 1):.1%}) |" for s, (n, w, h, k) in counts.items()]
    n, w, h, k = sum(counts.values())
    rows.append(f"| all | {n} | {w} | {h} ({h / max(w, 1):.1%}) | {k} ({k / max(w, 1):.1%}) |")
    text = '\n'.join([f"# Wrong frames of the bar model's edits by name: the same audio? ({a.bar_model}; {a.split} split of {' + '.join(a.corpus)}, "
                      f"seed {a.seed}; beam {BEAM_WIDTH}, pool {AGREED_POOL}; torch {torch.__version__}, {a.threads} thread(s); {time.process_time() - t0:.0f} CPU s)", '',
                      '| style | frames | wrong | within 0.5 dB of the truth\'s | within a step |', '|---|---:|---:|---:|---:|'] + rows)
    report(text, a.out)


if __name__ == '__main__':
    main()
