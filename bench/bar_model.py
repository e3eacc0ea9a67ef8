"""The bar model (`editptr.bars`) against the frame model, on whole songs (CPU), as markdown tables.

1. decode: one held-out whole song's edit at its true length, style by name: the frame model's `generate`
   (speculative, draft 16, bar seams: what editptr-edit runs) vs the bar model greedy, beam 4 and 8 samples
   in one batch, each with its decoder cache (`decode_step`) and without (the whole edit re-read at every step).
   CPU seconds, output frames, x real time (output seconds / CPU seconds) and whether the uncached edit equals
   the cached one. With --long-corpus, the same for the bar model on the longest edit of that corpus (a real song).
2. train: one training step (forward, backward, AdamW) of the bar model at 4k / 16k / 32k raw frames
   (a generated song's bars repeated; edit = the raw played through), batch 1 and 16: CPU seconds, raw frames/s
   and peak resident memory, and whether 4x the length costs at most 4.5x the time.
With --device cuda the same on the GPU: wall seconds (synchronised) and peak GPU memory.
A two-way checkpoint is timed as its forward reading: one reader's decoders (`editptr-edit` runs one beam per
reading and scores the candidates under both, about twice the beam's time).

Usage: python bench/bar_model.py --bar-model models/bars/best.pt --checkpoint models/pointer_network/best.pt \\
           [--corpus data/synth] [--long-corpus data/real_corpus/nexuiz-music] [--threads 1] [--out bench/results/bar_model_cpu.md]

Time is the process's CPU time (user + system) with --threads 1, which is what the wall time is on an idle
machine (this machine's 2 cores are shared); the fastest of 3 repeats for the training step, one run after a warm-up run for decoding.
"""
import argparse, resource, time
from pathlib import Path
import numpy as np
import torch


