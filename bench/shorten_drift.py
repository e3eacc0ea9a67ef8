"""Does bar-length drift make real `shorten` hard? The same real songs with their bars made equal (markdown table).

    python bench/shorten_drift.py --bar-model models/mix_two_way/last.pt --corpus data/real_corpus/wesnoth-1.16-music \\
        [--corpus ...] [--split train] [--seed 0] [--threads 1] [--out bench/results/shorten_drift_cpu.md]

Each `shorten` pair of the split is cut again by the rule at its own length twice: on its analysed bar lines (as
found: the control) and on as many equal bars over the same frames (the sections kept on the same bars, the bar-length
feature set to 0, the structure columns recomputed). The bar model edits both by name at the new edit's length (beam 4,
`agreed_beam` for a two-way checkpoint). If drift is what the network cannot fit, equal bars score as generated songs do.
Two more rows merge each song's sections (the shortest into its shorter neighbour) down to --sections, as many as a
generated song has, on either bar lines: if the number of sections is what it cannot fit, those rows rise.
"""
from pathlib import Path
import numpy as np
import torch
from bar_beam import by_style, edits_by_name
from common import bar_bench_args, split_items


def merged(sections: list, most: int) -> list:
    "`sections` with the shortest one joined to its shorter neighbour (keeping the earlier label) until at most `most` are left."
    s = [list(x) for x in sections]
    while len(s) > most:
        k = min(range(len(s)), key=lambda i: s[i][2] - s[i][1])
        j = k - 1 if k == len(s) - 1 or (k > 0 and s[k - 1][2] - s[k - 1][1] <= s[k + 1][2] - s[k + 1][1]) else k + 1
        a, b = sorted((j, k)); s[a:b + 1] = [[s[a][0], s[a][1], s[b][2]]]
    return [tuple(x) for x in s]


def recut(item: dict, equal: bool, most: int = 0) -> dict:
    "`item` cut again by the `shorten` rule at its own length: on its bar lines or on equal bars over the same frames; `most` > 0: sections `merged` to that many."
    from editptr.audio import BeatGrid
    from editptr.bars import N_AUDIO_FEATURES, N_STRUCTURE, bar_tokens, structure_features
    from editptr.edits import TrackAnalysis, apply_style
    from editptr.synth import Section
    old = np.asarray(item['lines']); n, T = len(old) - 1, int(old[-1])
    lines = np.round(np.linspace(0, T, n + 1)).astype(np.int64) if equal else old
    at = lambda f: int(lines[np.abs(old - f).argmin()])                # a section boundary on the same bar line
    sections = [(s[0], at(s[1]), at(s[2])) for s in (merged(item['sections'], most) if most else item['sections'])]
    feats = item['feats'].copy()
    if equal: feats[:, N_AUDIO_FEATURES - 1] = 0                       # log relative bar length: every bar the median
    feats[:, N_AUDIO_FEATURES:N_AUDIO_FEATURES + N_STRUCTURE] = structure_features(lines, sections)
    a = TrackAnalysis(BeatGrid(lines[1:-1], lines[1:-1], 120.0), [Section(*s) for s in sections], T)
    p = apply_style(a, 'shorten', target_frames=int(item['length'])).astype(np.int64)
    return {**item, 'lines': lines, 'sections': sections, 'feats': feats, 'bar_len': np.diff(lines),
            'tokens': bar_tokens(p, lines), 'length': len(p), 'pointers': p}


def main(argv=None):
    ap = bar_bench_args(__doc__, out='bench/results/shorten_drift_cpu.md', split='train')
    ap.add_argument('--sections', type=int, default=14, help='sections per song when merged (generated songs: median 14)')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models
    items = [it for it in split_items(a.corpus, a.split, a.seed) if it['style'] == 'shorten' and it.get('source') == 'truth' and it.get('sections')]
    model = load_bar_models(a.bar_model)
    model = model[0] if len(model) == 1 else model
    text = [f"# Real `shorten` on analysed and on equal bars ({a.bar_model}; {a.split} splits of {' + '.join(a.corpus)}, split seed {a.seed}; beam 4, by name)", "",
            "| bars | pairs | dest F1 | accuracy | exact |", "|---|---:|---:|---:|---:|"]
    for equal, most in ((False, 0), (True, 0), (False, a.sections), (True, a.sections)):
        cut = [recut(it, equal, most) for it in items]
        _, n, r = by_style(cut, [e['pointers'] for e in edits_by_name(model, cut, 4, 1.0)])[-1]
        name = ('equal' if equal else 'as analysed') + (f', sections merged to at most {most}' if most else '')
        text.append(f"| {name} | {n} | {r['dest_seam_f1']:.3f} | {r['accuracy']:.3f} | {r['exact']} |")
        print(text[-1], flush=True)
    Path(a.out).write_text('\n'.join(text) + '\n')


if __name__ == '__main__':
    main()
