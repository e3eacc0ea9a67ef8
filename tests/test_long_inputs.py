"""Whole songs at the lengths people edit: a 25 000-frame input (about 4 min 50 s) encodes and decodes without NaN or positional wrap-around."""
import numpy as np
import pytest
import torch


@pytest.fixture(scope='module')
def model():
    from editptr.config import preset_configs
    from editptr.model import PointerNetwork
    torch.manual_seed(0)
    return PointerNetwork(preset_configs('demo')[0]).eval()


def test_absolute_positions_never_repeat():
    "Every frame of a 30 000-frame input gets its own absolute position code, and far frames are far apart."
    from editptr.encoder import sinusoid
    pe = sinusoid(torch.arange(30_000), 64)                                      # (T, d)
    near = (pe[1:] - pe[:-1]).norm(dim=-1)                                       # neighbours
    for lag in (1, 1_000, 10_000, 20_000):
        d = (pe[lag:] - pe[:-lag]).norm(dim=-1)
        assert d.min() > 1e-3, lag                                               # no position shares a code with another
    assert (pe[20_000:] - pe[:10_000]).norm(dim=-1).min() > 4 * near.max()           # far frames are far apart


def test_encoding_and_decoding_a_25000_frame_song(model):
    T = 25_000
    g = torch.Generator().manual_seed(1)
    mel = torch.randn(1, 128, T, generator=g) * 15 - 50
    with torch.no_grad():
        enc = model.encode_raw(mel)
        assert enc.frames.shape[1] == T and torch.isfinite(enc.frames).all()
        assert torch.isfinite(enc.beats).all() and torch.isfinite(enc.bars).all()
        out = model.generate(mel, target_length=200, temperature=0.0, max_steps=200)
    p = out['pointers'][0]
    assert len(p) <= 200 and (p >= 0).all() and (p < T).all()
    assert all(torch.isfinite(s).all() for s in out['stop_probs'])
    with torch.no_grad():                                                        # pointer logits at a step deep into the song
        mem = model.decoder.memory(enc)
        z, length, _ = model._style_and_length(enc, 20_000, 0.0, None)
        prev = torch.tensor([[24_000]])
        step = model.decoder(mem, prev, length, z)
    logits = step.pointer_logits[0, -1]
    assert logits.shape == (T,) and torch.isfinite(logits[logits > float('-inf')]).all()
    assert int(logits.argmax()) == 24_001 or logits[24_001] > float('-inf')      # the continuation is reachable
