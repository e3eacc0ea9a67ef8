"""How many `shorten` truths trim exactly the bars first in the song's trim order (`editptr.bars.trim_ranks`), drop exactly the sections of the greedy pass (`editptr.bars.section_drops`), and leave out exactly the bars of that pass and the bar pass after it, per corpus (markdown table).

    python bench/trim_orders.py --corpus data/synth_fresh --corpus data/real_corpus/nexuiz-music [--split all] [--out FILE]

No model: for each `shorten` pair, the bars the edit leaves out of the sections it keeps (its trims) are compared with
that many bars of those sections taken first in the order (deepest into their section first, the later section
first among equals). The rest of each pair's left-out bars are whole sections dropped; the table counts both, and
whether the dropped sections are exactly those the greedy pass drops at the edit's length (as the song runs; aimed at
the nearest length within half a median bar whose section and bar passes play the edit's exactly, `DROP_TARGETS`). A pass
that differs is counted at a tie where a section it decides otherwise was within half a median bar of fitting (the
rule decided on its own drawn length, which the bar trims can leave up to half a bar from the edit's; after one such
section the greedy sum runs on another budget, so later sections can differ too). A second table counts the `extend` truths that play every bar as often as the loop pass
(`editptr.bars.section_loops`) says, aimed at the lengths near the edit's, and aimed at the edit's length alone. A third counts the `trim` truths that leave out exactly the bars `editptr.bars.trim_span`
marks at the edit's length (the first and last sections), and the pairs of other styles it marks any bar of (their
length happens to be the middle sections'). A fourth counts the `rearrange` truths that open with the section the
structure column of `rearrange`'s rule marks (`editptr.bars.structure_features`, column 29), and, read from the end
(`flip_bars`), close with the one its mirror (column 30) marks.
"""
import numpy as np
from common import SPLITS, report


def sections_played(item: dict) -> tuple[np.ndarray, np.ndarray]:
    "(n_bars,) each bar's section and whether the edit plays the bar, of one bar item."
    from editptr.bars import bar_sections
    sec = bar_sections(item['lines'], item['sections'])
    played = np.zeros(len(sec), bool); played[item['tokens']] = True
    return sec, played


def trims_in_order(sec: np.ndarray, played: np.ndarray) -> tuple[bool, int, int]:
    "(trims are the first in the trim order, bars trimmed, bars in dropped sections) of one `shorten` edit."
    from editptr.bars import trim_ranks
    kept = np.isin(sec, sec[played])                                   # bars of the sections the edit keeps
    trimmed = kept & ~played
    rank = trim_ranks(sec)[0]
    return bool(np.array_equal(np.sort(rank[trimmed]), np.sort(rank[kept])[:trimmed.sum()])), int(trimmed.sum()), int((~kept).sum())


def drops_of_pass(item: dict, sec: np.ndarray, played: np.ndarray) -> tuple[bool, bool, bool]:
    "(the sections a `shorten` edit leaves out are those `section_drops` drops at its length, as the song runs; or they differ only at a tie; the bars it leaves out are those the section and bar passes drop)."
    import torch
    from editptr.bars import section_drops
    lens = torch.from_numpy(np.asarray(item['bar_len']))[None]
    drops = section_drops(torch.from_numpy(item['feats'])[None], lens, torch.ones_like(lens, dtype=torch.bool), torch.tensor([item['length']]))[0]
    wrong = (drops[:, 0].numpy() > 0) != ~np.isin(sec, sec[played])
    bars = (drops[:, 0].numpy() > 0) | (drops[:, 6].numpy() > 0)
    return not wrong.any(), bool(wrong.any() and (drops[wrong, 2].abs() < 0.25).any()), bool(np.array_equal(bars, ~played))   # fine surplus column: bars / 2


def loops_of_pass(item: dict, aims=None) -> bool:
    "An `extend` edit plays each bar as often as `section_loops` says (aimed at the nearby lengths, or at `aims`)."
    import torch
    from editptr.bars import section_loops, LOOP_TARGETS
    lens = torch.from_numpy(np.asarray(item['bar_len']))[None]
    loops = section_loops(torch.from_numpy(item['feats'])[None], lens, torch.ones_like(lens, dtype=torch.bool), torch.tensor([item['length']]),
                          aims=LOOP_TARGETS if aims is None else aims)[0, :, 0].numpy()
    again = np.bincount(item['tokens'], minlength=len(item['bar_len'])) - 1
    return bool(np.array_equal(np.round(loops * 4).astype(int), again.clip(max=8)))


