"""`editptr-data` end to end: synth (parallel), pairs (aligned, low ratio excluded), audio (bad files skipped),
exit statuses, fast --help."""
import json, subprocess, sys, time
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
    assert c['style_counts'] == {'extend': 3, 'rearrange': 3, 'shorten': 3, 'trim': 3}
    assert c['n_pairs'] == 12 and len(c['songs']) == 3 and c['skipped'] == []
    for name in c['pairs']:
        info = json.loads((out / 'pointers' / f'{name}_info.json').read_text())
        mel = np.load(out / 'cache' / f'{name}_mel.npy', mmap_mode='r')
        p = np.load(out / 'pointers' / f'{name}_pointers.npy')
        beats = np.load(out / 'cache' / f'{name}_beats.npy')
        assert mel.shape == (128, info['n_raw_frames']) and p.dtype == np.int32 and len(p) == info['n_edit_frames']
        assert beats.ndim == 2 and beats.shape[1] == 2 and beats.dtype == np.int32
        assert p.min() >= 0 and p.max() < info['n_raw_frames'] and info['source'] == 'truth'
        for k in ('name', 'song', 'style', 'raw_path', 'edit_path', 'ratio', 'confidence', 'edit_points', 'ops', 'bpm'):
            assert k in info, k
        assert (out / 'pointers' / f'{name}_alignment.png').is_file()
        assert Path(info['edit_path']).is_file() and Path(info['raw_path']).is_file()
    assert 'total' in r.stdout and 'skipped: 0' in r.stdout
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
    assert 'excluded (ratio < 0.95): 1' in r.stdout


def test_audio_bad_files_are_skipped(tmp_path):
    from editptr.synth import synth_track
    src = tmp_path / 'tracks'; src.mkdir()
    sf.write(src / 'song.ogg', synth_track(4, duration=10).audio, 22050)
    (src / 'empty.wav').write_bytes(b'')
    (src / 'text.mp3').write_text('not audio at all')
    sf.write(src / 'quiet.wav', np.zeros(22050 * 2, np.float32), 22050)
    nan = np.full(22050, np.nan, np.float32); sf.write(src / 'nan.wav', nan, 22050, subtype='FLOAT')
    sf.write(src / 'blip.flac', np.ones(500, np.float32) * 0.5, 22050)
    r = run('audio', src, '--out', tmp_path / 'c', '--styles', 'trim', '--jobs', 2, '--no-progress')
    assert r.returncode == 0, r.stderr
    c = json.loads((tmp_path / 'c' / 'corpus.json').read_text())
    assert c['pairs'] == ['song_trim']
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
