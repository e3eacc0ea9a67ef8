"""`editptr-data` end to end: synth (parallel), pairs (aligned, low ratio excluded), audio (bad files skipped,
duplicates built once, the source's own quality, never its own output), exit statuses, bad inputs, fast --help."""
import json, subprocess, sys, time, warnings
from pathlib import Path
import numpy as np
import soundfile as sf
import pytest

BIN = Path(sys.executable).parent / 'editptr-data'
CLI = [str(BIN)] if BIN.exists() else [sys.executable, '-m', 'editptr.data']


def run(*args, timeout=300):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_help_is_fast():
    t = time.time()
    r = run('--help')
    assert r.returncode == 0 and 'synth' in r.stdout and 'pairs' in r.stdout and 'audio' in r.stdout
    assert time.time() - t < 3


def test_synth_parallel(tmp_path):
    out = tmp_path / 'syn'
    r = run('synth', '--out', out, '--tracks', 3, '--duration', 8, '--jobs', 2, '--seed', 1, '--no-progress')
    assert r.returncode == 0, r.stderr
    c = json.loads((out / 'corpus.json').read_text())
    assert c['style_counts'] == {'extend': 3, 'rearrange': 3, 'shorten': 3}      # 8 s songs have no intro or outro to trim:
    assert c['n_pairs'] == 9 and len(c['songs']) == 3                            # trim is skipped and reported, not an identity
    assert sorted(s['file'] for s in c['skipped']) == ['synth0000_trim', 'synth0001_trim', 'synth0002_trim']
    assert all('too short for the style' in s['reason'] for s in c['skipped'])
    assert 'synth0000_trim' in r.stdout
    for name in c['pairs']:
        info = json.loads((out / 'pointers' / f'{name}_info.json').read_text())
        mel = np.load(out / 'cache' / f'{name}_mel.npy', mmap_mode='r')
        p = np.load(out / 'pointers' / f'{name}_pointers.npy')
        beats = np.load(out / 'cache' / f'{name}_beats.npy')
        assert mel.shape == (128, info['n_raw_frames']) and p.dtype == np.int32 and len(p) == info['n_edit_frames']
        assert beats.ndim == 2 and beats.shape[1] == 2 and beats.dtype == np.int32
        assert p.min() >= 0 and p.max() < info['n_raw_frames'] and info['source'] == 'truth'
        for k in ('name', 'song', 'style', 'raw_path', 'edit_path', 'ratio', 'confidence', 'edit_points', 'ops', 'bpm', 'sections'):
            assert k in info, k
        secs = info['sections']                                                  # the generator's, covering the raw
        assert secs[0][1] == 0 and secs[-1][2] == info['n_raw_frames'] and all(a[2] == b[1] for a, b in zip(secs, secs[1:]))
        assert (out / 'pointers' / f'{name}_alignment.png').is_file()
        assert Path(info['edit_path']).is_file() and Path(info['raw_path']).is_file()
    assert 'total' in r.stdout and 'skipped: 3' in r.stdout
    # bench/add_sections.py gives a corpus built before sections were stored the same sections, and checks them
    stored = {}
    for f in (out / 'pointers').glob('*_info.json'):
        info = json.loads(f.read_text()); stored[f.name] = info.pop('sections'); f.write_text(json.dumps(info))
    a = subprocess.run([sys.executable, str(Path(__file__).parents[1] / 'bench' / 'add_sections.py'), str(out)], capture_output=True, text=True)
    assert a.returncode == 0, a.stderr
    assert 'truth remade from the stored sections: 9 of 9' in a.stdout, a.stdout
    assert all(json.loads((out / 'pointers' / n).read_text())['sections'] == s for n, s in stored.items())
    b = subprocess.run([sys.executable, str(Path(__file__).parents[1] / 'bench' / 'synth_sections.py'), '--corpus', str(out), '--songs', '2', '--out', ''],
                       capture_output=True, text=True)
    assert b.returncode == 0 and b.stdout.count('| synth000') == 2 and 'identical: ' in b.stdout and 'of 2' in b.stdout, b.stdout + b.stderr
    # the bar model's redraw_edit, given each pair's own seed, cuts again exactly the stored edit from its bar item alone
    from editptr.bars import load_bar_items, redraw_edit, can_redraw, BarPointerNetwork, BarModelConfig, save_bar_model
    from editptr.data import style_seed
    items = load_bar_items(out, 'all', progress=False)[0]
    redrawn = [it for it in items if can_redraw(it)]
    assert len(redrawn) == 6                                                      # shorten and extend of 3 songs
    for it in redrawn:
        seed = style_seed(json.loads((out / 'pointers' / f"{it['name']}_info.json").read_text())['track_seed'], c['settings']['styles'].index(it['style']))
        assert np.array_equal(redraw_edit(it, seed)['pointers'], it['pointers']), it['name']
    # bench/bar_beam.py measures a bar model on the corpus: a row per style and 'all', with the exact edits counted
    import torch
    net = BarPointerNetwork(BarModelConfig(d_model=16, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, latent_dim=4))
    net.style_bank = {s: torch.zeros(4) for s in ('extend', 'rearrange', 'shorten')}
    save_bar_model(net, tmp_path / 'bars.pt')
    e = subprocess.run([sys.executable, str(Path(__file__).parents[1] / 'bench' / 'bar_beam.py'), '--bar-model', str(tmp_path / 'bars.pt'),
                        '--corpus', str(out), '--split', 'all', '--beams', '1,2', '--out', ''], capture_output=True, text=True)
    assert e.returncode == 0, e.stderr
    rows = [l.split(' | ') for l in e.stdout.splitlines() if l.startswith(f'| {tmp_path}')]
    assert [r[5] for r in rows] == ['extend', 'rearrange', 'shorten', 'all'] * 2 and all(r[6] == ('9' if r[5] == 'all' else '3') for r in rows)
    assert all(0 <= int(r[10]) <= int(r[6]) for r in rows), e.stdout                # exact edits: a count of the pairs
    assert all(0 <= int(r[11]) <= int(r[6]) - int(r[10]) for r in rows), e.stdout   # search errors: some of the wrong edits
    # two readers joined by '+' (agreed_beam): a model agreeing with itself gives its own edits
    two = subprocess.run([sys.executable, str(Path(__file__).parents[1] / 'bench' / 'bar_beam.py'), '--bar-model', f"{tmp_path / 'bars.pt'}+{tmp_path / 'bars.pt'}",
                          '--corpus', str(out), '--split', 'all', '--beams', '2', '--out', ''], capture_output=True, text=True)
    assert two.returncode == 0, two.stderr
    agreed = [l.split(' | ')[5:11] for l in two.stdout.splitlines() if l.startswith(f'| {tmp_path}')]
    assert agreed == [r[5:11] for r in rows if r[1] == 'beam 2'], two.stdout
    # the same seed gives the same corpus, in one process or two
    r1 = run('synth', '--out', tmp_path / 'one', '--tracks', 3, '--duration', 8, '--jobs', 1, '--seed', 1, '--no-progress')
    assert r1.returncode == 0
    for name in c['pairs']:
        assert np.array_equal(np.load(out / 'pointers' / f'{name}_pointers.npy'), np.load(tmp_path / 'one' / 'pointers' / f'{name}_pointers.npy'))


