"""The benches of whole songs end to end (`whole_song`, `bar_errors`, `bar_samples`, `seams`, `analysed_sections`, `merged_repeats`): untrained tiny checkpoints on tiny generated corpora."""
import json, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'bench'))   # the benches import their `common` (and each other) as when run as scripts


def test_whole_song_bench(tmp_path):
    import torch
    from editptr.config import PointerNetworkConfig
    from editptr.model import PointerNetwork
    from editptr.data import main as data_main
    from editptr.evaluate import FR_METHODS
    corpus = tmp_path / 'corpus'
    assert data_main(['synth', '--out', str(corpus), '--tracks', '3', '--duration', '12', '--styles', 'shorten', '--no-progress']) == 0
    torch.manual_seed(0)
    cfg = PointerNetworkConfig(d_model=32, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, d_ff=64, window=16,
                               global_stride=16, latent_dim=4, frame_radius=8, dropout=0.0)
    model = PointerNetwork(cfg)
    model.style_bank = {'shorten': torch.zeros(4)}
    model.save_checkpoint(tmp_path / 'best.pt')
    from editptr.bars import BarPointerNetwork, BarModelConfig, save_bar_model
    bars = BarPointerNetwork(BarModelConfig(d_model=16, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, latent_dim=4))
    bars.style_bank = {'shorten': torch.zeros(4)}
    save_bar_model(bars, tmp_path / 'bars.pt')
    out = tmp_path / 'whole_song.md'
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'whole_song.py'), '--checkpoint', str(tmp_path / 'best.pt'),
                        '--bar-model', str(tmp_path / 'bars.pt'), '--bar-beam', '2',
                        '--corpus', str(corpus), '--split', 'all', '--max-items', '2', '--samples', '2', '--threads', '1',
                        '--out', str(out)], capture_output=True, text=True, timeout=120, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    assert text.strip() == r.stdout.strip()                                   # printed and written alike
    header = text.splitlines()[0]
    for part in ('best.pt', 'bar model', 'bar beam 2', 'corpus', '2 songs, 2 pairs', f'torch {torch.__version__}', '1 thread(s)', 'wall time'): assert part in header
    assert [l for l in text.splitlines() if l.startswith('## ')] == ['## shorten', '## all']
    rows = [l for l in text.split('## all')[1].splitlines() if l.startswith('| ') and not l.startswith('| method')]
    assert [l.split(' | ')[0][2:] for l in rows] == list(FR_METHODS)          # every method: both models, reference, baselines, classical
    cells = dict(zip(['method', 'pairs', 'dest F1', 'seam F1', 'accuracy', 'length MAE', 'on bars', 'seam dist', 'distinct'],
                     rows[FR_METHODS.index('classical editor')].strip('| ').split(' | ')))
    assert cells['pairs'] == '2' and cells['length MAE'] == '0.00'           # the classical editor makes the true length


