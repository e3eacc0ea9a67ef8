"""End-to-end checks of `python -m editptr.train`: a SIGKILLed run resumed ends bitwise equal to an
uninterrupted one; bad input fails with clear messages and leaves existing checkpoints alone."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch
from editptr.corpus import toy_corpus

PY = sys.executable
TINY = ['n_mels=16', 'd_model=32', 'n_heads=2', 'n_encoder_layers=1', 'n_decoder_layers=1', 'd_ff=64', 'latent_dim=4',
        'window=16', 'global_stride=16', 'chunk_size=64', 'chunk_overlap=8', 'frame_radius=8',
        'learning_rate=3e-3', 'warmup_steps=5', 'val_every=10', 'checkpoint_every=5', 'kl_anneal_steps=20']
STEPS = 60


def cmd(corpus, save, *extra):
    return [PY, '-m', 'editptr.train', '--corpus', str(corpus), '--save-dir', str(save), '--device', 'cpu',
            '--threads', '1', '--no-progress', '--max-steps', str(STEPS), '--batch-size', '4', '--seed', '0',
            '--config', *TINY, *extra]


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    return toy_corpus(tmp_path_factory.mktemp('c') / 'toy', n_songs=8, n_raw=(56, 72), bar=16, n_mels=16)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=240, **kw)


def steps_logged(save):
    f = save / 'metrics.jsonl'
    if not f.exists(): return 0
    rows = [l for l in f.read_text().splitlines() if l.strip()]
    try: return max((json.loads(l)['step'] for l in rows if '"train"' in l), default=0)
    except ValueError: return 0   # a line being written


def test_sigkill_resume_is_exact(corpus, tmp_path):
    a, b = tmp_path / 'straight', tmp_path / 'killed'
    r = run(cmd(corpus, a))
    assert r.returncode == 0, r.stderr
    # the same run, SIGKILLed between checkpoints (after its 3rd, at step >= 17), then resumed
    p = subprocess.Popen(cmd(corpus, b), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while steps_logged(b) < 17:
        assert p.poll() is None, f"run ended before the kill: {p.stderr.read()}"
        assert time.time() - t0 < 120
        time.sleep(0.005)
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait() == -signal.SIGKILL
    killed = torch.load(b / 'last.pt', weights_only=True)
    assert 15 <= killed['step'] < STEPS                      # it really died mid-run
    r = run(cmd(corpus, b, '--resume'))
    assert r.returncode == 0, r.stderr
    sa = torch.load(a / 'last.pt', weights_only=True)
    sb = torch.load(b / 'last.pt', weights_only=True)
    assert sa['step'] == sb['step'] == STEPS
    for k, v in sa['model_state_dict'].items():
        assert torch.equal(v, sb['model_state_dict'][k]), k
    for ga, gb in zip(sa['optimizer_state_dict']['state'].values(), sb['optimizer_state_dict']['state'].values()):
        assert torch.equal(ga['exp_avg'], gb['exp_avg'])
    steps = [json.loads(l)['step'] for l in (b / 'metrics.jsonl').read_text().splitlines() if '"train"' in l]
    assert steps == list(range(1, STEPS + 1))                # logs read like one run
    losses = [json.loads(l)['loss'] for l in (a / 'metrics.jsonl').read_text().splitlines() if '"train"' in l]
    assert sum(losses[-10:]) < sum(losses[:10])               # and it learned something


def test_bad_input_is_clear_and_harmless(corpus, tmp_path):
    save = tmp_path / 'run'
    r = run(cmd(corpus, save, '--resume'))
    assert r.returncode == 2 and 'nothing to resume' in r.stderr
    r = run(cmd(tmp_path / 'missing', save))
    assert r.returncode == 2 and 'does not exist' in r.stderr
    r = run(cmd(corpus, save, 'd_modle=8'))
    assert r.returncode == 2 and "unknown config key 'd_modle'" in r.stderr
    r = run(cmd(corpus, save, 'd_model=wide'))
    assert r.returncode == 2 and 'd_model must be int' in r.stderr
    # a good run, then checks that failures leave its checkpoints byte-identical
    r = run(cmd(corpus, save)[:-len(TINY) - 1] + ['--config', *TINY, 'checkpoint_every=0'] + ['--max-steps', '10'])
    assert r.returncode == 0, r.stderr
    before = {f: (save / f).read_bytes() for f in ('best.pt', 'last.pt')}
    r = run(cmd(corpus, save))                                # fresh run over existing checkpoints
    assert r.returncode == 2 and 'already holds checkpoints' in r.stderr
    r = run(cmd(corpus, save, 'd_model=48', '--resume'))    # another config
    assert r.returncode == 2 and 'another model config' in r.stderr
    empty = toy_corpus(tmp_path / 'two', n_songs=2, n_raw=64, n_mels=16)
    r = run(cmd(empty, save, '--overwrite'))                  # empty validation split
    assert r.returncode == 2 and "split 'val' is empty" in r.stderr
    broken = toy_corpus(tmp_path / 'broken', n_songs=4, n_raw=64, n_mels=16)
    (broken / 'cache' / 'toy001_trim_mel.npy').unlink()
    r = run(cmd(broken, save, '--overwrite'))                 # missing file
    assert r.returncode == 2 and 'toy001_trim_mel.npy: missing' in r.stderr
    assert {f: (save / f).read_bytes() for f in ('best.pt', 'last.pt')} == before
    (tmp_path / 'junk').mkdir(); (tmp_path / 'junk' / 'last.pt').write_bytes(b'garbage')
    r = run(cmd(corpus, tmp_path / 'junk', '--resume'))       # corrupted checkpoint
    assert r.returncode == 2 and 'last.pt' in r.stderr and ('corrupted' in r.stderr or 'not a readable checkpoint' in r.stderr)
    assert (tmp_path / 'junk' / 'last.pt').read_bytes() == b'garbage'


def test_help_is_fast():
    t = time.time()
    r = run([PY, '-m', 'editptr.train', '--help'])
    assert r.returncode == 0 and '--corpus' in r.stdout and '--resume' in r.stdout and '--preset' in r.stdout
    assert time.time() - t < 5
    r = run([PY, '-m', 'editptr.train', '--corpus', 'x', '--preset', 'dmeo'])
    assert r.returncode == 2 and "invalid choice: 'dmeo'" in r.stderr
