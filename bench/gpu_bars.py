"""Bar models trained side by side on one GPU within a wall-clock budget, from bar items read once.

    python bench/gpu_bars.py --corpus data/synth --corpus data/synth_big ... --out runs/gpu --deadline 300 \\
        --variant readme:d_model=64,steps=5000 --variant wide:d_model=128,n_encoder_layers=4,n_decoder_layers=4,batch_size=32
    python bench/gpu_bars.py export --corpus A --corpus B --test-corpus C --out items.pkl   # bar items to carry to the GPU
    python bench/gpu_bars.py strip runs/gpu $OUT [--flat]   # the checkpoints without optimizer state, small enough to bring back
    python bench/gpu_bars.py --items items.pkl --out runs/real --deadline 120 --variant tuned:init_from=models/x.pt,lr=3e-4,steps=1000 \\
        --test --evaluate models/x.pt

The training and validation items of every corpus are read once (`load_bar_items`, --jobs processes); then each
--variant trains in its own process (forked, so the items are shared) on --device with `fit_bars`. A variant
names `BarModelConfig` and `BarTrainConfig` fields; `steps` is the most it may take: each process first times 20
training steps, one validation and the style bank on a throwaway model (while the others do the same, so the
GPU is shared as it will be), and takes as many steps as fit before --deadline (seconds from the start of this
script), at most `steps`, validating 10 times (`init_from=PATH` fine-tunes that model). Writes
<out>/<variant>/{best.pt,last.pt,metrics.jsonl,summary.json} and prints one table: steps, s / step, wall time and the
last validation of each variant. With test items (--items from `export --test-corpus`), every variant's best.pt and
last.pt and each --evaluate model then edit each test pair (with --test) at its true length, style by name, beam 4 (length weight 1),
on --device: destination-aware seam F1 and accuracy per style (`bench/bar_beam.py`'s table), written to <out>/test.md.
"""
import argparse, json, multiprocessing as mp, os, subprocess, time
from pathlib import Path

T0 = time.time()


def parse_variant(text):
    "'name:k=v,k=v' -> (name, {model fields}, {train fields})."
    from editptr.bars import BarModelConfig, BarTrainConfig
    name, _, spec = text.partition(':')
    model, train = {}, {}
    for kv in filter(None, spec.split(',')):
        k, v = kv.split('=')
        if k == 'init_from': train[k] = v; continue
        v = float(v) if '.' in v or 'e-' in v else int(v)
        if k in BarModelConfig.__dataclass_fields__: model[k] = v
        elif k in BarTrainConfig.__dataclass_fields__: train[k] = v
        else: raise SystemExit(f'--variant {text}: {k} is neither a BarModelConfig nor a BarTrainConfig field')
    return name, model, train


def timed(fn, device):
    import torch
    if device.startswith('cuda'): torch.cuda.synchronize()
    t = time.time(); fn()
    if device.startswith('cuda'): torch.cuda.synchronize()
    return time.time() - t