def table(headers, rows):
    return '\n'.join(['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(headers)] + ['| ' + ' | '.join(map(str, r)) + ' |' for r in rows])


DEVICE = 'cpu'   # --device


def cpu(fn):
    "(result, seconds) of fn(): CPU seconds of this process on the CPU, wall seconds to the last kernel's end on a GPU."
    if DEVICE == 'cpu':
        t = time.process_time(); r = fn(); return r, time.process_time() - t
    torch.cuda.synchronize(); t = time.time(); r = fn(); torch.cuda.synchronize()
    return r, time.time() - t


def peak_mb():
    "Peak resident memory of the process (CPU), or peak GPU memory allocated by torch (MiB)."
    if DEVICE == 'cpu': return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return torch.cuda.max_memory_allocated() / 2**20


def bench_decode(bars, frame, item, bar_it, fps):
    from editptr.bars import beam_bars, generate_bars, bar_style_z
    from editptr.dataset import collate_fn
    L, rows = bar_it['length'], []
    out_s = L / fps
    def row(name, fn, n_edits=1, same=''):
        fn()                                       # warm-up: first calls pay one-time costs
        r, s = cpu(fn)
        rows.append([name, f'{s:.3f}', f'{n_edits * L:,}', f'{n_edits * out_s / s:.0f}x', same])
        return r
    if frame is not None:
        b = collate_fn([item])
        row('frame model, generate (speculative, draft 16, bar seams)',
            lambda: frame.generate(b['raw_mel'], target_length=L, beats=b['beats'], temperature=0.0, style=item['style'], seams='bar'))
    z, z8 = bar_style_z(bars, bar_it['style']), torch.randn(8, bars.config.latent_dim, generator=torch.Generator().manual_seed(0))
    tokens = lambda rs: [list(r['tokens']) for r in (rs if isinstance(rs, list) else [rs])]
    runs = [('greedy', lambda c: generate_bars(bars, [bar_it], z, use_cache=c), 1),
            ('beam 4', lambda c: beam_bars(bars, bar_it, z, 4, use_cache=c), 1),
            ('8 samples (one batch)', lambda c: generate_bars(bars, [bar_it] * 8, z8, temperature=1.0, use_cache=c,
                                                             generator=torch.Generator().manual_seed(0)), 8)]
    for name, fn, n in runs:
        cached = row(f'bar model, {name}', lambda: fn(True), n)
        uncached = row(f'bar model, {name}, uncached', lambda: fn(False), n)
        rows[-1][-1] = 'yes' if tokens(cached) == tokens(uncached) else 'no'
    return table(['decoder', 'CPU s' if DEVICE == 'cpu' else 'GPU wall s', 'output frames', 'x real time', 'edit = cached'], rows)


def bench_train(bars_cfg, song, fps):
    from editptr.bars import BarPointerNetwork, collate_bars, bar_losses
    rows, times = [], {}
    n0 = len(song['bar_len'])
    for T in (4096, 16384, 32768):
        reps = int(np.ceil(T / song['lines'][-1]))
        bar_len = np.tile(song['bar_len'], reps); cut = int(np.searchsorted(np.cumsum(bar_len), T)) + 1
        bar_len = bar_len[:cut]
        it = dict(feats=np.tile(song['feats'], (reps, 1))[:cut], bar_len=bar_len, tokens=np.arange(cut), length=int(bar_len.sum()))
        for B in (1, 16):
            torch.manual_seed(0)
            model = BarPointerNetwork(bars_cfg).to(DEVICE); opt = torch.optim.AdamW(model.parameters(), 1e-3)
            batch = collate_bars([it] * B).to(DEVICE)
            def step():
                out = bar_losses(model, batch); opt.zero_grad(); out['loss'].backward(); opt.step()
            step()
            s = min(cpu(step)[1] for _ in range(3))
            times[T, B] = s
            rows.append([f'{int(bar_len.sum()):,}', cut, B, f'{s:.3f}', f'{B * bar_len.sum() / s:,.0f}', f'{peak_mb():.0f}'])
    ratio = {B: times[16384, B] / times[4096, B] for B in (1, 16)}
    lines = table(['raw frames', 'bars', 'batch', 's / step', 'raw frames / s', 'peak RSS MiB (process so far)' if DEVICE == 'cpu' else 'peak GPU MiB (so far)'], rows)
    lines += '\n\n' + '; '.join(f'batch {B}: 16k / 4k frames = {r:.2f}x the time (target <= 4.5x: {"met" if r <= 4.5 else "missed"})' for B, r in ratio.items())
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--bar-model', required=True)
    ap.add_argument('--checkpoint', help='frame model to compare with (optional)')
    ap.add_argument('--corpus', default='data/synth', help='a held-out song of its test split is decoded')
    ap.add_argument('--long-corpus', help='also decode the longest edit of this corpus (all splits) with the bar model')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu', help="'cpu' (CPU time) or 'cuda' (wall time, synchronised)")
    ap.add_argument('--out', default='bench/results/bar_model_cpu.md')
    a = ap.parse_args(argv)
    global DEVICE
    DEVICE = a.device
    torch.set_num_threads(a.threads)
    from editptr.config import AudioConfig
    from editptr.bars import load_bar_model, bar_item
    from editptr.dataset import PointerDataset
    from editptr.model import PointerNetwork
    fps = AudioConfig().frames_per_second
    bars = load_bar_model(a.bar_model).to(a.device)
    frame = PointerNetwork.from_checkpoint(a.checkpoint) if a.checkpoint else None
    ds = PointerDataset(a.corpus, split='test', max_raw_frames=2**62)
    i = next(j for j, r in enumerate(ds.records) if r['style'] == 'shorten')
    item = ds[i]; bar_it = bar_item(item)
    T = item['raw_mel'].shape[1]
    text = [f'# The bar model on whole songs (bar model {a.bar_model}' + (f', frame model {a.checkpoint}' if a.checkpoint else '') +
            f'; torch {torch.__version__}, ' + (f'{a.threads} thread(s), CPU time)' if a.device == 'cpu' else
                                                f'{torch.cuda.get_device_name(0)}, wall time)'), '',
            f'## Decoding one whole song: {item["name"]} ({T:,} raw frames = {T / fps:.0f} s, {len(bar_it["bar_len"])} bars; '
            f'edit {bar_it["length"]:,} frames = {bar_it["length"] / fps:.0f} s, style by name)', '',
            bench_decode(bars, frame, item, bar_it, fps), '']
    if a.long_corpus:
        from editptr.bars import load_bar_items
        long = max(load_bar_items(a.long_corpus, 'all', progress=False)[0], key=lambda it: len(it['tokens']))
        n = long['lines'][-1]
        text += [f'## Decoding a long song: {long["name"]} of {a.long_corpus} ({n:,} raw frames = {n / fps:.0f} s, {len(long["bar_len"])} bars; '
                 f'edit {long["length"]:,} frames = {long["length"] / fps:.0f} s, {len(long["tokens"])} bars, style by name)', '',
                 bench_decode(bars, None, None, long, fps), '']
    text += [
            f'## One training step of the bar model ({bars.config.d_model} wide, {bars.config.n_encoder_layers} + {bars.config.n_decoder_layers} layers)', '',
            bench_train(bars.config, bar_it, fps)]
    text = '\n'.join(text)
    print(text)
    if a.out: Path(a.out).write_text(text + '\n')


if __name__ == '__main__':
    main()