def test_pairs_aligned_and_excluded(tmp_path):
    from editptr.synth import synth_track
    from editptr.edits import make_pair
    src = tmp_path / 'pairs'; src.mkdir()
    a, b = synth_track(11, duration=12), synth_track(12, duration=12)
    pr = make_pair(a, 'shorten', seed=3)
    sf.write(src / 'good_raw.wav', pr.raw, 22050); sf.write(src / 'good_edit.wav', pr.edited, 22050)
    sf.write(src / 'other_raw.wav', a.audio, 22050); sf.write(src / 'other_edit.wav', b.audio, 22050)  # not an edit of it
    (src / 'broken_raw.wav').write_bytes(b''); sf.write(src / 'broken_edit.wav', pr.edited, 22050)
    out = tmp_path / 'aligned'
    r = run('pairs', src, '--out', out, '--jobs', 2, '--no-progress')
    assert r.returncode == 0, r.stderr
    c = json.loads((out / 'corpus.json').read_text())
    assert c['pairs'] == ['good'] and c['style_counts'] == {'aligned': 1}
    assert [e['name'] for e in c['excluded']] == ['other'] and c['excluded'][0]['ratio'] < 0.95
    assert len(c['skipped']) == 1 and 'broken_raw.wav' in c['skipped'][0]['file']
    info = json.loads((out / 'pointers' / 'good_info.json').read_text())
    assert info['source'] == 'aligned' and info['ratio'] >= 0.95 and info['raw_path'].endswith('good_raw.wav')
    p = np.load(out / 'pointers' / 'good_pointers.npy')
    n = min(len(p), len(pr.pointers))
    assert np.mean(np.abs(p[:n].astype(int) - pr.pointers[:n]) <= 3) > 0.9      # the aligner found the edit
    from editptr.audio import load_source, analysis_audio
    from editptr.edits import analyze
    assert info['sections'] == analyze(analysis_audio(load_source(src / 'good_raw.wav'))).section_rows()   # what editptr-edit reads of the raw
    assert 'excluded (ratio < 0.95): 1' in r.stdout
    assert 'excluded other: ratio' in r.stdout and '< --min-ratio 0.95' in r.stdout     # and why