def trim_marks(item: dict) -> np.ndarray:
    "(n_bars,) the bars `trim_span` says the `trim` rule leaves out, at the edit's length."
    import torch
    from editptr.bars import trim_span
    lens = torch.from_numpy(np.asarray(item['bar_len']))[None]
    return trim_span(torch.from_numpy(item['feats'])[None], lens, torch.ones_like(lens, dtype=torch.bool), torch.tensor([item['length']]))[0, :, 0].numpy() > 0


def opens_with_moved(item: dict) -> tuple[bool, bool]:
    "A `rearrange` edit opens with the section its rule moves (structure column 29), and read from the end closes with the mirror's (30)."
    from editptr.bars import N_AUDIO_FEATURES, flip_bars
    back = flip_bars(item)
    return bool(item['feats'][item['tokens'][0], N_AUDIO_FEATURES + 29] > 0.5), bool(back['feats'][back['tokens'][-1], N_AUDIO_FEATURES + 30] > 0.5)


def main(argv=None):
    import argparse
    from editptr.bars import load_bar_items
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True, help='a corpus directory (one row each)')
    ap.add_argument('--split', default='all', choices=SPLITS)
    ap.add_argument('--out', default='', help="write the table here too ('': print only)")
    a = ap.parse_args(argv)
    rows, loop_rows, trim_rows, move_rows = [], [], [], []
    for c in a.corpus:
        every = load_bar_items(c, a.split, progress=False)[0]
        longer = [it for it in every if it['style'] == 'extend' and it.get('sections') and it['tokens'] is not None]
        loop_rows.append(f"| {c} | {len(longer)} | {sum(loops_of_pass(it) for it in longer)} | {sum(loops_of_pass(it, (0,)) for it in longer)} |")
        cut = [it for it in every if it['style'] == 'trim' and it.get('sections') and it['tokens'] is not None]
        others = [it for it in every if it['style'] != 'trim' and it.get('sections') and it['tokens'] is not None]
        trim_rows.append(f"| {c} | {len(cut)} | {sum(np.array_equal(trim_marks(it), ~sections_played(it)[1]) for it in cut)} | "
                         f"{len(others)} | {sum(trim_marks(it).any() for it in others)} |")
        moved = [opens_with_moved(it) for it in every if it['style'] == 'rearrange' and it.get('sections') and it['tokens'] is not None]
        move_rows.append(f"| {c} | {len(moved)} | {sum(m[0] for m in moved)} | {sum(m[1] for m in moved)} |")
        items = [it for it in every if it['style'] == 'shorten' and it.get('sections')]
        seen = [sections_played(it) for it in items]
        got = [trims_in_order(*s) for s in seen]
        drops = [drops_of_pass(it, *s) for it, s in zip(items, seen)]
        rows.append(f"| {c} | {len(got)} | {sum(g[0] for g in got)} | {sum(g[1] for g in got)} | {sum(g[2] for g in got)} | "
                    f"{sum(d[0] for d in drops)} | {sum(d[1] for d in drops)} | {sum(d[2] for d in drops)} |")
    report('\n'.join([f"# `shorten` trims against the trim order, drops against the greedy pass ({a.split} split)", '',
                      '| corpus | `shorten` pairs | trims first in the order | bars trimmed | bars in dropped sections | drops of the greedy pass | other drops at a tie | every bar of the section and bar passes |',
                      '|---|---:|---:|---:|---:|---:|---:|---:|'] + rows +
                     ['', f"# `extend` plays against the loop pass ({a.split} split)", '',
                      '| corpus | `extend` pairs | plays of the loop pass | aimed at the edit\'s length alone |', '|---|---:|---:|---:|'] + loop_rows +
                     ['', f"# `trim` truths against the middle sections ({a.split} split)", '',
                      '| corpus | `trim` pairs | leave out the bars `trim_span` marks | pairs of other styles | of them marked |', '|---|---:|---:|---:|---:|'] + trim_rows +
                     ['', f"# `rearrange` truths against the section its rule moves ({a.split} split)", '',
                      '| corpus | `rearrange` pairs | open with the marked section | read from the end, close with the mirror\'s |', '|---|---:|---:|---:|'] + move_rows), a.out)


if __name__ == '__main__':
    main()