def test_bar_errors_bench(tmp_path):
    "bench/bar_errors.py: each pair is exact, a search error or a model error; layouts name the stored sections."
    import importlib.util, torch
    from editptr.data import main as data_main
    from editptr.bars import BarPointerNetwork, BarModelConfig, save_bar_model
    spec = importlib.util.spec_from_file_location('bar_errors', ROOT / 'bench' / 'bar_errors.py')
    bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
    sections = [('intro', 4), ('verse', 4), ('chorus', 4)]
    assert bench.layout([0, 1, 2, 3, 8, 9, 10, 11], sections) == 'in4 ve4-ALL ch4'
    assert bench.layout([0, 1, 2, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11], sections) == 'in4-3 ve4x2 ch4'
    assert bench.whole_sections_left_out([0, 1, 2, 3, 8, 9, 10, 11], sections) == [1]
    lines = [0, 4, 8, 12, 16, 20]                                            # stored sections: a bar counts where it starts
    assert bench.bars_per_section(lines, [('A', 0, 8), ('B', 8, 13), ('C', 13, 20)]) == [('A', 2), ('B', 2), ('C', 1)]
    assert bench.bars_per_section(lines, [('A', 0, 8), ('x', 9, 10), ('B', 10, 20)]) == [('A', 3), ('B', 2)]   # a section no bar starts in is left out
    corpus = tmp_path / 'corpus'
    assert data_main(['synth', '--out', str(corpus), '--tracks', '3', '--duration', '30', '--styles', 'shorten', '--no-audio', '--no-progress']) == 0
    torch.manual_seed(0)
    bars = BarPointerNetwork(BarModelConfig(d_model=16, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, latent_dim=4))
    bars.style_bank = {'shorten': torch.zeros(4)}
    save_bar_model(bars, tmp_path / 'bars.pt')
    out = tmp_path / 'errors.md'
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'bar_errors.py'), '--bar-model', str(tmp_path / 'bars.pt'), '--corpus', str(corpus),
                        '--split', 'all', '--beam', '2', '--out', str(out)], capture_output=True, text=True, timeout=120, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    text = out.read_text()
    n, exact, search, model = map(int, re.search(r'(\d+) pairs: (\d+) exact, (\d+) search errors, (\d+) model errors', text).groups())
    assert n == 3 and exact + search + model == n                           # every song: the corpus stores its sections
    rows = [l for l in text.splitlines() if l.startswith('| synth')]
    assert len(rows) == search + model and all(l.split(' | ')[1].startswith('in') for l in rows)   # truth layouts start with the intro


def test_bar_samples_bench(tmp_path):
    "bench/bar_samples.py: a row per temperature, draws and style; sampled bars give more distinct edits than greedy ones."
    import torch
    from editptr.data import main as data_main
    from editptr.bars import BarPointerNetwork, BarModelConfig, save_bar_model
    corpus = tmp_path / 'corpus'
    assert data_main(['synth', '--out', str(corpus), '--tracks', '3', '--duration', '30', '--styles', 'shorten', '--no-audio', '--no-progress']) == 0
    torch.manual_seed(0)
    bars = BarPointerNetwork(BarModelConfig(d_model=16, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, latent_dim=4))
    with torch.no_grad(): bars.z_in.weight.zero_()                         # z is not read: greedy edits of any z are one edit
    save_bar_model(bars, tmp_path / 'bars.pt')
    out = tmp_path / 'samples.md'
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'bar_samples.py'), '--bar-model', str(tmp_path / 'bars.pt'), '--corpus', str(corpus),
                        '--split', 'all', '--samples', '4', '--temperatures', '0,1', '--out', str(out)],
                       capture_output=True, text=True, timeout=120, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [l.strip('| ').split(' | ') for l in out.read_text().splitlines() if l.startswith('| 0 ') or l.startswith('| 1 ')]
    assert [(t, who, d, s) for t, who, d, s, *_ in rows] == [(t, 'all', '4', s) for t in '01' for s in ('shorten', 'all')]   # one reading: no baseline row
    distinct = {r[0]: float(r[10]) for r in rows if r[3] == 'all'}
    assert all(0 <= int(r[9]) <= int(r[4]) for r in rows)                   # the most agreed: exact edits counted
    assert distinct['0'] == 1 and distinct['1'] > 1                          # sampled bars differ where z does not


