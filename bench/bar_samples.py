"""Samples from the bar model's prior, greedy per z against sampled at a temperature: best of N and how many differ (markdown).

    python bench/bar_samples.py --bar-model models/bars/last.pt --corpus data/synth [--corpus data/synth_big] \\
        [--samples 8] [--temperatures 0,0.7,1] [--split test] [--threads 2] [--out bench/results/bar_samples_cpu.md]

Each pair of the split is edited --samples times in one batch (`generate_bars`) at its true length, z drawn from
N(0, I), as `editptr-edit --samples N [--temperature T]` does without a style: temperature 0 decodes each z greedily
(the whole-song bench's "prior, best of 8" row), a temperature > 0 also samples each bar from the model. Columns: the
destination-aware seam F1 and accuracy of the best sample of each pair (scored against the truth, `best_sample`), the
mean number of distinct edits among the samples (`distinct_edits`), and the CPU seconds of all pairs.
A two-way checkpoint samples from its forward reading, as `editptr-edit --samples` does. 'most agreed': the sample
that all the readings of --bar-model (a two-way checkpoint: both; 'A+B': each) find most likely at the prior's mean z
(`by_agreement`), a pick made without the truth; 'first drawn': the first sample, a pick at random.
"""
import argparse, time
from pathlib import Path
import numpy as np
import torch


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--bar-model', required=True)
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--samples', type=int, default=8)
    ap.add_argument('--temperatures', default='0,0.7,1')
    ap.add_argument('--split', default='test', choices=('train', 'val', 'test', 'all'))
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models, load_bar_items, generate_bars, by_agreement
    from editptr.evaluate import best_sample, distinct_edits
    from bar_beam import by_style
    judges = load_bar_models(a.bar_model)            # every reading: they order the samples (`by_agreement`)
    model = judges[0]
    items = [it for c in a.corpus for it in load_bar_items(c, a.split, progress=False)[0]]
    rows = []
    for T in [float(t) for t in a.temperatures.split(',')]:
        gen, best, first, drawn_first, distinct = torch.Generator().manual_seed(a.seed), [], [], [], []
        t0 = time.process_time()
        for it in items:
            z = torch.randn(a.samples, model.config.latent_dim, generator=gen)
            rows_ = generate_bars(model, [it] * a.samples, z, temperature=T, generator=gen)
            drawn = [r['pointers'] for r in rows_]
            best.append(best_sample(drawn, it['pointers'])); distinct.append(distinct_edits(drawn)); drawn_first.append(drawn[0])
            first.append(by_agreement(judges, it, rows_, [torch.zeros(1, m.config.latent_dim) for m in judges])[0]['pointers'])
        cpu = time.process_time() - t0
        for (s, n, r), (_, _, f), (_, _, d) in zip(by_style(items, best), by_style(items, first), by_style(items, drawn_first)):
            spread = np.mean([d for d, it in zip(distinct, items) if s == 'all' or it['style'] == s])
            rows.append(f"| {T:g} | {s} | {n} | {r['dest_seam_f1']:.3f} | {r['accuracy']:.3f} | {f['dest_seam_f1']:.3f} | {f['accuracy']:.3f} | {f['exact']} | {d['dest_seam_f1']:.3f} | {d['exact']} | {spread:.2f} | {cpu:.0f} |")
    text = '\n'.join([f"# Bar model, {a.samples} prior samples per pair ({a.bar_model}; {a.split} splits of {' + '.join(a.corpus)}; "
                      f"true length; seed {a.seed}; torch {torch.__version__}, {a.threads} thread(s))", '',
                      f'| temperature | style | pairs | best-of-{a.samples} dest F1 | best-of-{a.samples} accuracy | most agreed dest F1 | most agreed accuracy | most agreed exact | first drawn dest F1 | first drawn exact | distinct edits | CPU s (all pairs) |',
                      '|---|---|---|---|---|---|---|---|---|---|---|---|'] + rows)
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
