"""Greedy against beam decoding of the bar model, style by name, on held-out whole songs (markdown table).

    python bench/bar_beam.py --bar-model models/bars/best.pt [--bar-model models/bars/last.pt] --corpus data/synth \\
        [--corpus data/synth_big] [--beams 1,4] [--length-weights 0] [--plan-weights 0] [--split test] [--seed 0] [--threads 1]
        [--out bench/results/bar_beam_cpu.md]

Each pair of the split (default test) of each corpus is edited at its true length with the style bank's z of its style,
by `generate_bars` (beam 1: greedy) and `beam_bars` (beam > 1, with each of --length-weights: the log-probability a
finished beam loses per median bar it must be cut or run on to reach the length) and each of --plan-weights (the weight
of a plays head's plan in each step's scores, `next_bar_scores`; models without a head run at 0 only); columns as in bench/whole_song.py
(dest F1 = destination-aware seam F1, pooled over the pairs: where no true edit has a seam, as in `trim`, one
spurious seam makes it 0; accuracy = share of output frames equal to the truth; exact = edits identical to the
truth, frame for frame), and the CPU seconds
the decoding of all pairs took. A --bar-model of several checkpoints joined by '+' (a forward and a `--reverse` model:
`models/a/last.pt+models/a_reverse/last.pt`) decodes with `agreed_beam`: each proposes its beam edit (beam > 1) and
the one all of them score highest is kept; with --pools, each proposes its P best finished edits (`beam_candidates`).
'truth scored higher': wrong edits whose true edit the model (all its readers, summed) scores above the one it kept,
errors of the search that a larger beam or pool could fix; the rest are the model's. --seed is the split's (a model trained with --seed 1 is held out on that split). Several --bar-model (checkpoints of one run, or rival models) are measured on the same
pairs, one block of rows each.
"""
import time
import torch
from common import bar_bench_args, report, split_items


def by_style(items: list[dict], preds: list) -> list[tuple[str, int, dict]]:
    "(style, pairs, `free_running_metrics` of `preds` against the items' truth, plus 'exact' edits) for each style, then 'all'."
    import numpy as np
    from editptr.metrics import free_running_metrics
    out = []
    for s in sorted({it['style'] for it in items}) + ['all']:
        ix = [i for i, it in enumerate(items) if s == 'all' or it['style'] == s]
        r = free_running_metrics([preds[i] for i in ix], [items[i]['pointers'] for i in ix])
        out.append((s, len(ix), {**r, 'exact': sum(np.array_equal(preds[i], items[i]['pointers']) for i in ix)}))
    return out


def edits_by_name(model, items: list[dict], beam: int, length_weight: float = 0.0, plan_weight: float = 0.0, pool: int = 1) -> list[dict]:
    "Each item's edit at its true length, style by name ('tokens', 'pointers'): `beam_bars` (beam > 1) or greedy `generate_bars`; `agreed_beam` (each reader's `pool` best) for a list of models."
    from editptr.bars import agreed_beam, beam_bars, generate_bars, bar_style_z
    if isinstance(model, list):
        return [agreed_beam(model, it, [bar_style_z(m, it['style']) for m in model], beam, length_weight, pool) for it in items]
    return [beam_bars(model, it, bar_style_z(model, it['style']), beam, length_weight, plan_weight=plan_weight) if beam > 1
            else generate_bars(model, [it], bar_style_z(model, it['style']), plan_weight=plan_weight)[0] for it in items]


def truth_outscores(model, items: list[dict], edits: list[dict], length_weight: float = 0.0) -> list[bool]:
    "Per item: its edit is wrong and the model (every reader of a list, summed) scores the truth above it: an error of the search, not of the model."
    import numpy as np
    from editptr.bars import agreement, bar_style_z
    judges = model if isinstance(model, list) else [model]
    def truth_higher(it, e):
        truth, kept = agreement(judges, it, [it['tokens'], e['tokens']], [bar_style_z(m, it['style']) for m in judges], length_weight)
        return truth > kept
    return [not np.array_equal(e['pointers'], it['pointers']) and truth_higher(it, e) for it, e in zip(items, edits)]


def main(argv=None):
    ap = bar_bench_args(__doc__, out='bench/results/bar_beam_cpu.md', several=True)
    ap.add_argument('--beams', default='1,4')
    ap.add_argument('--length-weights', default='0')
    ap.add_argument('--plan-weights', default='0')
    ap.add_argument('--pools', default='1', help="finished beam edits each reader of a '+' or two-way model proposes to the agreement (comma-separated)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models
    items = split_items(a.corpus, a.split, a.seed)
    rows = []
    runs = [(int(b), float(w)) for b in a.beams.split(',') for w in (a.length_weights.split(',') if int(b) > 1 else ['0'])]
    for path in a.bar_model:
        model = load_bar_models(path)
        model = model[0] if len(model) == 1 else model
        plans = [float(w) for w in a.plan_weights.split(',') if not float(w) or getattr(model, 'plays', None) is not None]
        pools = [int(p) for p in a.pools.split(',')] if isinstance(model, list) else [1]
        for (beam, weight), plan, pool in [(r, w, p) for r in runs for w in plans for p in (pools if r[0] > 1 else [1])]:
            t = time.process_time()
            edits = edits_by_name(model, items, beam, weight, plan, pool)
            cpu = time.process_time() - t
            preds, higher = [e['pointers'] for e in edits], truth_outscores(model, items, edits, weight)
            for s, n, r in by_style(items, preds):
                found = sum(h for h, it in zip(higher, items) if s in ('all', it['style']))
                rows.append(f"| {path} | {'greedy' if beam == 1 else f'beam {beam}'} | {weight:g} | {plan:g} | {pool} | {s} | {n} | {r['dest_seam_f1']:.3f} | {r['seam_f1']:.3f} | "
                            f"{r['accuracy']:.3f} | {r['exact']} | {found} | {cpu:.0f} |")
    text = '\n'.join([f'# Bar model, greedy vs beam (style by name; {", ".join(a.bar_model)}; {a.split} splits of {" + ".join(a.corpus)}; '
                      f'torch {torch.__version__}, {a.threads} thread(s))', '',
                      '| model | decoder | length weight | plan weight | pool | style | pairs | dest F1 | seam F1 | accuracy | exact | truth scored higher | CPU s (all pairs) |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|'] + rows)
    report(text, a.out)


if __name__ == '__main__':
    main()
