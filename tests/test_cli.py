"The command-line entry points: installed, answer --help quickly, and import no heavy module to do so."
import subprocess, sys, shutil
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
SCRIPTS = ['editptr-align', 'editptr-data', 'editptr-edit']
HEAVY = ('torch', 'librosa', 'plotly', 'matplotlib')


@pytest.mark.parametrize('script', SCRIPTS)
def test_console_script_help(script):
    exe = shutil.which(script, path=str(BIN)) or shutil.which(script)
    assert exe, f'{script} is not installed (pip install -e .)'
    out = subprocess.run([exe, '--help'], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert 'usage' in out.stdout.lower()


@pytest.mark.parametrize('module', ['editptr', 'editptr.config', 'editptr.align', 'editptr.data', 'editptr.edit'])
def test_cli_modules_import_light(module):
    "A CLI module imported for --help must not pull in torch or librosa (they cost seconds)."
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '', f'{module} imports {out.stdout.strip()} at import time'


def test_public_api_names():
    code = ("from editptr import (PointerNetwork, PointerNetworkConfig, TrainConfig, STOP_TOKEN, PAD_TOKEN, "
            "SparseAttention, MusicAwarePositionalEncoding, MultiScaleEncoder, HierarchicalAttention, "
            "EditStyleVAE, StructurePredictionHead); print(STOP_TOKEN, PAD_TOKEN)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['-2', '-1']


@pytest.fixture(scope='module')
def align_inputs(tmp_path_factory):
    "What the editptr-align table points at: a raw, an edit of it, another song, a lonely file, earlier results (twice), a plain file."
    import numpy as np, soundfile as sf
    from editptr.synth import synth_track
    from editptr.edits import make_pair
    d = tmp_path_factory.mktemp('align')
    pr = make_pair(synth_track(8, 10.0), 'shorten', seed=1)
    sf.write(d / 'raw.wav', pr.raw, 22050); sf.write(d / 'edit.wav', pr.edited, 22050)
    sf.write(d / 'other.wav', synth_track(9, 8.0).audio, 22050)
    (d / 'lonely').mkdir(); sf.write(d / 'lonely' / 'solo_raw.wav', pr.raw, 22050)
    for f in ('done', 'redo'): (d / f).mkdir(); np.save(d / f / 'x_pointers.npy', np.arange(3))
    (d / 'file.txt').write_text('not a folder')
    return d


@pytest.mark.parametrize('args, status, expect', [
    ([], 2, 'give RAW and EDIT, or --pairs DIR'),
    (['raw.wav'], 2, 'give RAW and EDIT'),
    (['raw.wav', 'edit.wav', '--pairs', 'lonely'], 2, 'not both'),
    (['nope.wav', 'edit.wav'], 2, 'nope.wav: file not found'),
    (['--pairs', 'nowhere'], 2, 'nowhere: no such directory'),
    (['raw.wav', 'edit.wav', '--out', 'file.txt'], 2, 'is a file, not a folder'),
    (['--pairs', 'lonely', '--jobs', '0'], 2, '--jobs must be >= 1'),
    (['--pairs', 'lonely', '--jobs', '-2'], 2, '--jobs must be >= 1'),
    (['raw.wav', 'edit.wav', '--out', 'done', '--name', 'x'], 2, 'x_pointers.npy: already exists'),
    (['--pairs', 'lonely'], 1, 'solo_raw.wav: no partner file'),
    (['raw.wav', 'other.wav', '--out', 'redo', '--name', 'x', '--force'], 0, 'warning: x: only 0% of'),
])
def test_align_bad_inputs(align_inputs, tmp_path, args, status, expect):
    "One table of bad inputs to editptr-align: status 2 is a one-line error before any work; the rest say what went wrong."
    d, exe = align_inputs, shutil.which('editptr-align', path=str(BIN)) or shutil.which('editptr-align')
    args = [str(d / a) if a in ('raw.wav', 'edit.wav', 'other.wav', 'nope.wav', 'lonely', 'nowhere', 'file.txt', 'done', 'redo') else a for a in args]
    if '--out' not in args: args += ['--out', str(tmp_path / 'o')]
    r = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == status and expect in r.stdout + r.stderr, (r.returncode, r.stdout, r.stderr)
    assert 'Traceback' not in r.stderr and 'Warning' not in r.stderr, r.stderr   # no Python warning echo either
    if status == 2:
        assert r.stderr.startswith('editptr-align: error:') and len(r.stderr.strip().splitlines()) == 1, r.stderr
        import numpy as np
        assert not (tmp_path / 'o').exists() and np.load(d / 'done' / 'x_pointers.npy').tolist() == [0, 1, 2]
    if status == 1: assert f"skipped {d / 'lonely' / 'solo_raw.wav'}: no partner file" in r.stdout.splitlines()
    if status == 0:
        import numpy as np
        assert len(np.load(d / 'redo' / 'x_pointers.npy')) > 3      # --force: the earlier result replaced
