"""How well a bar model's plays head knows the plan: each raw bar's plays in the true edit, per style (markdown).

    python bench/bar_plans.py --bar-model models/bars/best.pt --corpus data/synth [--corpus data/synth_big] \\
        [--split val] [--seed 0] [--out bench/results/bar_plans_cpu.md]

For each pair of the split, the plays head (`BarPointerNetwork.plays_logits`, style z by name, the edit's true length)
predicts how often the edit plays each raw bar (its most likely class); against the truth's counts (`bar_plays`):
the share of raw bars it gets right, the share of bars it gets right among those the edit does not play exactly once
(the dropped and looped ones: the decisions), and the pairs whose every bar is right (a plan that would give the
exact edit, for a style that plays bars in order).
"""
import torch
from common import bar_bench_args, report, split_items


def plan_rows(model, items: list[dict]) -> list[tuple[str, int, float, float, int]]:
    "(style, pairs, bar accuracy, accuracy on bars not played exactly once, pairs with every bar right) per style, then 'all'."
    from editptr.bars import as_read_by, bar_plays, bar_style_z, collate_bars, device_of
    per_item = []
    with torch.no_grad():
        for it in items:
            b = collate_bars(as_read_by(model, [it])).to(device_of(model))
            enc = model.encode(b.feats, b.bar_mask, b.bar_len, b.length)
            guess = model.plays_logits(enc, bar_style_z(model, it['style']).to(enc.device)).argmax(-1)[0].cpu()
            truth = bar_plays(b.tokens.cpu(), enc.shape[1], model.config.n_plays)[0]
            per_item.append((it['style'], guess == truth, truth != 1))
    rows = []
    for s in sorted({st for st, _, _ in per_item}) + ['all']:
        got = [(ok, dec) for st, ok, dec in per_item if s == 'all' or st == s]
        bars = torch.cat([ok for ok, _ in got]); decisive = torch.cat([ok[dec] for ok, dec in got])
        rows.append((s, len(got), bars.float().mean().item(), decisive.float().mean().item() if len(decisive) else float('nan'),
                     sum(bool(ok.all()) for ok, _ in got)))
    return rows


def main(argv=None):
    a = bar_bench_args(__doc__, out='bench/results/bar_plans_cpu.md', split='val', several=True).parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_model
    items = split_items(a.corpus, a.split, a.seed)
    rows = []
    for path in a.bar_model:
        model = load_bar_model(path)
        if model.plays is None: raise SystemExit(f"{path}: this bar model has no plays head (train one with --plays-head)")
        rows += [f"| {path} | {s} | {n} | {acc:.3f} | {dec:.3f} | {exact} |" for s, n, acc, dec, exact in plan_rows(model, items)]
    text = '\n'.join([f'# Bar model plans (plays head, style by name; {a.split} splits of {" + ".join(a.corpus)}, split seed {a.seed})', '',
                      '| model | style | pairs | bars right | dropped / looped bars right | pairs with every bar right |',
                      '|---|---|---|---|---|---|'] + rows)
    report(text, a.out)


if __name__ == '__main__':
    main()
