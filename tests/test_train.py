"""End-to-end checks of `python -m editptr.train`: a SIGKILLed run resumed ends bitwise equal to an
uninterrupted one; SIGINT / SIGTERM save last.pt and exit 130 / 143; bad input fails with one clear
line and leaves existing checkpoints alone; a resume on another corpus is refused unless asked for."""
import json, os, shutil, signal, subprocess, sys, time
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


@pytest.fixture(scope='module')
def straight(corpus, tmp_path_factory):
    "A run of STEPS steps, never interrupted: what interrupted runs must end equal to."
    save = tmp_path_factory.mktemp('straight') / 'run'
    r = run(cmd(corpus, save))
    assert r.returncode == 0, r.stderr
    return save


@pytest.fixture(scope='module')
def trained(corpus, tmp_path_factory):
    "A short run's save dir (best.pt, last.pt, logs): copy it before touching it."
    save = tmp_path_factory.mktemp('trained') / 'run'
    r = run(cmd(corpus, save)[:-len(TINY) - 1] + ['--config', *TINY, 'checkpoint_every=0'] + ['--max-steps', '10'])
    assert r.returncode == 0, r.stderr
    return save


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=240, **kw)


def steps_logged(save):
    f = save / 'metrics.jsonl'
    if not f.exists(): return 0
    rows = [l for l in f.read_text().splitlines() if l.strip()]
    try: return max((json.loads(l)['step'] for l in rows if '"train"' in l), default=0)
    except ValueError: return 0   # a line being written


def assert_same_run(a, b):
    "last.pt of save dirs `a` and `b`: the same step, bitwise the same weights and optimiser moments."
    sa = torch.load(a / 'last.pt', weights_only=True)
    sb = torch.load(b / 'last.pt', weights_only=True)
    assert sa['step'] == sb['step'] == STEPS
    for k, v in sa['model_state_dict'].items():
        assert torch.equal(v, sb['model_state_dict'][k]), k
    for ga, gb in zip(sa['optimizer_state_dict']['state'].values(), sb['optimizer_state_dict']['state'].values()):
        assert torch.equal(ga['exp_avg'], gb['exp_avg'])
    steps = [json.loads(l)['step'] for l in (b / 'metrics.jsonl').read_text().splitlines() if '"train"' in l]
    assert steps == list(range(1, STEPS + 1))                # logs read like one run


def test_sigkill_resume_is_exact(corpus, straight, tmp_path):
    b = tmp_path / 'killed'
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
    assert_same_run(straight, b)
    losses = [json.loads(l)['loss'] for l in (straight / 'metrics.jsonl').read_text().splitlines() if '"train"' in l]
    assert sum(losses[-10:]) < sum(losses[:10])               # and it learned something


