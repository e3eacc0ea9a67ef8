"""How close `analyze`'s sections of a generated song's audio come to the generator's (what editptr-edit would read of it
against what its corpus stores).

    python bench/synth_sections.py --corpus data/synth --songs 10 [--out bench/results/synth_sections_cpu.md]
"""
import argparse, json, sys
from pathlib import Path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default='data/synth'); ap.add_argument('--songs', type=int, default=10)
    ap.add_argument('--tol', type=int, default=3, help='frames within which a section start counts as found')
    ap.add_argument('--out', default='bench/results/synth_sections_cpu.md')
    a = ap.parse_args(argv)
    from editptr.audio import load_source, analysis_audio
    from editptr.corpus import corpus_infos
    from editptr.edits import analyze
    infos = corpus_infos(a.corpus)
    first = {}
    for r in infos.values(): first.setdefault(r['song'], r)            # one pair per song: its raw and stored sections
    rows, same = [], 0
    for song, r in list(first.items())[:a.songs]:
        if not r.get('sections') or not Path(r['raw_path']).is_file(): continue
        gen = [s[1] for s in r['sections']]
        got = [s.start_frame for s in analyze(analysis_audio(load_source(r['raw_path']), 22050)).sections]
        found = sum(any(abs(g - x) <= a.tol for x in got) for g in gen)
        same += gen == got
        rows.append(f"| {song} | {len(gen)} | {len(got)} | {found} |")
    text = '\n'.join([f"# analyze vs the generator's sections ({a.corpus}, starts within {a.tol} frames)", '',
                      '| song | generator sections | analyze sections | generator starts found |', '|---|---:|---:|---:|', *rows, '',
                      f"songs whose section starts are identical: {same} of {len(rows)}"])
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')


if __name__ == '__main__': sys.exit(main())
