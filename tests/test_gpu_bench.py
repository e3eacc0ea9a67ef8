"""The lent-GPU scripts run on the CPU too (--device cpu), so a session with a GPU finds them working:
bench/gpu_bars.py trains variants side by side within a deadline from corpora or from exported bar items,
fine-tunes (init_from), evaluates the test items, and its export carries the truth back exactly."""
import json, pickle, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from editptr.corpus import toy_corpus

PY, ROOT = sys.executable, Path(__file__).parents[1]
TINY = 'd_model=16,n_encoder_layers=1,n_decoder_layers=1,latent_dim=4,batch_size=4,free_running_pairs=2'


def gpu_bars(*args):
    r = subprocess.run([PY, str(ROOT / 'bench' / 'gpu_bars.py'), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return r.stdout


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    return toy_corpus(tmp_path_factory.mktemp('c') / 'toy', n_songs=12, n_raw=(64, 96), bar=16)


def test_side_by_side_from_corpus(toy, tmp_path):
    out = gpu_bars('--corpus', toy, '--out', tmp_path / 'runs', '--device', 'cpu', '--jobs', '2', '--deadline', '60',
                   '--variant', f'a:{TINY},steps=12', '--variant', f'b:{TINY},steps=8,lr=3e-3')
    for name, steps in (('a', 12), ('b', 8)):
        s = json.loads((tmp_path / 'runs' / name / 'summary.json').read_text())
        assert s['train']['steps'] == steps                 # a generous deadline: the steps asked for
        assert (tmp_path / 'runs' / name / 'best.pt').is_file() and (tmp_path / 'runs' / name / 'last.pt').is_file()
    assert '| a | d 16, 1 + 1 | 4 | 12 |' in out and '| b | d 16, 1 + 1 | 4 | 8 |' in out
    import torch
    from editptr.bars import load_bar_model
    gpu_bars('strip', tmp_path / 'runs', tmp_path / 'back')                       # what comes back from the GPU machine
    for name in ('a', 'b'):
        small, full = tmp_path / 'back' / name / 'last.pt', tmp_path / 'runs' / name / 'last.pt'
        assert torch.load(small, weights_only=True)['optimizer_state_dict'] is None and small.stat().st_size < full.stat().st_size
        for x, y in zip(load_bar_model(small).state_dict().values(), load_bar_model(full).state_dict().values()): assert torch.equal(x, y)
        assert sorted(load_bar_model(small).style_bank) == sorted(load_bar_model(full).style_bank)


def test_export_items_fine_tune_and_test(toy, tmp_path):
    from editptr.bars import load_bar_items
    items = tmp_path / 'items.pkl'
    gpu_bars('export', '--corpus', toy, '--test-corpus', toy, '--out', items)
    sys.path.insert(0, str(ROOT / 'bench'))
    from gpu_bars import load_items
    train, val, test = load_items(items)
    truth = load_bar_items(toy, 'all', progress=False)[0]
    assert [it['name'] for it in test] == [it['name'] for it in truth]
    for a, b in zip(test, truth): np.testing.assert_array_equal(a['pointers'], b['pointers'])   # the truth, rebuilt from bars
    assert len(pickle.loads(items.read_bytes())['train']) == len(train) > 0
    gpu_bars('--items', items, '--out', tmp_path / 'base', '--device', 'cpu', '--deadline', '60', '--variant', f'base:{TINY},steps=6')
    out = gpu_bars('--items', items, '--out', tmp_path / 'tuned', '--device', 'cpu', '--deadline', '60', '--test',
                   '--variant', f'tuned:init_from={tmp_path / "base" / "base" / "last.pt"},lr=1e-3,steps=4,free_running_pairs=2',
                   '--evaluate', f'base={tmp_path / "base" / "base" / "last.pt"}')
    table = (tmp_path / 'tuned' / 'test.md').read_text()
    for model in ('base', 'tuned (best)', 'tuned (last)'):
        assert f'| {model} |' in table and f'| {model} | ' in out
    assert table.count(f'| all | {len(test)} |') == 3           # every model edited every test pair
    s = json.loads((tmp_path / 'tuned' / 'tuned' / 'summary.json').read_text())
    assert s['init_from'].endswith('last.pt') and s['model']['d_model'] == 16   # the fine-tuned model's own config