@pytest.mark.parametrize('sig, status', [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=['SIGINT', 'SIGTERM'])
def test_signal_saves_last_and_resumes(corpus, straight, tmp_path, sig, status):
    save = tmp_path / 'run'
    p = subprocess.Popen(cmd(corpus, save), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while steps_logged(save) < 1:                             # the first logged step
        assert p.poll() is None, f"run ended before the signal: {p.stderr.read()}"
        assert time.time() - t0 < 120
        time.sleep(0.005)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == status, err
    n = torch.load(save / 'last.pt', weights_only=True)['step']
    assert 1 <= n < STEPS and steps_logged(save) == n        # saved the step it stopped after: nothing lost
    assert 'Traceback' not in err
    assert err.splitlines() == [f"editptr-train: interrupted at step {n}; last.pt saved; resume with --resume"]
    r = run(cmd(corpus, save, '--resume'))
    assert r.returncode == 0, r.stderr
    assert_same_run(straight, save)                           # as if never interrupted


def snapshot(d: Path):
    "Every file under `d` with its bytes (None: `d` does not exist)."
    return {str(f.relative_to(d)): f.read_bytes() for f in sorted(d.rglob('*')) if f.is_file()} if d.exists() else None


NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has CUDA')
def bad(case_id, *values, marks=()): return pytest.param(*values, id=case_id, marks=marks)

BAD = [  # id, corpus, save dir before, extra args, what stderr must say ({toy}, {other}: the corpora's paths)
    bad('nothing-to-resume', 'toy', None, ['--resume'], ['nothing to resume']),
    bad('missing-corpus', 'missing', None, [], ['does not exist']),
    bad('unknown-key', 'toy', None, ['d_modle=8'], ["unknown config key 'd_modle'"]),
    bad('not-an-int', 'toy', None, ['d_model=wide'], ['d_model must be int']),
    bad('batch-size-0', 'toy', None, ['--batch-size', '0'], ['TrainConfig: batch_size must be >= 1, got 0']),
    bad('heads-do-not-divide', 'toy', None, ['d_model=33', 'n_heads=2'], ['d_model (33) must be a multiple of n_heads (2)']),
    bad('negative-max-steps', 'toy', None, ['--max-steps', '-1'], ['max_steps must be >= 0, got -1']),
    bad('zero-epochs', 'toy', None, ['--epochs', '0'], ['epochs must be >= 1, got 0']),
    bad('negative-learning-rate', 'toy', None, ['learning_rate=-0.001'], ['learning_rate must be a finite number > 0, got -0.001']),
    bad('zero-threads', 'toy', None, ['--threads', '0'], ['--threads must be >= 1, got 0']),
    bad('no-cuda', 'toy', None, ['--device', 'cuda'], ['CUDA is not available on this machine'], marks=NO_CUDA),
    bad('fresh-over-checkpoints', 'toy', 'trained', [], ['already holds checkpoints']),
    bad('another-model-config', 'toy', 'trained', ['d_model=48', '--resume'], ['another model config']),
    bad('another-seed', 'toy', 'trained', ['--resume', '--seed', '1'], ['train config seed=0 but 1 requested']),
    bad('another-corpus', 'other', 'trained', ['--resume'],
        ['last.pt was trained on corpus', 'at {toy} (28 pairs, split seed 0), not on the requested corpus', 'at {other} (', '--allow-corpus-change']),
    bad('empty-val-split', 'two', 'trained', ['--overwrite'], ["split 'val' is empty"]),
    bad('missing-file', 'broken', 'trained', ['--overwrite'], ['toy001_trim_mel.npy: missing']),
    bad('corrupted-checkpoint', 'toy', b'garbage', ['--resume'], ['last.pt', 'not a readable checkpoint']),
    bad('empty-checkpoint', 'toy', b'', ['--resume'], ['last.pt is empty (0 bytes)']),
]


@pytest.fixture(scope='module')
def corpora(corpus, tmp_path_factory):
    d = tmp_path_factory.mktemp('corpora')
    broken = toy_corpus(d / 'broken', n_songs=4, n_raw=64, n_mels=16)
    (broken / 'cache' / 'toy001_trim_mel.npy').unlink()
    return {'toy': corpus, 'missing': d / 'missing', 'broken': broken,
            'two': toy_corpus(d / 'two', n_songs=2, n_raw=64, n_mels=16),                   # too few songs for a val split
            'other': toy_corpus(d / 'other', n_songs=9, n_raw=(56, 72), bar=16, n_mels=16)}  # one song more


@pytest.mark.parametrize('corpus_key, before, extra, expected', BAD)
def test_bad_input_is_clear_and_harmless(corpora, trained, tmp_path, corpus_key, before, extra, expected):
    save = tmp_path / 'run'
    if before == 'trained': shutil.copytree(trained, save)
    elif isinstance(before, bytes): save.mkdir(); (save / 'last.pt').write_bytes(before)
    files = snapshot(save)
    r = run(cmd(corpora[corpus_key], save, *extra))
    assert r.returncode == 2, r.stdout + r.stderr
    assert 'Traceback' not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('editptr-train: error: '), r.stderr
    for e in expected: assert e.format(**{k: str(v) for k, v in corpora.items()}) in lines[0], (e, lines[0])
    assert snapshot(save) == files                           # nothing written, nothing replaced


def test_corpus_change_when_asked_and_old_checkpoints(corpora, trained, tmp_path):
    moved = tmp_path / 'moved'
    shutil.copytree(trained, moved)
    r = run(cmd(corpora['other'], moved, '--resume', '--allow-corpus-change', '--max-steps', '12'))
    assert r.returncode == 0, r.stderr
    ck = torch.load(moved / 'last.pt', weights_only=True)
    assert ck['step'] == 12 and ck['corpus']['source'] == str(corpora['other'])   # it now remembers the new corpus
    old = tmp_path / 'old'                                    # a checkpoint from before corpus identities
    shutil.copytree(trained, old)
    ck = torch.load(old / 'last.pt', weights_only=True); del ck['corpus']; torch.save(ck, old / 'last.pt')
    r = run(cmd(corpora['other'], old, '--resume', '--max-steps', '12'))
    assert r.returncode == 0, r.stderr                        # resumes as before
    assert torch.load(old / 'last.pt', weights_only=True)['corpus']['source'] == str(corpora['other'])


def test_help_is_fast():
    t = time.time()
    r = run([PY, '-m', 'editptr.train', '--help'])
    assert r.returncode == 0 and '--corpus' in r.stdout and '--resume' in r.stdout and '--preset' in r.stdout
    assert '--allow-corpus-change' in r.stdout
    assert time.time() - t < 5
    r = run([PY, '-m', 'editptr.train', '--corpus', 'x', '--preset', 'dmeo'])
    assert r.returncode == 2 and "invalid choice: 'dmeo'" in r.stderr