def run_variant(name, model_fields, train_fields, train, val, out, deadline, device, threads):
    import numpy as np, torch
    from editptr.bars import (BarModelConfig, BarTrainConfig, BarPointerNetwork, bar_losses, bar_validation, collate_bars,
                              fit_bars, free_running_validation, load_bar_model, posterior_means, _every)
    torch.set_num_threads(threads)
    mcfg = BarModelConfig(**model_fields)
    max_steps, init_from = int(train_fields.pop('steps', 10_000)), train_fields.pop('init_from', None)
    tcfg = BarTrainConfig(**train_fields)
    if init_from: mcfg = load_bar_model(init_from).config
    # the probe: a throwaway model's training steps, one validation and a style bank
    torch.manual_seed(0)
    model = BarPointerNetwork(mcfg).to(device); opt = torch.optim.AdamW(model.parameters(), lr=tcfg.lr)
    rng = np.random.default_rng(0)
    def step():
        out_ = bar_losses(model, collate_bars([train[i] for i in rng.choice(len(train), tcfg.batch_size, replace=False)]).to(device))
        opt.zero_grad(); out_['loss'].backward(); opt.step()
    timed(step, device)
    t_step = timed(lambda: [step() for _ in range(20)], device) / 20
    probe, style_items = _every(val, tcfg.free_running_pairs), _every(train, 256)
    t_val = timed(lambda: (bar_validation(model, val), free_running_validation(model, probe, style_items)), device)
    t_bank = 2 * timed(lambda: posterior_means(model, train[:512]), device) * len(train) / 512
    left = deadline - (time.time() - T0) - t_bank - 11 * t_val - 10
    steps = max(min(max_steps, 10), min(max_steps, int(left / t_step)))   # 10 steps at least, if asked for
    tcfg = tcfg.replace(steps=steps, val_every=max(1, steps // 10))
    del model, opt
    print(f'[{name}] {sum(p.numel() for p in BarPointerNetwork(mcfg).parameters()):,} weights; probe: {t_step * 1000:.1f} ms / step, '
          f'validation {t_val:.1f} s, style bank {t_bank:.1f} s -> {steps} steps', flush=True)
    t = time.time()
    fit_bars(train, val, out / name, tcfg, mcfg, resume=False, progress=False, device=device, sources=['gpu_bars'], init_from=init_from)
    wall = time.time() - t
    rows = [json.loads(l) for l in (out / name / 'metrics.jsonl').read_text().splitlines()]
    summary = dict(variant=name, init_from=init_from, model=mcfg.to_dict(), train=tcfg.to_dict(), probe_s_per_step=t_step, wall_s=wall,
                   s_per_step=wall / steps, device=device, gpu=torch.cuda.get_device_name(0) if device.startswith('cuda') else None,
                   torch=torch.__version__, last=rows[-1], best_step=max(rows, key=lambda r: (r.get('val_free_dest_seam_f1', 0), -r['val_pointer_loss']))['step'])
    (out / name / 'summary.json').write_text(json.dumps(summary, indent=1))
    print(f'[{name}] done: {steps} steps in {wall:.0f} s', flush=True)


def export(argv):
    "Bar items of --corpus (train and val splits) and --test-corpus (all pairs) to one pickle, small enough to carry."
    import pickle
    import numpy as np
    from editptr.bars import load_bar_items
    ap = argparse.ArgumentParser(prog='gpu_bars.py export')
    ap.add_argument('--corpus', action='append', required=True)
    ap.add_argument('--test-corpus', action='append', default=[])
    ap.add_argument('--out', required=True)
    a = ap.parse_args(argv)
    slim = lambda its: [{**{k: v for k, v in it.items() if k != 'pointers'}, 'feats': it['feats'].astype(np.float16)} for it in its]
    items = {split: slim(load_bar_items(a.corpus, split, progress=False)[0]) for split in ('train', 'val')}
    items['test'] = slim(load_bar_items(a.test_corpus, 'all', progress=False)[0]) if a.test_corpus else []
    items['sources'] = dict(corpus=a.corpus, test_corpus=a.test_corpus)
    Path(a.out).write_bytes(pickle.dumps(items))
    print(f"{a.out}: {', '.join(f'{len(items[k])} {k}' for k in ('train', 'val', 'test'))} pairs, {Path(a.out).stat().st_size / 2**20:.1f} MiB")


def strip(argv):
    "Copy each <runs>/<variant>/{best,last}.pt to <out>/<variant>/ (or <out>/<variant>_best.pt with --flat) without optimizer state."
    import torch
    ap = argparse.ArgumentParser(prog='gpu_bars.py strip')
    ap.add_argument('runs'); ap.add_argument('out'); ap.add_argument('--flat', action='store_true')
    a = ap.parse_args(argv)
    for d in sorted(p for p in Path(a.runs).iterdir() if p.is_dir()):
        for k in ('best', 'last'):
            if not (d / f'{k}.pt').is_file(): continue
            ck = torch.load(d / f'{k}.pt', map_location='cpu', weights_only=True)
            ck['optimizer_state_dict'] = None; ck.pop('scheduler_state_dict', None)
            dest = Path(a.out) / (f'{d.name}_{k}.pt' if a.flat else f'{d.name}/{k}.pt')
            dest.parent.mkdir(parents=True, exist_ok=True); torch.save(ck, dest)


def load_items(path):
    "train, val, test bar items of an `export` pickle, with their frame pointers again (the truth: the bars' frames)."
    import pickle
    import numpy as np
    from editptr.bars import edit_of
    items = pickle.loads(Path(path).read_bytes())
    for split in ('train', 'val', 'test'):
        for it in items[split]: it['feats'] = it['feats'].astype(np.float32); it['pointers'] = edit_of(it['tokens'], it)['pointers']
    return items['train'], items['val'], items['test']


def evaluate_one(name, path, test, device, out_file):
    "Write `name`'s rows (beam 4, style by name, per style) to `out_file`."
    import sys, torch
    sys.path.insert(0, str(Path(__file__).parent))
    from bar_beam import by_style, edits_by_name
    from editptr.bars import load_bar_model
    torch.set_num_threads(1)
    model = load_bar_model(path).to(device)
    t = time.time()
    preds = [e['pointers'] for e in edits_by_name(model, test, 4, 1.0)]
    out_file.write_text('\n'.join(f"| {name} | {path} | {s} | {n} | {r['dest_seam_f1']:.3f} | {r['seam_f1']:.3f} | {r['accuracy']:.3f} | {time.time() - t:.0f} |"
                                  for s, n, r in by_style(test, preds)))


def evaluate(models, test, device, out):
    "Markdown table: each model's beam-4 edits of `test` (style by name), per style; one process per model."
    files = [out / f'rows_{i}.md' for i in range(len(models))]
    procs = [mp.get_context('fork').Process(target=evaluate_one, args=(n, p, test, device, f)) for (n, p), f in zip(models, files)]
    for p in procs: p.start()
    for p in procs: p.join()
    rows = [f.read_text() if f.is_file() else f'| {n} | {p} | failed |' for (n, p), f in zip(models, files)]
    return '\n'.join(['| model | checkpoint | style | pairs | dest F1 | seam F1 | accuracy | wall s (all pairs) |', '|---|---|---|---|---|---|---|---|'] + rows)


def main(argv=None):
    import sys
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['export']: return export(argv[1:])
    if argv[:1] == ['strip']: return strip(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', action='append', default=[])
    ap.add_argument('--items', help='bar items written by `export` (instead of --corpus)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--variant', action='append', required=True, help="name:field=value,... (BarModelConfig / BarTrainConfig fields; init_from=PATH)")
    ap.add_argument('--evaluate', action='append', default=[], help='another model to evaluate on the test items (name=PATH or PATH)')
    ap.add_argument('--deadline', type=float, required=True, help='seconds from the start by which every variant has finished')
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--jobs', type=int, default=os.cpu_count())
    ap.add_argument('--test', action='store_true', help='then evaluate every model on the test items (beam 4, style by name)')
    ap.add_argument('--after-training', help='a shell command run between training and the test (e.g. to keep the checkpoints)')
    a = ap.parse_args(argv)
    from editptr.bars import load_bar_items
    variants = [parse_variant(v) for v in a.variant]
    t = time.time()
    if a.items: train, val, test = load_items(a.items); left = left_val = []
    else:
        train, left = load_bar_items(a.corpus, 'train', progress=False, jobs=a.jobs)
        val, left_val = load_bar_items(a.corpus, 'val', progress=False, jobs=a.jobs)
        test = []
    print(f'{len(train)} training and {len(val)} validation pairs ({len(left) + len(left_val)} off the bar grid), {len(test)} test pairs, read in {time.time() - t:.0f} s', flush=True)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    threads = max(1, (os.cpu_count() or 2) // len(variants))
    procs = [mp.get_context('fork').Process(target=run_variant, args=(n, m, tr, train, val, out, a.deadline, a.device, threads))
             for n, m, tr in variants]
    for p in procs: p.start()
    for p in procs: p.join()
    print('| variant | weights (d, layers) | batch | steps | s / step | wall s | val loss | val free dest. seam F1 (greedy, last) | best step |')
    print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
    for n, _, _ in variants:
        f = out / n / 'summary.json'
        if not f.is_file(): print(f'| {n} | failed (exit codes {[p.exitcode for p in procs]}) |'); continue
        s = json.loads(f.read_text()); m, r = s['model'], s['last']
        print(f"| {n} | d {m['d_model']}, {m['n_encoder_layers']} + {m['n_decoder_layers']} | {s['train']['batch_size']} | {s['train']['steps']} | "
              f"{s['s_per_step']:.3f} | {s['wall_s']:.0f} | {r['val_pointer_loss']:.3f} | {r.get('val_free_dest_seam_f1', float('nan')):.2f} | {s['best_step']} |")
    if a.after_training: subprocess.run(a.after_training, shell=True)
    if a.test and test:
        models = [tuple(e.split('=', 1)) if '=' in e else (Path(e).parent.name, e) for e in a.evaluate]
        models += [(f'{n} ({k})', str(out / n / f'{k}.pt')) for n, _, _ in variants for k in ('best', 'last') if (out / n / f'{k}.pt').is_file()]
        text = f'# Test pairs ({len(test)}), beam 4, style by name\n\n' + evaluate(models, test, a.device, out)
        print(text); (out / 'test.md').write_text(text + '\n')
    print(f'total {time.time() - T0:.0f} s')


if __name__ == '__main__':
    main()
