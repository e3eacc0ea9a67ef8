"""Add each raw's sections (the analysis its editor styles used) to the pair info files of a corpus built before
`editptr-data` stored them, and check that they remake the stored truth.

    python bench/add_sections.py data/synth data/real_corpus/nexuiz-music [--jobs 2]

Generated songs get the generator's sections (`song_sections`, as `TrackAnalysis.from_synth` places them); recordings
get `analyze` of the original file, as `editptr-data audio` ran it. Every pair's edit is made again from these
sections with its style and seed and compared with its stored pointers: the count of pairs remade exactly is printed.
"""
import argparse, json, sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import numpy as np


def song_analysis(info: dict, duration: float | None = None):
    "The `TrackAnalysis` the corpus build edited this pair's raw with (`duration`: the synth corpus's `--duration`, None: whole songs)."
    from editptr.config import AudioConfig
    from editptr.audio import load_source, analysis_audio, fixed_beat_grid
    from editptr.edits import TrackAnalysis, analyze
    from editptr.synth import Section, song_sections
    from editptr.data import song_duration
    cfg = AudioConfig()
    if 'track_seed' in info:
        ts, T = info['track_seed'], info['n_raw_frames']
        fpb = cfg.frames_per_beat(info['bpm']) * cfg.beats_per_bar
        plan = song_sections(ts, song_duration(ts) if duration is None else duration)
        bars = np.r_[0, np.cumsum([b for _, b in plan])]
        secs = [Section(lab, int(round(a * fpb)), int(round(b * fpb)) if i < len(bars) - 2 else T)
                for i, ((lab, _), a, b) in enumerate(zip(plan, bars[:-1], bars[1:]))]
        return TrackAnalysis(fixed_beat_grid(T, info['bpm'], cfg), secs, T)
    path = info.get('original_path') or info['raw_path']
    return analyze(analysis_audio(load_source(path), cfg.sr), cfg)


def song_job(corpus: str, names: list[str], styles: list[str], seed: int, duration: float | None) -> tuple[int, int]:
    "Write sections into the info files of one song's pairs; (pairs, pairs whose truth they remake)."
    from editptr.edits import apply_style
    from editptr.corpus import write_json
    from editptr.data import style_seed
    pdir = Path(corpus) / 'pointers'
    infos = [json.loads((pdir / f'{n}_info.json').read_text()) for n in names]
    a = song_analysis(infos[0], duration)
    ok = 0
    for n, info in zip(names, infos):
        j = styles.index(info['style'])
        made = apply_style(a, info['style'], seed=style_seed(info.get('track_seed', seed), j))   # the seeds synth_job / audio_job gave
        ok += bool(np.array_equal(made, np.load(pdir / f'{n}_pointers.npy')))
        write_json(pdir / f'{n}_info.json', {**info, 'sections': a.section_rows()})
    return len(names), ok


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('corpora', nargs='+'); p.add_argument('--jobs', type=int, default=1)
    args = p.parse_args(argv)
    from tqdm import tqdm
    for corpus in args.corpora:
        c = json.loads((Path(corpus) / 'corpus.json').read_text())
        styles, seed, duration = c['settings']['styles'], c['settings']['seed'], c['settings'].get('duration')
        by_song = {}
        for n in c['pairs']: by_song.setdefault(n.rsplit('_', 1)[0], []).append(n)
        with ProcessPoolExecutor(args.jobs) as pool:
            futs = [pool.submit(song_job, corpus, names, styles, seed, duration) for names in by_song.values()]
            done = [f.result() for f in tqdm(futs, desc=Path(corpus).name)]
        n, ok = map(sum, zip(*done))
        print(f"{corpus}: {len(by_song)} songs, {n} pairs, truth remade from the stored sections: {ok} of {n}", flush=True)


if __name__ == '__main__': sys.exit(main())
