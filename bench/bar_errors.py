"""Where the bar model's free-running edits go wrong, section by section (markdown).

    python bench/bar_errors.py --bar-model models/bars/last.pt --corpus data/synth [--corpus data/synth_big] \\
        [--style shorten] [--split val] [--beam 4] [--out bench/results/bar_errors_cpu.md]

For each pair of the split, the song's sections are the ones its corpus stored (the analysis of a recording, the
generator's form of a generated song; songs of older corpora without them are re-drawn from the generator's seed),
and the edit of the truth and the model's (style by name, true length, `agreed_beam` of all the readings of
--bar-model: a two-way checkpoint or paths joined by '+'; greedy for --beam 1) are written as the sections they play: `ve8-6,7` is an 8-bar verse whose bars 6 and 7 are left out,
`ch4-ALL` a chorus left out whole, `x2` a bar or section played twice. Each wrong edit is scored by the model itself
(summed log-probability of its bars, teacher-forced, style z by name, over all its readings, less the length charge) beside the truth: a truth the model prefers is a
search error (a wider beam would find it), a truth it scores lower is a model error; the last column says whether
the wrong edit leaves out the same whole sections as the truth (its error is then in the bars within sections), and
what the model does at the first step where it leaves the truth (counted in the summary line).
"""
import json
from pathlib import Path
import numpy as np
import torch
from common import bar_bench_args, report


def layout(tokens, sections) -> str:
    "The edit's raw bars as the sections of the raw they come from."
    counts = np.bincount(np.asarray(tokens, int), minlength=sum(n for _, n in sections))
    out, b0 = [], 0
    for label, n in sections:
        c = counts[b0:b0 + n]
        s = f"{label[:2]}{n}"
        if (c == 0).all(): s += '-ALL'
        elif (c == 0).any(): s += '-' + ','.join(str(i) for i in np.flatnonzero(c == 0))
        if (c > 1).any(): s += ('x' + str(int(c.max()))) if (c > 1).all() else '+' + ','.join(f"{i}x{c[i]}" for i in np.flatnonzero(c > 1))
        out.append(s); b0 += n
    return ' '.join(out)


def bars_per_section(lines, sections) -> list[tuple[str, int]]:
    "(label, bars) of each stored section `(label, start_frame, end_frame)`, a bar counted in the section it starts in."
    starts = [int(s[1]) for s in sections]
    sec = (np.searchsorted(starts, np.asarray(lines)[:-1], side='right') - 1).clip(0)
    counts = np.bincount(sec, minlength=len(sections))
    return [(str(s[0]), int(n)) for s, n in zip(sections, counts) if n]


def whole_sections_left_out(tokens, sections) -> list[int]:
    "Indices of the sections none of whose bars the edit plays."
    played, out, b0 = set(int(t) for t in tokens), [], 0
    for k, (_, n) in enumerate(sections):
        if not played & set(range(b0, b0 + n)): out.append(k)
        b0 += n
    return out


def first_difference(truth, pred, sections) -> str:
    "What the model does at the first step where its edit leaves the truth's (both lists of raw bars, in playing order)."
    i = next((k for k, (t, p) in enumerate(zip(truth, pred)) if t != p), min(len(truth), len(pred)))
    if i == len(truth): return 'model plays on where the truth stops'
    if i == len(pred): return 'model stops where the truth plays on'
    prev, t, p = (truth[i - 1] if i else -1), truth[i], pred[i]
    last_bars = set(np.cumsum([n for _, n in sections]) - 1)
    if p == prev + 1 and t == prev + 2 and p in last_bars: return "model plays a section's last bar, the truth drops it"
    if p == prev + 1: return 'model plays on, the truth jumps'
    if t == prev + 1: return 'model jumps, the truth plays on'
    return 'both jump, to different bars'


def main(argv=None):
    ap = bar_bench_args(__doc__, split='val')
    ap.add_argument('--style', default='shorten')
    ap.add_argument('--beam', type=int, default=4)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from editptr.bars import load_bar_models, load_bar_items, agreed_beam, agreement, bar_style_z
    from editptr.data import song_duration
    from editptr.metrics import free_running_metrics
    from editptr.synth import song_sections
    models = load_bar_models(a.bar_model)          # every reading ('A+B', or a two-way checkpoint): the edit they agree on
    rows, kinds, preds, truths, wrong_sections = [], {'exact': 0, 'search error': 0, 'model error': 0}, [], [], 0
    firsts = {}
    for corpus in a.corpus:
        duration = json.loads((Path(corpus) / 'corpus.json').read_text()).get('settings', {}).get('duration')   # None: whole songs
        for it in load_bar_items(corpus, a.split, a.seed, progress=False)[0]:
            if it['style'] != a.style: continue
            if it['sections']: sections = bars_per_section(it['lines'], it['sections'])
            else:
                info = json.loads((Path(corpus) / 'pointers' / f"{it['name']}_info.json").read_text())
                if 'track_seed' not in info: continue
                sections = song_sections(info['track_seed'], duration or song_duration(info['track_seed']))
                extra = len(it['bar_len']) - sum(n for _, n in sections)
                if extra == 1: sections = sections + [('tail', 1)]           # the raw's last frame, past the last bar line
                elif extra: continue                                         # bar lines other than the generator's
            zs = [bar_style_z(m, it['style']) for m in models]
            got = agreed_beam(models, it, zs, a.beam)
            preds.append(got['pointers']); truths.append(it['pointers'])
            truth, pred = list(it['tokens']), [int(t) for t in got['tokens']]
            if truth == pred: kinds['exact'] += 1; continue
            lp_pred, lp_truth = agreement(models, it, [pred, truth], zs)
            kind = 'search error' if lp_truth > lp_pred else 'model error'; kinds[kind] += 1
            same = whole_sections_left_out(truth, sections) == whole_sections_left_out(pred, sections)
            wrong_sections += not same
            first = first_difference(truth, pred, sections); firsts[first] = firsts.get(first, 0) + 1
            rows.append(f"| {it['name']} | {layout(truth, sections)} | {layout(pred, sections)} | {lp_truth:.2f} | {lp_pred:.2f} | {kind} | {'yes' if same else 'no'} | {first} |")
    if not preds: raise SystemExit(f"no {a.style} pair with sections in the {a.split} split of {', '.join(a.corpus)}")
    r = free_running_metrics(preds, truths)
    text = '\n'.join([f"# Bar model errors, {a.style} ({a.bar_model}; {a.split} splits of {' + '.join(a.corpus)}; "
                      f"{'greedy' if a.beam == 1 else f'beam {a.beam}'}, style by name, true length)", '',
                      f"{len(preds)} pairs: {kinds['exact']} exact, {kinds['search error']} search errors, {kinds['model error']} model errors; "
                      f"{wrong_sections} of the wrong edits leave out other whole sections than the truth; "
                      f"destination-aware seam F1 {r['dest_seam_f1']:.3f}, accuracy {r['accuracy']:.3f}.", '',
                      'First step where a wrong edit leaves the truth: ' + ('; '.join(f"{k}: {v}" for k, v in sorted(firsts.items(), key=lambda kv: -kv[1])) or 'none') + '.', '',
                      '| pair | truth | model | log p(truth) | log p(model) | error | same whole sections left out | first difference |',
                      '|---|---|---|---|---|---|---|---|'] + rows)
    report(text, a.out)


if __name__ == '__main__':
    main()