def test_seams_bench(tmp_path):
    "bench/seams.py: a seamless loop measures nothing, a jump does; a row per edit and crossfade, per-seam fades between the two fixed ones."
    import importlib.util
    import numpy as np
    from editptr.data import main as data_main
    spec = importlib.util.spec_from_file_location('seams', ROOT / 'bench' / 'seams.py')
    bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
    rng = np.random.default_rng(0)
    period = rng.normal(-40, 6, (16, 40))
    raw = np.concatenate([period, period], 1)                               # (16, 80): two identical halves
    loop = np.r_[0:40, 0:40]                                                # a loop that lands where the raw repeats itself
    assert bench.seam_measures(raw, raw[:, loop], loop, 4) == {40: (0.0, 0.0)}
    jump = np.r_[0:40, 60:80]
    louder = raw[:, jump].copy(); louder[:, 40:44] += 10                    # rendered 10 dB louder than either side after the seam
    step, bump = bench.seam_measures(raw, louder, jump, 4)[40]
    assert step > 0 and abs(bump - 10) < 1e-3
    corpus = tmp_path / 'corpus'
    assert data_main(['synth', '--out', str(corpus), '--tracks', '2', '--duration', '12', '--styles', 'rearrange', '--no-progress']) == 0
    out = tmp_path / 'seams.md'
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'seams.py'), '--corpus', str(corpus), '--split', 'all', '--pairs', '2',
                        '--out', str(out)], capture_output=True, text=True, timeout=180, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [l.strip('| ').split(' | ') for l in out.read_text().splitlines() if l.startswith('| true edit')]
    assert [c[1] for c in rows] == ['10 ms every seam', '50 ms every seam', 'per seam (`seam_crossfades`)']
    assert all(int(c[2]) >= 1 for c in rows) and 10 <= float(rows[2][5]) <= 50    # rearrange moves a section: at least one seam


def test_same_audio_wrong_frames():
    "bench/same_audio.py: a wrong frame that plays another copy of the truth's audio counts as the same audio; other music does not."
    import importlib.util
    import numpy as np
    spec = importlib.util.spec_from_file_location('same_audio', ROOT / 'bench' / 'same_audio.py')
    bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
    rng = np.random.default_rng(0)
    period = -40 + rng.normal(0, 0.3, (16, 40)).cumsum(1)                    # music that changes a little from frame to frame
    raw = np.concatenate([period, period, period[:, :20] + 12], 1)           # (16, 100): a section, its copy, other (louder) music
    true = np.r_[0:40]
    assert bench.wrong_frames(raw, true, true) == (0, 0, 0)
    assert bench.wrong_frames(raw, np.r_[40:80], true) == (40, 40, 40)        # the copy: every frame wrong, all the same audio
    assert bench.wrong_frames(raw, np.r_[0:20, 80:100], true) == (20, 0, 0)   # other music: wrong and not alike


def test_analysed_sections_bench(tmp_path):
    "bench/analysed_sections.py: a song compared with itself is all right and all found; the analysis of a generated song against its generator's."
    from editptr.data import main as data_main
    import analysed_sections as bench
    sections = [('A', 0, 8), ('A', 8, 16), ('B', 16, 30)]
    assert bench.boundaries(sections).tolist() == [8, 16] and bench.boundaries(sections, changes_only=True).tolist() == [16]
    for name, extra in (('truth', []), ('analysed', ['--analysed'])):
        assert data_main(['synth', '--out', str(tmp_path / name), '--tracks', '1', '--duration', '30', '--styles', 'shorten',
                          '--no-audio', '--no-progress', *extra]) == 0
    same = subprocess.run([sys.executable, str(ROOT / 'bench' / 'analysed_sections.py'), '--truth', str(tmp_path / 'truth'),
                           '--analysed', str(tmp_path / 'truth')], capture_output=True, text=True)
    assert same.returncode == 0 and re.search(r'\| 1 \| (\S+) \| \1 \| \d+ \| 1\.000 \| \d+ \| 1\.000 \|', same.stdout), same.stdout + same.stderr
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'analysed_sections.py'), '--truth', str(tmp_path / 'truth'),
                        '--analysed', str(tmp_path / 'analysed')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    n = {k: len(json.loads((tmp_path / k / 'pointers' / 'synth0000_shorten_info.json').read_text())['sections']) for k in ('truth', 'analysed')}
    row = [c.strip() for c in r.stdout.splitlines()[-1].strip('|').split('|')]
    assert row[:4] == ['1', str(n['truth']), str(n['analysed']), str(n['analysed'] - 1)], (row, n)   # each side read from its own corpus
    assert 0 <= float(row[4]) <= 1 and 0 <= float(row[6]) <= 1


