"""A longer training run than `make demo`, for a GPU: torchrun (nccl on CUDA) + bf16, then the test-split evaluation.

    python bench/long_run.py --corpus data/synth --out runs/long --device cuda --nproc 1 --max-steps 4000

Trains with `python -m editptr.train --preset long` (the settings are `editptr.config.PRESETS['long']`) under
`torchrun --nproc_per_node N` (the same entry point users run), evaluates `best.pt` on the test split with
`editptr.evaluate.evaluate`, prints the tables and writes `summary.json` (config, wall time, throughput, metric rows) beside the checkpoints.
"""
import argparse, json, subprocess, sys, time
from pathlib import Path

from editptr.config import PRESETS


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--out', required=True, help='save dir (checkpoints, logs, summary.json)')
    ap.add_argument('--preset', default='long', choices=sorted(PRESETS), help='model and training settings (default: %(default)s)')
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--nproc', type=int, default=1, help='torchrun processes (one per GPU)')
    ap.add_argument('--max-steps', type=int, default=4000)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--eval-items', type=int, default=None, help='test pairs to evaluate (default: all)')
    ap.add_argument('--config', nargs='*', default=[], help='more KEY=VALUE overrides')
    a = ap.parse_args(argv)
    cmd = [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={a.nproc}', '-m', 'editptr.train',
           '--corpus', a.corpus, '--save-dir', a.out, '--device', a.device, '--preset', a.preset, '--batch-size', str(a.batch_size),
           '--max-steps', str(a.max_steps), '--epochs', '100000', '--overwrite', '--no-progress', '--config', *a.config]
    print(' '.join(cmd), flush=True)
    t0 = time.time()
    subprocess.run(cmd, check=True)
    train_s = time.time() - t0

    import torch
    from editptr.evaluate import evaluate
    t0 = time.time()
    res = evaluate(Path(a.out) / 'best.pt', a.corpus, split='test', device=a.device, max_items=a.eval_items)
    eval_s = time.time() - t0
    for mode in ('free-running', 'teacher-forced'): print(res.table(mode, 'all'))
    print(res.table('free-running'))
    summary = dict(command=cmd, preset={'name': a.preset, **PRESETS[a.preset]},
                   train_seconds=round(train_s, 1), eval_seconds=round(eval_s, 1),
                   steps_per_second=round(a.max_steps / train_s, 2), nproc=a.nproc, device=a.device,
                   gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                   torch=torch.__version__, rows=res.rows)
    (Path(a.out) / 'summary.json').write_text(json.dumps(summary, indent=1, default=float))
    print(f"train {train_s:.0f} s ({summary['steps_per_second']} steps/s), eval {eval_s:.0f} s -> {a.out}/summary.json")


if __name__ == '__main__': main()
