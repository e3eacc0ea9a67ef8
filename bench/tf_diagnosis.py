"""Why free-running edits fail: a teacher-forced look at the decisions a checkpoint makes on held-out whole songs.

    python bench/tf_diagnosis.py --checkpoint models/pointer_network/best.pt --corpus data/synth \\
        [--split test] [--max-items 8] [--threads 2] [--out bench/results/tf_diagnosis_cpu.md]

For every pair, teacher-forced (`PointerNetwork.teacher_forced_pointers`, the true edit as input), once with z from
the pair's own posterior (the edit itself, `encode_style`) and once with the prior mean: the first frame played
against the true one; how many of the true edit points the top pointer gets right (within 3 frames); false jumps,
steps where the truth continues and the model leaves the run (each one derails a free-running edit); and whether
the two z's give the same pointers at every step (then the decoder does not read its style latent at all).
Last, free-running as `editptr-edit` decodes (greedy, the true length, seams on bar lines) with the pair's own z
(an upper bound of `--style NAME`, and available mid-run, when a checkpoint has no style bank yet): the seams
it makes, how many of them are right in place and destination (within 3 frames), and the share of frames right.
"""
import argparse, os, time
from pathlib import Path


def diagnose(model, item, z):
    "(first frame, edit points right, edit points, false jumps, pointers) of one teacher-forced pass."
    import numpy as np
    from editptr.pointers import previous_pointers, edit_points
    tgt = item['pointers'][None]
    p = model.teacher_forced_pointers(item['raw_mel'][None], tgt, beats=item['beats'][None], z=z, chunk=4096)[0].numpy()
    t = tgt[0].numpy()
    cont, jump, valid = previous_pointers(t) + 1, edit_points(t), t >= 0   # the frame that continues the run; edit points
    right = int((np.abs(p - t) <= 3)[jump & valid].sum())
    return int(p[0]), right, int((jump & valid).sum()), int(((p != cont) & ~jump & valid).sum()), p


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--split', default='test', choices=('train', 'val', 'test', 'all'))
    ap.add_argument('--max-items', type=int, default=8)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seams', default='bar', choices=('bar', 'beat', 'frame'), help='where free-running seams may be')
    ap.add_argument('--out', default='', help="also write the report here ('': print only)")
    a = ap.parse_args(argv)
    import numpy as np, torch
    from editptr.model import PointerNetwork
    from editptr.dataset import PointerDataset
    from editptr.metrics import free_running_metrics, seam_frames
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    model = PointerNetwork.from_checkpoint(a.checkpoint)
    step = torch.load(a.checkpoint, map_location='cpu', weights_only=True).get('step')
    ds = PointerDataset(a.corpus, a.split, max_raw_frames=2**62)
    rows = ['| pair | style | raw frames | first frame: true / own z / prior z | edit points right (own z) | false jumps (own z / prior z) | same pointers under both z | free-running (own z): seams (true) / right / accuracy |',
            '|---|---|---|---|---|---|---|---|']
    tot = np.zeros(4, dtype=int); same_all = 0; preds, trues = [], []
    for i in range(min(a.max_items, len(ds))):
        it = ds[i]
        own = model.encode_style(it['raw_mel'][None], it['pointers'][None], beats=it['beats'][None])
        f1, right, n_ep, fj1, p1 = diagnose(model, it, own)
        f2, _, _, fj2, p2 = diagnose(model, it, None)
        same = bool((p1 == p2).all()); same_all += same
        tot += [right, n_ep, fj1, fj2]
        true = it['pointers'].numpy()                               # the edit's frames (no STOP)
        fr = model.generate(it['raw_mel'][None], beats=it['beats'][None], z=own, target_length=len(true), temperature=0.0,
                            seams=a.seams)['pointers'][0].numpy()
        m = free_running_metrics([fr], [true]); preds.append(fr); trues.append(true)
        ns, nt = len(seam_frames(fr)), len(seam_frames(true))
        rows.append(f"| {it['name']} | {it['style']} | {it['raw_mel'].shape[-1]} | {int(it['pointers'][0])} / {f1} / {f2} | {right} / {n_ep} | {fj1} / {fj2} "
                    f"| {'yes' if same else 'no'} | {ns} ({nt}) / {round(m['dest_seam_precision'] * ns)} / {m['accuracy']:.1%} |")
    n = min(a.max_items, len(ds))
    m = free_running_metrics(preds, trues)
    rows.append(f"| all {n} | | | | {tot[0]} / {tot[1]} | {tot[2]} / {tot[3]} ({tot[2] / n:.1f} a song with its own z) | {same_all} of {n} "
                f"| dest F1 {m['dest_seam_f1']:.2f}, seam F1 {m['seam_f1']:.2f}, accuracy {m['accuracy']:.1%} |")
    head = (f"# Teacher-forced diagnosis (checkpoint {a.checkpoint}, step {step}, corpus {a.corpus}, {a.split} split, "
            f"torch {torch.__version__}, {a.threads} thread(s); {time.perf_counter() - t0:.0f} s)\n\nProduced by `python bench/tf_diagnosis.py`; "
            "columns are described in its docstring.\n")
    text = head + '\n' + '\n'.join(rows)
    print(text)
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