def test_merged_repeats_bench(tmp_path):
    "bench/merged_repeats.py: the same songs as `editptr-data synth`, each run of same-label neighbours one section, edits cut on those."
    from editptr.data import main as data_main
    from editptr.synth import Section
    import merged_repeats as bench
    rows = [Section('verse', 0, 8), Section('verse', 8, 16), Section('chorus', 16, 30), Section('verse', 30, 40)]
    assert bench.joined(rows) == [Section('verse', 0, 16), Section('chorus', 16, 30), Section('verse', 30, 40)]
    assert data_main(['synth', '--out', str(tmp_path / 'truth'), '--tracks', '2', '--duration', '30', '--no-audio', '--no-progress']) == 0
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'merged_repeats.py'), '--tracks', '2', '--duration', '30', '--seed', '0', '--out', str(tmp_path / 'joined')],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    n_joined = 0
    for f in sorted((tmp_path / 'truth' / 'pointers').glob('*_shorten_info.json')):
        truth, ours = (json.loads((tmp_path / k / 'pointers' / f.name).read_text()) for k in ('truth', 'joined'))
        assert ours['sections'] == [[s.label, s.start_frame, s.end_frame] for s in bench.joined([Section(*s) for s in truth['sections']])]
        assert ours['n_raw_frames'] == truth['n_raw_frames'] and ours['track_seed'] == truth['track_seed']   # the same song
        n_joined += len(ours['sections']) < len(truth['sections'])
    assert n_joined >= 1                                                   # some song had neighbours to join (song 0: intro, verse, verse, outro)


def test_trim_orders_bench(tmp_path):
    "bench/trim_orders.py: every generated `shorten` truth trims the bars first in the trim order and (but at a tie) drops the greedy pass's sections, its bar pass's bars, every `trim` truth leaves out the bars `trim_span` marks, and every `rearrange` truth opens with the section its column marks."
    from editptr.data import main as data_main
    assert data_main(['synth', '--out', str(tmp_path / 'c'), '--tracks', '3', '--duration', '60', '--no-audio', '--no-progress']) == 0
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'trim_orders.py'), '--corpus', str(tmp_path / 'c')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    row = [c.strip() for c in lines[[l.startswith('# `extend`') for l in lines].index(True) - 2].strip('|').split('|')]   # the `shorten` table's last row
    assert row[1] == '3' and row[2] == '3', row                       # three shorten pairs, all in order
    assert int(row[3]) > 0                                            # bars were trimmed: the order was put to the test
    assert int(row[5]) + int(row[6]) == 3, row                        # the greedy pass's drops, or other drops only at a tie
    assert int(row[5]) >= 1, row
    assert row[7] == row[5], row                                      # where the sections agree, the bar pass leaves out every other bar the truth does
    loops = [c.strip() for c in lines[[l.startswith('# `trim`') for l in lines].index(True) - 2].strip('|').split('|')]   # the `extend` table
    assert loops[1] == '3' and int(loops[2]) >= max(2, int(loops[3])), loops   # most truths play the loop pass's plan, aiming near helps
    trims = [c.strip() for c in lines[[l.startswith('# `rearrange`') for l in lines].index(True) - 2].strip('|').split('|')]   # the `trim` table
    assert trims[1] == trims[2] == '3' and trims[3] == '9' and int(trims[4]) < 9, trims   # every trim truth leaves out the marked bars
    moves = [c.strip() for c in lines[-1].strip('|').split('|')]      # the `rearrange` table
    assert moves[1] == moves[2] == moves[3] == '3', moves             # every rearrange truth opens with the marked section, both ways
