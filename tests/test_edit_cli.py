"""End-to-end checks of `editptr-edit`: a tiny checkpoint, a short synth wav, the four output files, the error paths."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import soundfile as sf

SR, HOP = 22050, 256
BIN = Path(sys.executable).parent


def cli(*args, timeout=240):
    "Run the editptr-edit CLI in a subprocess (the installed script, else `python -m editptr.edit`)."
    exe = BIN / 'editptr-edit'
    cmd = [str(exe)] if exe.exists() else [sys.executable, '-m', 'editptr.edit']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    "A tiny never-stopping checkpoint (so the edit length is the cap), a 6 s synth wav, bad inputs."
    import torch
    from editptr.config import PointerNetworkConfig
    from editptr.model import PointerNetwork
    from editptr.synth import synth_track
    d = tmp_path_factory.mktemp('edit_cli')
    torch.manual_seed(0)
    cfg = PointerNetworkConfig(d_model=32, n_heads=2, n_encoder_layers=1, n_decoder_layers=1, d_ff=64, window=16,
                               global_stride=16, latent_dim=4, frame_radius=8, dropout=0.0)
    model = PointerNetwork(cfg)
    with torch.no_grad(): model.decoder.stop_head.bias.fill_(-30.0)    # never stop: runs to --max-seconds
    model.save_checkpoint(d / 'best.pt')
    model.style_bank = {'shorten': torch.zeros(4), 'extend': torch.ones(4)}          # styles by name
    model.save_checkpoint(d / 'banked.pt')
    track = synth_track(0, duration=6.0)
    sf.write(d / 'song.wav', track.audio, track.sr)
    (d / 'junk.pt').write_bytes(b'this is not a checkpoint')
    (d / 'bad.wav').write_text('not audio at all')
    return d


def read_labels(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        start, end, label = line.split('\t')
        rows.append((float(start), float(end), label))
    return rows


def test_help_is_fast_and_light():
    r = cli('--help', timeout=60)
    assert r.returncode == 0 and '--checkpoint' in r.stdout and '--style-ref' in r.stdout
    code = "import sys; import editptr.edit as e; e.build_parser(); print('torch' in sys.modules, 'librosa' in sys.modules)"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout.strip()
    assert out == 'False False', out


def test_edit_writes_four_consistent_files(work):
    out = work / 'out' / 'edit.wav'
    out.parent.mkdir()
    r = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 2, '--out', out)
    assert r.returncode == 0, r.stderr
    for suf in ('.wav', '.pointers.npy', '.ops.json', '.labels.txt'):
        assert (work / 'out' / f'edit{suf}').is_file(), suf
    p = np.load(work / 'out' / 'edit.pointers.npy')
    assert p.dtype == np.int32 and len(p) == round(2 * SR / HOP)           # never stops: exactly the cap
    n_raw = 1 + len(sf.read(work / 'song.wav')[0]) // HOP
    assert ((p >= 0) & (p < n_raw)).all()
    y, sr = sf.read(out)
    assert sr == SR and abs(len(y) - len(p) * HOP) < HOP                    # render: one hop per pointer
    from editptr.pointers import seam_frames
    labels = read_labels(work / 'out' / 'edit.labels.txt')
    seams = seam_frames(p)
    assert len(labels) == len(seams)
    assert all(s == e and 0 < s < len(y) / SR for s, e, _ in labels)
    assert np.allclose([s for s, _, _ in labels], seams * HOP / SR, atol=1e-5)
    ops = json.loads((work / 'out' / 'edit.ops.json').read_text())
    assert ops['n_frames'] == len(p) and len(ops['seams']) == len(seams)
    from editptr.edits import parse_ops, ops_to_pointers
    assert (ops_to_pointers(parse_ops(ops['ops'])) == p).all()             # the ops are the pointers, losslessly

    again = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 2, '--out', out)
    assert again.returncode == 2 and 'already exists' in again.stderr and 'Traceback' not in again.stderr
    forced = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 1, '--out', out, '--force')
    assert forced.returncode == 0, forced.stderr
    assert len(np.load(work / 'out' / 'edit.pointers.npy')) == round(SR / HOP)


def test_samples_and_hierarchical(work, capsys):
    from editptr.edit import main
    out = work / 'many.wav'
    assert main([str(work / 'song.wav'), '--checkpoint', str(work / 'best.pt'), '--max-seconds', '1',
                 '--samples', '2', '--temperature', '1.5', '--hierarchical', '--out', str(out)]) == 0
    a, b = (np.load(work / f'many_{i}.pointers.npy') for i in (1, 2))
    assert len(a) == len(b) == round(SR / HOP) and not (a == b).all()       # two different samples
    for i in (1, 2): assert (work / f'many_{i}.wav').is_file() and (work / f'many_{i}.labels.txt').is_file()
    assert not (work / 'many.wav').exists()


@pytest.mark.parametrize('case, extra, expect', [
    ('missing_ckpt', [], 'checkpoint not found'), ('junk_ckpt', [], 'not a readable'),
    ('bad_audio', [], 'bad.wav'), ('missing_audio', [], 'input audio not found'),
    ('no_seconds', ['--max-seconds', '0'], '--max-seconds must be > 0'),
    ('cold', ['--temperature', '-1'], '--temperature must be >= 0'),
    ('endless', ['--duration', '1e9'], 'at most 10x the input'),
    ('no_gpu', ['--device', 'cuda'], 'CUDA is not available'), ('no_such_device', ['--device', 'tpu'], "device 'tpu'"),
    ('no_bank', ['--style', 'shorten'], 'has no style bank'),
    ('unknown_style', ['--style', 'nosuch'], "this model knows ['extend', 'shorten']"),
    ('two_styles', ['--style', 'shorten', '--style-ref', 'a.wav', 'b.wav'], 'not both')])
def test_errors_are_clear(work, case, extra, expect, capsys):
    "One table of bad inputs: each ends in a one-line error naming the problem, exit 2, no output written."
    from editptr.edit import main
    song, ckpt = work / 'song.wav', work / 'best.pt'
    if case == 'missing_ckpt': ckpt = work / 'nope.pt'
    if case == 'junk_ckpt': ckpt = work / 'junk.pt'
    if case == 'bad_audio': song = work / 'bad.wav'
    if case == 'missing_audio': song = work / 'nope.wav'
    if case == 'unknown_style': ckpt = work / 'banked.pt'
    if case == 'no_gpu':
        import torch
        if torch.cuda.is_available(): pytest.skip('this machine has CUDA')
    args = [str(song), '--checkpoint', str(ckpt), '--max-seconds', '1', '--out', str(work / f'err_{case}.wav')]
    rc = main(args + extra)
    err = capsys.readouterr().err
    assert rc == 2 and expect in err and err.startswith('editptr-edit: error:'), err
    assert not (work / f'err_{case}.wav').exists()


def test_bad_input_in_subprocess(work):
    r = cli(work / 'bad.wav', '--checkpoint', work / 'best.pt', '--out', work / 'x.wav')
    assert r.returncode == 2 and 'bad.wav' in r.stderr and 'Traceback' not in r.stderr


def test_style_reference(work):
    pytest.importorskip('editptr.align')
    from editptr.audio import render
    raw, _ = sf.read(work / 'song.wav', dtype='float32')
    T = 1 + len(raw) // HOP
    ref = np.r_[0:200, 300:T].astype(np.int32)                            # the reference edit: one cut
    sf.write(work / 'ref_edit.wav', render(raw, ref), SR)
    r = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 1,
            '--style-ref', work / 'song.wav', work / 'ref_edit.wav', '--out', work / 'styled.wav')
    assert r.returncode == 0, r.stderr
    ops = json.loads((work / 'styled.ops.json').read_text())
    assert ops['style_ref'] == [str(work / 'song.wav'), str(work / 'ref_edit.wav')]


def test_model_edit_is_predict_pointers():
    "The model's edit of one mel is `predict_pointers`; `edit_pointers` is no name of this module (`editptr.edits` styles)."
    import editptr.edit as e
    assert callable(e.predict_pointers) and 'predict_pointers' in e.__all__
    assert not hasattr(e, 'edit_pointers')


@pytest.mark.parametrize('sr', [44100, 48000])
def test_edit_keeps_the_source_quality(work, sr):
    "A stereo 24-bit file at its own rate comes out at that rate, in stereo, 24-bit; between seams the samples are the source's."
    from editptr.pointers import seam_frames
    from editptr.audio import frame_samples
    from editptr.synth import synth_track
    import librosa
    mono = librosa.resample(synth_track(1, duration=6.0).audio, orig_sr=SR, target_sr=sr)
    src = np.stack([mono, 0.5 * mono[::-1]], 1)                                  # two different channels
    sf.write(work / f'stereo{sr}.wav', src, sr, subtype='PCM_24')
    pcm = sf.read(work / f'stereo{sr}.wav', dtype='int32')[0]
    out = work / f'stereo{sr}_edit.wav'
    r = cli(work / f'stereo{sr}.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 3, '--out', out)
    assert r.returncode == 0, r.stderr
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (sr, 2, 'PCM_24')
    got = sf.read(out, dtype='int32')[0]
    p = np.load(str(out).replace('.wav', '.pointers.npy'))
    edges = np.r_[0, seam_frames(p), len(p)]
    fades = [0] + [round(s['crossfade_ms'] * sr / 1000) for s in json.loads(Path(str(out).replace('.wav', '.ops.json')).read_text())['seams']]
    assert len(fades) == len(edges) - 1                                          # one recorded fade per seam
    pos = 0
    for a, b, lo in zip(edges[:-1], edges[1:], fades):                           # each run between seams, after its crossfade
        s0, s1 = frame_samples([p[a], p[b - 1] + 1], sr)
        n = min(s1, len(pcm)) - s0
        assert np.array_equal(got[pos + lo:pos + n], pcm[s0 + lo:s0 + n]), (a, b)
        pos += n
    assert pos == len(got)


def test_duration_is_exact(work):
    "A requested duration is met to the frame (the model's stop head does not decide), with no time-stretch."
    out = work / 'exact.wav'
    r = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--duration', 2.5, '--out', out)
    assert r.returncode == 0, r.stderr
    p = np.load(work / 'exact.pointers.npy')
    assert len(p) == round(2.5 * SR / HOP)
    ops = json.loads((work / 'exact.ops.json').read_text())
    assert ops['n_frames'] == len(p) and abs(sf.info(out).frames - len(p) * HOP) < HOP


def test_style_by_name(work):
    "--style NAME decodes with the style bank's z, and the ops file says which style."
    out = work / 'named.wav'
    r = cli(work / 'song.wav', '--checkpoint', work / 'banked.pt', '--style', 'extend', '--max-seconds', 1, '--out', out)
    assert r.returncode == 0, r.stderr
    assert json.loads((work / 'named.ops.json').read_text())['style'] == 'extend'


def test_classical_needs_no_checkpoint(work):
    "--classical retargets to exactly --duration without any model, and says so in the ops file."
    out = work / 'classic.wav'
    r = cli(work / 'song.wav', '--classical', '--duration', 4.5, '--out', out)
    assert r.returncode == 0, r.stderr
    p = np.load(work / 'classic.pointers.npy')
    ops = json.loads((work / 'classic.ops.json').read_text())
    assert len(p) == round(4.5 * SR / HOP) and ops['classical'] is True and 'checkpoint' not in ops
    bad = cli(work / 'song.wav', '--classical', '--out', work / 'c2.wav')
    assert bad.returncode == 2 and '--classical needs --duration' in bad.stderr
    same = cli(work / 'song.wav', '--classical', '--duration', 4.5, '--samples', 3, '--out', work / 'c3.wav')
    assert same.returncode == 2 and '--classical makes one edit' in same.stderr
    none = cli(work / 'song.wav', '--out', work / 'c3.wav')
    assert none.returncode == 2 and 'give --checkpoint' in none.stderr


def test_preview_page(work):
    "--preview writes OUT.preview.html: the waveform with one mark per seam, players for the edit and the raw."
    out = work / 'pv' / 'look.wav'
    out.parent.mkdir()
    r = cli(work / 'song.wav', '--checkpoint', work / 'best.pt', '--max-seconds', 2, '--preview', '--out', out)
    assert r.returncode == 0, r.stderr
    page = (work / 'pv' / 'look.preview.html').read_text()
    ops = json.loads((work / 'pv' / 'look.ops.json').read_text())
    assert page.count('class="seam"') == len(ops['seams']) and page.count('<audio') == 2
    assert 'src="look.wav"' in page and 'src="../song.wav"' in page and '<svg' in page
