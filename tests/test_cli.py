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