def test_audio_bad_files_are_skipped(tmp_path):
    from editptr.synth import synth_track
    src = tmp_path / 'tracks'; src.mkdir()
    sf.write(src / 'song.ogg', synth_track(4, duration=10).audio, 22050)
    (src / 'empty.wav').write_bytes(b'')
    (src / 'text.mp3').write_text('not audio at all')
    sf.write(src / 'quiet.wav', np.zeros(22050 * 2, np.float32), 22050)
    nan = np.full(22050, np.nan, np.float32); sf.write(src / 'nan.wav', nan, 22050, subtype='FLOAT')
    sf.write(src / 'blip.flac', np.ones(500, np.float32) * 0.5, 22050)
    r = run('audio', src, '--out', tmp_path / 'c', '--styles', 'shorten', '--jobs', 2, '--no-progress')
    assert r.returncode == 0, r.stderr
    c = json.loads((tmp_path / 'c' / 'corpus.json').read_text())
    assert c['pairs'] == ['song_shorten']
    skipped = sorted(Path(s['file']).name for s in c['skipped'])
    assert skipped == ['blip.flac', 'empty.wav', 'nan.wav', 'quiet.wav', 'text.mp3'], c['skipped']
    assert all(s['reason'] for s in c['skipped'])


def test_nothing_built_is_an_error(tmp_path):
    src = tmp_path / 'bad'; src.mkdir(); (src / 'x.wav').write_bytes(b'RIFF')
    r = run('audio', src, '--out', tmp_path / 'c', '--no-progress', '--jobs', 1)
    assert r.returncode == 1 and 'nothing was built' in r.stderr
    r = run('audio', tmp_path / 'missing', '--out', tmp_path / 'c', '--no-progress')
    assert r.returncode == 2 and 'no such directory' in r.stderr


def test_verify_align_records_agreement(tmp_path):
    r = run('synth', '--out', tmp_path / 'va', '--tracks', 1, '--duration', 10, '--styles', 'shorten', '--verify-align', '--jobs', 1, '--no-progress')
    assert r.returncode == 0, r.stderr
    info = json.loads((tmp_path / 'va' / 'pointers' / 'synth0000_shorten_info.json').read_text())
    assert info['align_within_3'] > 0.9 and info['align_ratio'] > 0.95 and abs(info['align_length_diff']) <= 2


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    "Folders the bad-input table points at: a track, an old corpus, a lonely pair file, junk, a plain file."
    from editptr.synth import synth_track
    d = tmp_path_factory.mktemp('inputs')
    (d / 'tracks').mkdir(); sf.write(d / 'tracks' / 'song.wav', synth_track(4, duration=8).audio, 22050)
    (d / 'old').mkdir(); (d / 'old' / 'corpus.json').write_text('{"pairs": []}')
    (d / 'lonely').mkdir(); sf.write(d / 'lonely' / 'solo_raw.wav', synth_track(5, duration=4).audio, 22050)
    (d / 'junk').mkdir(); (d / 'junk' / 'x.wav').write_bytes(b'RIFF')
    (d / 'file.txt').write_text('not a folder')
    return d


@pytest.mark.parametrize('args, status, expect', [
    (['pairs', 'tracks', '--min-ratio', '2'], 2, '--min-ratio must be in (0, 1]'),
    (['pairs', 'tracks', '--min-ratio', '0'], 2, '--min-ratio must be in (0, 1]'),
    (['audio', 'tracks', '--styles', 'nosuch'], 2, "unknown styles ['nosuch']"),
    (['synth', '--styles', 'trim,nope'], 2, "unknown styles ['nope']"),
    (['synth', '--jobs', '0'], 2, '--jobs must be >= 1'),
    (['audio', 'tracks', '--jobs', '-3'], 2, '--jobs must be >= 1'),
    (['synth', '--tracks', '0'], 2, '--tracks must be >= 1'),
    (['synth', '--duration', '0'], 2, '--duration > 0'),
    (['audio', 'tracks', '--seed', '-1'], 2, '--seed must be >= 0'),
    (['synth', '--out', 'old'], 2, 'corpus.json: already exists (use --force'),
    (['synth', '--out', 'file.txt'], 2, 'is a file, not a folder'),
    (['audio', 'missing'], 2, 'no such directory'),
    (['pairs', 'missing'], 2, 'no such directory'),
    (['audio', 'old', '--force'], 2, 'an editptr corpus'),
    (['audio', 'tracks', '--out', '.'], 2, 'inside the output folder'),
    (['pairs', 'lonely'], 1, 'solo_raw.wav: no partner file'),
    (['audio', 'junk'], 1, 'nothing was built'),
])
def test_bad_inputs(inputs, tmp_path, args, status, expect, capsys):
    "One table of bad inputs: status 2 is a one-line error before any work (nothing written); 1 built nothing, said why."
    from editptr.data import main
    args = [str(inputs / a) if a in ('tracks', 'old', 'lonely', 'junk', 'missing') else a for a in args]
    if '--out' in args: i = args.index('--out') + 1; args[i] = str(inputs / args[i])
    else: args += ['--out', str(tmp_path / 'c')]
    before = (inputs / 'old' / 'corpus.json').read_text()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        rc = main(args + ['--no-progress'] + ([] if '--jobs' in args else ['--jobs', '1']))
    out, err = capsys.readouterr()
    assert rc == status and expect in out + err, (rc, out, err)
    assert 'Traceback' not in err and not [w for w in caught if 'partner' in str(w.message)]    # reported, not warned
    if status == 2:
        assert err.startswith('editptr-data: error:') and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / 'c').exists() and (inputs / 'old' / 'corpus.json').read_text() == before


