"""How many `shorten` truths trim exactly the bars first in the song's trim order (`editptr.bars.trim_ranks`), and drop exactly the sections of the greedy pass (`editptr.bars.section_drops`), per corpus (markdown table).

    python bench/trim_orders.py --corpus data/synth_fresh --corpus data/real_corpus/nexuiz-music [--split all] [--out FILE]

No model: for each `shorten` pair, the bars the edit leaves out of the sections it keeps (its trims) are compared with
that many bars of those sections taken first in the order (deepest into their section first, the later section
first among equals). The rest of each pair's left-out bars are whole sections dropped; the table counts both, and
whether the dropped sections are exactly those the greedy pass drops at the edit's length (as the song runs).
"""
import numpy as np
from common import SPLITS, report


def trims_in_order(item: dict) -> tuple[bool, int, int]:
    "(trims are the first in the trim order, bars trimmed, bars in dropped sections) of one `shorten` bar item."
    from editptr.bars import bar_sections, trim_ranks
    sec = bar_sections(item['lines'], item['sections'])
    played = np.zeros(len(sec), bool); played[item['tokens']] = True
    kept = np.isin(sec, sec[played])                                   # bars of the sections the edit keeps
    trimmed = kept & ~played
    rank = trim_ranks(sec)[0]
    return bool(np.array_equal(np.sort(rank[trimmed]), np.sort(rank[kept])[:trimmed.sum()])), int(trimmed.sum()), int((~kept).sum())


def drops_of_pass(item: dict) -> bool:
    "Whether the sections a `shorten` bar item leaves out are exactly those `section_drops` drops at its length (as the song runs)."
    import torch
    from editptr.bars import bar_sections, section_drops
    sec = bar_sections(item['lines'], item['sections'])
    played = np.zeros(len(sec), bool); played[item['tokens']] = True
    lens = torch.from_numpy(np.asarray(item['bar_len']))[None]
    drops = section_drops(torch.from_numpy(item['feats'])[None], lens, torch.ones_like(lens, dtype=torch.bool), torch.tensor([item['length']]))[0, :, 0]
    return bool(np.array_equal(drops.numpy() > 0, ~np.isin(sec, sec[played])))


def main(argv=None):
    import argparse
    from editptr.bars import load_bar_items
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True, help='a corpus directory (one row each)')
    ap.add_argument('--split', default='all', choices=SPLITS)
    ap.add_argument('--out', default='', help="write the table here too ('': print only)")
    a = ap.parse_args(argv)
    rows = []
    for c in a.corpus:
        items = [it for it in load_bar_items(c, a.split, progress=False)[0] if it['style'] == 'shorten' and it.get('sections')]
        got = [trims_in_order(it) for it in items]
        rows.append(f"| {c} | {len(got)} | {sum(g[0] for g in got)} | {sum(g[1] for g in got)} | {sum(g[2] for g in got)} | {sum(map(drops_of_pass, items))} |")
    report('\n'.join([f"# `shorten` trims against the trim order, drops against the greedy pass ({a.split} split)", '',
                      '| corpus | `shorten` pairs | trims first in the order | bars trimmed | bars in dropped sections | drops of the greedy pass |',
                      '|---|---:|---:|---:|---:|---:|'] + rows), a.out)


if __name__ == '__main__':
    main()
