"""How hard is a style's rule to learn on each corpus? The shape of its edits, no model needed (markdown table).

    python bench/rule_shape.py --corpus data/synth --corpus data/real_corpus/wesnoth-1.16-music [--corpus ...] \\
        [--style shorten] [--split train] [--step 4] [--out bench/results/rule_shape_cpu.md]

For each corpus, over the split's pairs of --style (rule-made, with sections): sections and bars per song, how much
the bar lengths vary within a song (std / mean over its whole bars, the first and last left out: 0 where the tempo never moves), seams per edit, and whether the edit's
length names the edit: the rule's target is swept over the style's range in steps of --step frames, each target's
edit cut again by the rule (`apply_style`), and a length counts as ambiguous where two different edits have it.
A model given the length and the style must tell the edit from the length; an ambiguous length is one it cannot.
"""
import argparse
from pathlib import Path
import numpy as np

RANGES = {'shorten': (0.55, 0.85), 'extend': (1.2, 1.6)}   # the rules' target ranges, as a share of the raw's frames


def edits_by_length(item: dict, style: str, step: int) -> dict[int, set]:
    "Edit length -> the distinct edits (as bytes) the rule cuts from `item`'s bars and sections at targets `step` frames apart."
    from editptr.audio import BeatGrid
    from editptr.edits import TrackAnalysis, apply_style
    from editptr.synth import Section
    lines = item['lines']; n = int(lines[-1])
    analysis = TrackAnalysis(BeatGrid(lines[1:-1], lines[1:-1], 120.0), [Section(*s) for s in item['sections']], n)
    lo, hi = RANGES[style]
    out = {}
    for target in range(int(lo * n), int(hi * n) + 1, step):
        p = apply_style(analysis, style, target_frames=target)
        out.setdefault(len(p), set()).add(p.tobytes())
    return out


def corpus_row(corpus: str, style: str, split: str, step: int) -> dict:
    "The shape of `style`'s rule-made edits in `corpus`'s split."
    from editptr.bars import load_bar_items
    items = [it for it in load_bar_items(corpus, split, 0, progress=False)[0] if it['style'] == style and it.get('sections')]
    if not items: raise SystemExit(f"{corpus}: no {style} pair with sections in its {split} split")
    sections = [len(it['sections']) for it in items]
    bars = [len(it['lines']) - 1 for it in items]
    inner = [np.diff(it['lines'])[1:-1] for it in items]   # whole bars: the raw's first and last are cut by its ends
    cv = [b.std() / b.mean() for b in inner if len(b) > 1]
    seams = [int((np.diff(np.asarray(it['tokens'])) != 1).sum()) for it in items]
    by_len = [edits_by_length(it, style, step) for it in items]
    ambiguous = [sum(len(v) > 1 for v in b.values()) for b in by_len]
    return dict(corpus=corpus, songs=len(items), sections=np.median(sections), max_sections=max(sections), bars=np.median(bars),
                cv=np.median(cv), seams=np.mean(seams), songs_ambiguous=sum(a > 0 for a in ambiguous),
                lengths=sum(len(b) for b in by_len), ambiguous=sum(ambiguous))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--style', default='shorten', choices=sorted(RANGES))
    ap.add_argument('--split', default='train', choices=('train', 'val', 'test', 'all'))
    ap.add_argument('--step', type=int, default=4, help='frames between swept targets')
    ap.add_argument('--out', default='bench/results/rule_shape_cpu.md')
    a = ap.parse_args(argv)
    rows = [corpus_row(c, a.style, a.split, a.step) for c in a.corpus]
    text = [f"# The shape of `{a.style}` edits ({a.split} splits, split seed 0; targets swept every {a.step} frames)", "",
            "| corpus | songs | sections (median, max) | bars (median) | bar-length std / mean, whole bars (median) | seams per edit (mean) "
            "| songs with an ambiguous length | lengths two edits share |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    text += [f"| {r['corpus']} | {r['songs']} | {r['sections']:.0f}, {r['max_sections']} | {r['bars']:.0f} | {r['cv']:.3f} | {r['seams']:.1f} "
             f"| {r['songs_ambiguous']} | {r['ambiguous']} of {r['lengths']} ({100 * r['ambiguous'] / r['lengths']:.1f} %) |" for r in rows]
    Path(a.out).write_text('\n'.join(text) + '\n'); print('\n'.join(text))


if __name__ == '__main__':
    main()
