"""Validation loss of bar-model variants trained side by side on the same data, split, seed and schedule (markdown table).

    python bench/bar_ablation.py --corpus data/synth --corpus data/synth_big [--corpus ...] \\
        --variant conv3=3 --variant single=1 [--steps 3000] [--until 1000] [--reference "previous=models/bars/metrics.jsonl"] \\
        [--out bench/results/bar_ablation_cpu.md]

Each --variant NAME=K trains `editptr.bars.train_bars` with `BarModelConfig(context_bars=K)` (everything else default)
into models/ablation_NAME, for the first --until steps of a --steps one-cycle schedule (a save dir that already holds
those steps is read, not retrained; one that stopped earlier resumes). --reference NAME=FILE adds the validation log of
another run (e.g. an earlier round's model, trained by other code: say which in the label). The table has one row per
validation step and one column per run: teacher-forced pointer loss per bar (STOP included) on the pooled validation
splits.
"""
import argparse, json
from pathlib import Path


def read_log(path) -> dict[int, float]:
    "step -> val pointer loss of a metrics.jsonl"
    p = Path(path)
    if not p.is_file(): return {}
    return {r['step']: r['val_pointer_loss'] for r in map(json.loads, p.read_text().splitlines()) if 'val_pointer_loss' in r}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--variant', action='append', default=[], help='NAME=CONTEXT_BARS')
    ap.add_argument('--reference', action='append', default=[], help='NAME=metrics.jsonl of another run')
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--until', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='bench/results/bar_ablation_cpu.md')
    a = ap.parse_args(argv)
    import torch
    from editptr.bars import train_bars, BarTrainConfig, BarModelConfig
    torch.set_num_threads(a.threads)
    logs = {}
    for v in a.variant:
        name, k = v.split('=')
        save = Path('models') / f'ablation_{name}'
        if max(read_log(save / 'metrics.jsonl'), default=0) < a.until:
            train_bars(a.corpus, save, BarTrainConfig(steps=a.steps), BarModelConfig(context_bars=int(k)), progress=False, until=a.until)
        logs[f'{name} (context_bars={k})'] = read_log(save / 'metrics.jsonl')
    for r in a.reference:
        name, path = r.split('=', 1)
        logs[name] = read_log(path)
    steps = sorted({s for log in logs.values() for s in log if s <= a.until})
    text = '\n'.join([f'# Bar model variants: validation pointer loss (corpora {" + ".join(a.corpus)}; {a.steps}-step schedule, '
                      f'first {a.until} steps; torch {torch.__version__}, {a.threads} thread(s))', '',
                      '| step | ' + ' | '.join(logs) + ' |', '|---|' + '---|' * len(logs)]
                     + [f'| {s} | ' + ' | '.join(f'{log[s]:.4f}' if s in log else '–' for log in logs.values()) + ' |' for s in steps])
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
