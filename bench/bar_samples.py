"""Samples from the bar model's prior, as `editptr-edit --samples N` writes them: best of N, the first written and how many differ (markdown).

    python bench/bar_samples.py --bar-model models/bars/last.pt --corpus data/synth [--corpus data/synth_big] \\
        [--samples 8] [--temperatures 0,0.7,1] [--draws 1,4] [--split test] [--split-seed 0] [--threads 2] [--out bench/results/bar_samples_cpu.md]

Each pair of the split is edited --samples times at its true length with z drawn from N(0, I) (`sample_edits`):
every reading of --bar-model (a two-way checkpoint: both; 'A+B': each) draws its share of draws x samples edits,
each bar at the temperature (0: greedy per z), and the samples distinct edits that all readings find most likely
are kept, most agreed first. Columns: the destination-aware seam F1 and accuracy of the best of them (scored
against the truth, `best_sample`: the whole-song bench's "prior, best of 8" row), of the most agreed one (the
first `editptr-edit` writes, a pick made without the truth), the mean number of distinct edits among them
(`distinct_edits`), and the CPU seconds of all pairs. With several readings a baseline row comes too: the first
reading alone draws the samples and judges them (readings 'first', draws 1), as `editptr-edit` did before.
"""
import time
import numpy as np
import torch
from common import bar_bench_args, report, split_items


def main(argv=None):
    ap = bar_bench_args(__doc__, split_seed='--split-seed')
    ap.add_argument('--samples', type=int, default=8)
    ap.add_argument('--temperatures', default='0,0.7,1')
    ap.add_argument('--draws', default='4', help='comma-separated draws per sample kept (editptr.bars.SAMPLE_DRAWS is the default of editptr-edit)')
    ap.add_argument('--seed', type=int, default=0, help='seed of the draws')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models, sample_edits
    from editptr.evaluate import best_sample, distinct_edits
    from bar_beam import by_style
    readers = load_bar_models(a.bar_model)
    items = split_items(a.corpus, a.split, a.split_seed)
    setups = [('all', int(d)) for d in a.draws.split(',')] + ([('first', 1)] if len(readers) > 1 else [])
    rows = []
    for T in [float(t) for t in a.temperatures.split(',')]:
        for who, draws in setups:
            models, gen, best, agreed, distinct = readers if who == 'all' else readers[:1], torch.Generator().manual_seed(a.seed), [], [], []
            t0 = time.process_time()
            for it in items:
                kept = [e['pointers'] for e in sample_edits(models, it, a.samples, gen, temperature=T, draws=draws)]
                best.append(best_sample(kept, it['pointers'])); agreed.append(kept[0]); distinct.append(distinct_edits(kept))
            cpu = time.process_time() - t0
            for (s, n, r), (_, _, f) in zip(by_style(items, best), by_style(items, agreed)):
                spread = np.mean([d for d, it in zip(distinct, items) if s == 'all' or it['style'] == s])
                rows.append(f"| {T:g} | {who} | {draws} | {s} | {n} | {r['dest_seam_f1']:.3f} | {r['accuracy']:.3f} | {f['dest_seam_f1']:.3f} | {f['accuracy']:.3f} | {f['exact']} | {spread:.2f} | {cpu:.0f} |")
    text = '\n'.join([f"# Bar model, {a.samples} prior samples per pair ({a.bar_model}, {len(readers)} reading(s); {a.split} splits of {' + '.join(a.corpus)}; "
                      f"true length; draws seed {a.seed}, split seed {a.split_seed}; torch {torch.__version__}, {a.threads} thread(s))", '',
                      f'| temperature | readings | draws per sample | style | pairs | best-of-{a.samples} dest F1 | best-of-{a.samples} accuracy | most agreed dest F1 | most agreed accuracy | most agreed exact | distinct edits | CPU s (all pairs) |',
                      '|---|---|---|---|---|---|---|---|---|---|---|---|'] + rows)
    report(text, a.out)


if __name__ == '__main__':
    main()
