"""`torchrun --nproc_per_node=2 -m editptr.train` on CPU (gloo): the ranks stay in sync and the loss falls."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest
from editptr.corpus import toy_corpus

TORCHRUN = Path(sys.executable).parent / 'torchrun'


@pytest.mark.skipif(not TORCHRUN.exists() and not shutil.which('torchrun'), reason='torchrun not installed')
def test_ddp_two_ranks_cpu(tmp_path):
    corpus = toy_corpus(tmp_path / 'toy', n_songs=8, n_raw=(56, 72), bar=16, n_mels=16)
    save = tmp_path / 'ddp'
    run = str(TORCHRUN if TORCHRUN.exists() else shutil.which('torchrun'))
    args = [run, '--standalone', '--nproc_per_node=2', '-m', 'editptr.train', '--corpus', str(corpus), '--save-dir', str(save),
            '--device', 'cpu', '--no-progress', '--max-steps', '40', '--batch-size', '4',
            '--config', 'n_mels=16', 'd_model=32', 'n_heads=2', 'n_encoder_layers=1', 'n_decoder_layers=1', 'd_ff=64',
            'latent_dim=4', 'window=16', 'global_stride=16', 'chunk_size=64', 'chunk_overlap=8', 'frame_radius=8',
            'learning_rate=3e-3', 'warmup_steps=5', 'val_every=20', 'checkpoint_every=20', 'kl_anneal_steps=20']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    sums = [json.loads((save / f'rank{k}_checksum.json').read_text()) for k in (0, 1)]
    assert sums[0]['step'] == sums[1]['step'] == 40
    assert sums[0]['checksum'] == sums[1]['checksum']            # same weights on both ranks
    rows = [json.loads(l) for l in (save / 'metrics.jsonl').read_text().splitlines()]
    losses = [r['loss'] for r in rows if r['kind'] == 'train']
    assert len(losses) == 40                                   # rank 0 alone logs
    assert sum(losses[-8:]) < 0.8 * sum(losses[:8])
    assert (save / 'best.pt').exists() and (save / 'last.pt').exists()