def test_audio_source_quality_duplicates_and_rerun(tmp_path):
    "A 48 kHz stereo 24-bit track comes out as it went in; its copy is reported and built once; a rerun into SRC/corpus reads no edit of its own."
    import librosa
    from editptr.synth import synth_track
    src = tmp_path / 'tracks'; src.mkdir()
    mono = librosa.resample(synth_track(6, duration=8).audio, orig_sr=22050, target_sr=48000)
    st = np.stack([mono, 0.5 * mono[::-1]], 1)
    sf.write(src / 'x.wav', st, 48000, subtype='PCM_24')
    pcm = sf.read(src / 'x.wav', dtype='int32')[0]
    sf.write(src / 'y.flac', pcm, 48000, subtype='PCM_24')                       # the same music, another name and format
    out = src / 'corpus'
    for extra in ([], ['--force']):
        r = run('audio', src, '--out', out, '--styles', 'shorten', '--jobs', 1, '--no-progress', *extra)
        assert r.returncode == 0, r.stderr
        c = json.loads((out / 'corpus.json').read_text())
        assert c['pairs'] == ['x_shorten'] and c['songs'] == ['x'], c              # never its own edits, never twice
        assert c['duplicates'] == [{'file': str(src / 'y.flac'), 'duplicate_of': str(src / 'x.wav'), 'difference_db': 0.0}]
        assert f"duplicate {src / 'y.flac'}: same music as {src / 'x.wav'}" in r.stdout
    assert c['skipped'] == [{'file': str(out), 'reason': 'the output folder (--out): not read for songs'}]
    info = json.loads((out / 'pointers' / 'x_shorten_info.json').read_text())
    assert info['duplicate_files'] == [str(src / 'y.flac')] and (info['audio_sr'], info['audio_channels']) == (48000, 2)
    for side in ('raw', 'edit'):
        i = sf.info(out / 'audio' / f'x_shorten_{side}.wav')
        assert (i.samplerate, i.channels, i.subtype) == (48000, 2, 'PCM_24'), i
    assert np.array_equal(sf.read(out / 'audio' / 'x_shorten_raw.wav', dtype='int32')[0], pcm)   # the input samples
    mel = np.load(out / 'cache' / 'x_shorten_mel.npy')
    assert mel.shape[1] == info['n_raw_frames'] == 1 + int(np.ceil(len(pcm) * 22050 / 48000)) // 256   # analysis grid
    from editptr.audio import load_source, analysis_audio
    from editptr.edits import analyze
    assert info['sections'] == analyze(analysis_audio(load_source(src / 'x.wav'))).section_rows()   # what editptr-edit reads of the raw


def test_default_corpus_is_whole_songs(tmp_path):
    "The default corpus: songs of 90-240 s; per style the edit is not the identity and every seam lies on a bar line."
    from editptr.data import build_synth
    from editptr.corpus import read_corpus
    from editptr.pointers import seam_frames
    c = build_synth(tmp_path / 'whole', tracks=1, jobs=1, progress=False)
    assert c['skipped'] == [] and sorted(c['style_counts']) == ['extend', 'rearrange', 'shorten', 'trim']
    for r in read_corpus(tmp_path / 'whole'):
        n = r['n_raw_frames']
        assert 90 <= n / 86.13 <= 242, n
        p = np.load(r['pointers'])
        assert not np.array_equal(p, np.arange(n)), r['style']                  # real work: not the identity
        beats = np.load(r['beats'])
        bars = set(beats[beats[:, 1] == 0, 0].tolist()) | {0, n}               # bar lines (downbeats) and both ends
        seams = seam_frames(p)
        assert len(seams) or r['style'] == 'trim', r['style']
        for s in seams:
            assert int(p[s]) in bars and int(p[s - 1]) + 1 in bars, (r['style'], s, int(p[s - 1]), int(p[s]))
