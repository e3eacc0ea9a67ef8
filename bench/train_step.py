"""One bar-model training step under variants of its config, side by side (markdown table): with and without dropout on
the attention weights (`--compare dropout`), or reading more or fewer of the length's plan columns (`--compare plan`).

    python bench/train_step.py --corpus data/synth --corpus data/synth_big [--corpus ...] [--steps 20] [--redraw 0.5] \\
        [--threads 1] [--compare dropout|plan] [--out bench/results/train_step_cpu.md]

The batches are the first --steps of a real training run (`draw_batch`, as `fit_bars` draws: seed 0, batch 16, --redraw), drawn
once and saved; each variant then trains on them in a fresh process of its own (one warm-up step, then every batch
in turn: `train_step`, as `fit_bars` runs it), so each has its own peak resident memory. The variants run
in turn, twice over (A B A B for two), and each reports the median CPU seconds per step of its two runs; CPU time is what the wall time is on an
idle machine with --threads 1. `dropout`'s variants differ in `BarModelConfig.attention_dropout` only (0.1: the rate
torch's layers used before the field existed, the residual dropout's; 0: the default); `plan`'s in `BarModelConfig.n_plan`
only (each greedy editor's columns are computed at every encode only where the model reads them).
"""
import argparse, json, resource, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from bar_model import table   # the bench's markdown table (bench/ is on sys.path when run as a script)

COMPARISONS = {   # name -> {variant: BarModelConfig fields}; the first variant is the speed-up's base
    'dropout': {'attention dropout 0.1 (before)': dict(attention_dropout=0.1), 'attention dropout 0 (now)': dict(attention_dropout=0.0)},
    'plan': {'the length alone (n_plan 6)': dict(n_plan=6), "+ its section's loops (9)": dict(n_plan=9),
             '+ section drops and bar pass (17)': dict(n_plan=17), '+ loop pass (23)': dict(n_plan=23), '+ trim span (26, now)': dict(n_plan=26)},
}


def draw_batches(corpora, steps: int, redraw: float) -> list:
    "The first `steps` batches of a default training run (`draw_batch`: seed 0, batch 16): lists of bar items, as `train_step` takes them."
    from editptr.bars import BarTrainConfig, load_bar_items, draw_batch
    config = BarTrainConfig(redraw=redraw)
    train, _ = load_bar_items(corpora, 'train', config.seed, progress=False, jobs=2)
    return [draw_batch(train, config, step) for step in range(1, steps + 1)]


def worker(batches_path: str, fields: dict, threads: int) -> dict:
    "Train a fresh default bar model on the saved batches: CPU s of each step after a warm-up, and peak RSS."
    import torch
    from editptr.bars import BarPointerNetwork, BarModelConfig, BarTrainConfig, train_step
    torch.set_num_threads(threads); torch.manual_seed(0)
    batches, config = torch.load(batches_path, weights_only=False), BarTrainConfig()
    model = BarPointerNetwork(BarModelConfig(**fields)).train()
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    train_step(model, opt, batches[0], config)                       # warm-up
    seconds = []
    for b in batches:
        t = time.process_time(); train_step(model, opt, b, config); seconds.append(time.process_time() - t)
    return dict(seconds=seconds, peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--redraw', type=float, default=0.5)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--compare', default='dropout', choices=COMPARISONS)
    ap.add_argument('--out', default='bench/results/train_step_cpu.md')
    ap.add_argument('--worker', nargs=2, metavar=('BATCHES', 'FIELDS'), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker[0], json.loads(a.worker[1]), a.threads))); return
    variants = COMPARISONS[a.compare]
    import torch
    from editptr.bars import collate_bars
    batches = draw_batches(a.corpus, a.steps, a.redraw)
    shapes = np.array([(collate_bars(b).feats.shape[1], collate_bars(b).tokens.shape[1]) for b in batches])   # (steps, 2) raw, edit bars (padded)
    runs = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / 'batches.pt'; torch.save(batches, path)
        for _ in range(2):
            for name, fields in variants.items():
                cmd = [sys.executable, __file__, '--corpus', 'unused', '--threads', str(a.threads), '--worker', str(path), json.dumps(fields)]
                runs[name].append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1]))
    base = np.median([np.mean(r['seconds']) for r in runs[next(iter(variants))]])
    rows = []
    for name, rs in runs.items():
        per_step = np.median([np.mean(r['seconds']) for r in rs])
        slowest = np.median([max(r['seconds']) for r in rs])
        rows.append([name, f'{per_step:.2f}', f'{slowest:.2f}', f'{base / per_step:.2f}x', f"{max(r['peak_mib'] for r in rs):,.0f}"])
    what = {'dropout': 'attention dropout 0.1 vs 0', 'plan': 'the plan columns it reads'}[a.compare]
    head = (f"# One bar-model training step, {what} (corpora {' + '.join(a.corpus)}; "
            f"torch {torch.__version__}, {a.threads} thread(s), CPU time)\n\n"
            f"The first {a.steps} batches of a training run (batch 16, redraw {a.redraw}): padded to {shapes[:, 0].min()}-{shapes[:, 0].max()} "
            f"raw bars (median {np.median(shapes[:, 0]):.0f}) and {shapes[:, 1].min()}-{shapes[:, 1].max()} edit bars (median {np.median(shapes[:, 1]):.0f}); "
            "median of two runs of each variant, run in turn twice, each in a fresh process.\n\n")
    text = head + table(['variant', 'CPU s / step (mean)', 'slowest step', 'speed-up', 'peak RSS MiB'], rows) + '\n'
    print(text)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(text)


if __name__ == '__main__':
    main()
