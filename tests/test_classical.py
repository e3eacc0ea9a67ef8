"""The classical retargeting editor on one generated ~90 s song: exact lengths, the identity, bar-line seams, errors."""
import numpy as np
import pytest
from editptr.config import AudioConfig
from editptr.synth import synth_track
from editptr.edits import TrackAnalysis
from editptr.pointers import seam_frames
from editptr.classical import classical_edit, ClassicalEdit


@pytest.fixture(scope='module')
def song():
    track = synth_track(3, duration=90.0)
    return track, TrackAnalysis.from_synth(track)


@pytest.mark.parametrize('frac', [0.7, 1.0, 1.3])
def test_exact_length_on_bar_lines(song, frac):
    track, ta = song
    target = round(frac * ta.n_frames)
    e = classical_edit(track, target)
    assert isinstance(e, ClassicalEdit) and e.pointers.dtype == np.int32
    assert len(e.pointers) == target
    assert e.pointers.min() >= 0 and e.pointers.max() < ta.n_frames
    assert len(e.off_bar_seams) <= 1
    lines = set(ta.bar_lines().tolist())
    for s in seam_frames(e.pointers):
        if s in e.off_bar_seams: continue
        assert int(e.pointers[s]) in lines and int(e.pointers[s - 1]) + 1 in lines, (frac, s)
    intro, outro = ta.sections[0], ta.sections[-1]
    assert (e.pointers[:intro.end_frame] == np.arange(intro.end_frame)).all()                    # intro kept
    n_out = outro.end_frame - outro.start_frame
    assert (e.pointers[-n_out:] == np.arange(outro.start_frame, outro.end_frame)).all()         # outro kept
    if frac != 1.0: assert len(seam_frames(e.pointers)) >= 1


def test_identity_at_raw_length(song):
    track, ta = song
    e = classical_edit(track, ta.n_frames)
    assert (e.pointers == np.arange(ta.n_frames)).all() and e.off_bar_seams == [] and e.cost == 0.0


def test_infeasible_target(song):
    track, ta = song
    intro, outro = ta.sections[0], ta.sections[-1]
    shortest = (intro.end_frame - intro.start_frame) + (outro.end_frame - outro.start_frame)
    assert len(classical_edit(track, shortest).pointers) == shortest
    with pytest.raises(ValueError, match=f'{shortest} frames'):
        classical_edit(track, shortest - 1)
    with pytest.raises(ValueError, match='shortest'):
        classical_edit(track, 0)


def test_plain_signal_uses_analyze(song):
    track, ta = song
    y = track.audio[:int(30 * track.sr)]
    n = AudioConfig().n_frames(len(y))
    e = classical_edit(y, int(0.8 * n))                     # no analysis given: analyze() estimates bars and sections
    assert len(e.pointers) == int(0.8 * n)
