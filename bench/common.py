"""What the bar-model benches share: the arguments each takes, the songs they read, and how a table is printed and kept.

Run any bench from the project root (`python bench/NAME.py ...`): Python puts `bench/` on the path, so `from common import ...` works."""
import argparse
from pathlib import Path

SPLITS = ('train', 'val', 'test', 'all')


def bar_bench_args(doc: str,                  # the bench's docstring: its first line is the --help description
                   out: str = '',             # where the table is written by default ('': printed only)
                   split: str = 'test',       # the split read by default
                   several: bool = False,     # --bar-model may be repeated (a row set per model)
                   split_seed: str = '--seed',  # the flag of the split's seed (a bench whose --seed draws names it otherwise)
                  ) -> argparse.ArgumentParser:
    "A parser holding what every bar bench takes: --bar-model, --corpus (repeat to pool), --split, the split's seed, --threads, --out."
    ap = argparse.ArgumentParser(description=doc.split('\n')[0])
    if several: ap.add_argument('--bar-model', action='append', required=True, help='a bar model checkpoint (repeat to compare several)')
    else: ap.add_argument('--bar-model', required=True, help="a bar model checkpoint ('A+B': the readings of both agree)")
    ap.add_argument('--corpus', action='append', required=True, help='a corpus directory (repeat to pool their songs)')
    ap.add_argument('--split', default=split, choices=SPLITS)
    ap.add_argument(split_seed, type=int, default=0, help="the split's seed: a model trained with --seed 1 is held out on that split")
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=out, help="write the table here too ('': print only)")
    return ap


def split_items(corpora: list[str], split: str, seed: int) -> list[dict]:
    "The bar items (`editptr.bars.load_bar_items`) of `split` of every corpus in `corpora`, one list."
    from editptr.bars import load_bar_items
    return [it for c in corpora for it in load_bar_items(c, split, seed, progress=False)[0]]


def report(text: str, out: str = ''):
    "Print a bench's table and, where `out` names a file, keep it there."
    print(text)
    if out: Path(out).write_text(text + '\n')
