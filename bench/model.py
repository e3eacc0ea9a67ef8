"""Model benchmarks, printed as markdown tables (CPU).

1. attention: SparseAttention vs dense scaled_dot_product_attention (with the equivalent dense
   mask, and plain full attention): forward time and peak memory at 2k-16k frames.
2. cache:     generate with and without the KV cache at 500 / 1000 / 2000 steps.
3. generate:  output frames/s of generate vs generate_hierarchical on a 3-minute input.
4. train:     training-step throughput vs a plain nn.Transformer pointer network.
5. decode:    a whole song's edit: step-by-step vs speculative decoding (draft 16), demo and default
              config, output frames/s and x real time, and agreement with step-by-step greedy.
6. whole:     whole-song training steps at 4k / 16k / 32k raw frames: the full pointer loss vs the
              linear-cost one (rows at edit points + 64 sampled steps), time and peak memory.
7. batch:     whole songs of unequal length (2-3.5 minutes), demo config: one batch of four (padded)
              against four batches of one, time and peak memory (why the demo trains one song a step).

Usage: python bench/model.py [--small] [--quick] [--threads N] [--only attention,cache,generate,train,decode,whole,batch]
                             [--memory-limit-gb 12]

Time: with one thread (the default) the CPU time of the process (user + system), which is
what the wall time would be on an idle machine: this machine's 2 cores are shared, and other
jobs stretch wall time. With --threads N > 1, wall time. The fastest of a few repeats.

Peak memory: torch's CPU allocations are invisible to tracemalloc, so each attention
measurement runs in a fresh Python process (this script with --child) and reports how far
its peak resident set size (getrusage ru_maxrss) rose during one forward pass above the
resident size just before it (/proc/self/statm).
"""
from __future__ import annotations
import argparse, json, math, resource, subprocess, sys, time, warnings
import torch
import torch.nn as nn
import torch.nn.functional as F
from editptr.config import PointerNetworkConfig, STOP_TOKEN
from editptr.attention import SparseAttention, global_stride_for

SMALL = PointerNetworkConfig(d_model=64, n_heads=4, d_ff=256, n_encoder_layers=2, n_decoder_layers=2, latent_dim=16)
TARGET = 4.5  # 4x the length may cost at most this much more time and memory


def table(headers: list[str], rows: list[list]) -> str:
    "A markdown table."
    fmt = lambda v: f'{v:.3g}' if isinstance(v, float) else str(v)
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(headers)]
    return '\n'.join(lines + ['| ' + ' | '.join(fmt(v) for v in r) + ' |' for r in rows])


CLOCK = time.process_time  # set in main: CPU time with one thread, else wall time


def timed(fn, repeats: int = 1) -> float:
    "Fastest time of `repeats` calls of `fn` (seconds): other load on the machine only ever adds time."
    times = []
    for _ in range(repeats):
        t0 = CLOCK(); fn(); times.append(CLOCK() - t0)
    return min(times)


def peak_rss_mb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    "Current resident set size (MiB), from /proc (Linux)."
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * resource.getpagesize() / 2**20


# ---------------------------------------------------------------- 1. attention

def dense_mask(T: int, window: int, stride: int, max_keys: int) -> torch.Tensor:
    "(T, T) bool: the mask SparseAttention applies (non-causal, no padding), built densely."
    mask = torch.ones(T, T, dtype=torch.bool).triu(-window).tril(window)   # |i - j| <= window
    s = global_stride_for(T, stride, max_keys)
    if s: mask[:, ::s] = True                                               # global columns
    return mask


def attention_child(spec: dict) -> dict:
    "Run in a fresh process: one forward of `spec['kind']` attention at `spec['T']` frames."
    global CLOCK
    torch.set_num_threads(spec['threads']); torch.manual_seed(0)
    CLOCK = time.process_time if spec['threads'] == 1 else time.perf_counter
    c = PointerNetworkConfig(**spec['config'])
    attn = SparseAttention(c.d_model, c.n_heads, c.window, c.global_stride, max_global_keys=c.max_global_keys).eval()

    def dense(x, mask):
        B, T, d = x.shape
        q, k, v = (t.transpose(1, 2) for t in attn._heads(x))             # (B, H, T, dh)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return attn.proj(y.transpose(1, 2).reshape(B, T, d))

    forward = {'sparse': lambda x: attn(x),
               'dense, same mask': lambda x: dense(x, dense_mask(x.shape[1], c.window, c.global_stride, c.max_global_keys)),
               'dense, full': lambda x: dense(x, None)}[spec['kind']]
    with torch.no_grad():
        forward(torch.randn(1, 256, c.d_model))                            # load kernels before measuring
        x = torch.randn(1, spec['T'], c.d_model)
        base, old_peak = rss_mb(), peak_rss_mb()
        forward(x)
        if peak_rss_mb() <= old_peak: return {'error': 'peak below an earlier one: run alone'}
        peak = peak_rss_mb() - base                                        # rise above the resident size before
        return {'time': timed(lambda: forward(x), spec['repeats']), 'peak_mb': peak}


def child(spec: dict) -> dict:
    "Run one measurement in a fresh process (this script with --child); its result, or {'error': ...}."
    r = subprocess.run([sys.executable, __file__, '--child', json.dumps(spec)], capture_output=True, text=True)
    if r.returncode == -9: return {'error': 'killed (out of memory)'}
    if r.returncode: return {'error': r.stderr.strip().splitlines()[-1][:60] if r.stderr.strip() else f'exit {r.returncode}'}
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure_attention(kind: str, T: int, config: PointerNetworkConfig, threads: int, repeats: int) -> dict:
    return child(dict(section='attention', kind=kind, T=T, config=config.to_dict(), threads=threads, repeats=repeats))


def bench_attention(config, threads, quick):
    lengths = [2048, 4096, 8192, 16384]
    kinds = ['sparse', 'dense, same mask', 'dense, full']
    res = {(k, T): measure_attention(k, T, config, threads, 2 if quick else 5) for k in kinds for T in lengths}
    print(f'\n## 1. Attention forward (d {config.d_model}, {config.n_heads} heads, window {config.window}, '
          f'stride {config.global_stride}, <= {config.max_global_keys} global keys, batch 1, {threads} thread(s), no grad)\n')
    cell = lambda r, key, f: r['error'] if 'error' in r else f.format(r[key])
    rows = [[f'{T:,}'] + [cell(res[k, T], 'time', '{:.3f}') for k in kinds] + [cell(res[k, T], 'peak_mb', '{:.0f}') for k in kinds]
            for T in lengths]
    print(table(['frames'] + [f'{k}: s' for k in kinds] + [f'{k}: peak MiB' for k in kinds], rows))
    print(f'\nCost of 4x the length (target for sparse: <= {TARGET}x):\n')
    rows = []
    for k in kinds:
        for a, b in ((2048, 8192), (4096, 16384)):
            ra, rb = res[k, a], res[k, b]
            if 'error' in ra or 'error' in rb: continue
            t, m = rb['time'] / ra['time'], rb['peak_mb'] / max(ra['peak_mb'], 1.0)
            ok = 'yes' if max(t, m) <= TARGET else 'no'
            rows.append([k, f'{a:,} -> {b:,}', f'{t:.2f}x', f'{m:.2f}x', ok if k == 'sparse' else '-'])
    print(table(['attention', 'frames', 'time', 'peak memory', f'<= {TARGET}x'], rows))


# ---------------------------------------------------------------- 2.-4. the model

def make_model(config):
    from editptr.model import PointerNetwork
    torch.manual_seed(0)
    return PointerNetwork(config).eval()


def raw_input(T: int, seed: int = 0) -> torch.Tensor:
    "(1, n_mels, T) random log-mel in dB."
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, 128, T, generator=g) * 15 - 50


def bench_cache(config, quick):
    model = make_model(config)
    mel = raw_input(1024)
    steps = [100, 200, 400] if quick else [500, 1000, 2000]
    rows = []
    for n in steps:   # stop_threshold > 1: never stop early; greedy so both runs must pick the same frames
        run = lambda cache: model.generate(mel, target_length=n, temperature=0.0, use_cache=cache, max_steps=n, stop_threshold=2.0)
        t0 = CLOCK(); with_cache = run(True); t_cache = CLOCK() - t0
        t0 = CLOCK(); without = run(False); t_plain = CLOCK() - t0
        same = torch.equal(with_cache['pointers'][0], without['pointers'][0]) and len(with_cache['pointers'][0]) == n
        rows.append([n, f'{t_plain:.2f}', f'{t_cache:.2f}', f'{t_plain / t_cache:.1f}x', 'yes' if same else 'NO'])
    print(f'\n## 2. KV cache: greedy generate, 1,024 raw frames, d {config.d_model}, {config.n_decoder_layers} decoder layers\n')
    print(table(['steps', 'no cache: s', 'cache: s', 'speed-up', 'identical pointers'], rows))
    print(f'\nTarget: >= 5x at {steps[-1]} steps: {"met" if t_plain / t_cache >= 5 else "NOT met"}.')


def bench_generate(config, quick):
    model = make_model(config)
    T = 15_500                                                              # 3 minutes at 86.13 frames/s
    mel = raw_input(T)
    n = 100 if quick else 400
    with torch.no_grad(): t_enc = timed(lambda: model.encode_raw(mel), 1)
    rows = []
    for name, run in (('generate', lambda: model.generate(mel, target_length=n, temperature=0.0, max_steps=n, stop_threshold=2.0)),
                      ('generate_hierarchical', lambda: model.generate_hierarchical(mel, target_length=n, temperature=0.0,
                                                                                    max_steps=n, stop_threshold=2.0))):
        t = timed(run, 1)
        rows.append([name, n, f'{t:.2f}', f'{n / t:.0f}', f'{n / max(t - t_enc, 1e-9):.0f}'])
    print(f'\n## 3. Generation on a 3-minute input ({T:,} raw frames; encoding alone {t_enc:.2f} s)\n')
    print(table(['decoder', 'output frames', 'total s', 'frames/s', 'frames/s after encoding'], rows))
    print(f'\n(Real time is {86.13:.0f} output frames/s.)')


def copying_model(config, jump_bias: float, weight_scale: float = 1.0):
    "An untrained model made to edit like a trained one: it continues the run except where its structure head says jump."
    model = make_model(config)
    with torch.no_grad():
        lin = model.decoder.structure_head.net[-1]
        lin.weight.mul_(weight_scale); lin.bias.copy_(torch.tensor([jump_bias, 0.0, 0.0]))
        model.decoder.stop_head.bias.fill_(-30.0)                           # STOP never fires: the edit runs to its length
    return model


def bench_decode(quick):
    "Whole-song decoding: today's step-by-step loop against speculative decoding, same model, same input."
    from editptr.config import preset_configs
    from editptr.pointers import seam_frames
    T, fps = 15_500, 86.13                                                  # a 3-minute song, in and out
    n_out, n_ref = (2_000, 300) if quick else (T, 1_500)                   # step by step: a prefix (its rate is flat)
    mel, rows = raw_input(T), []
    for name, config in (('demo', preset_configs('demo')[0]), ('default', PointerNetworkConfig())):
        model = copying_model(config, 6.0, 1.0)
        for label, temperature in (('greedy', 0.0), ('sampled (T=1), seed 0', 1.0)):
            with torch.no_grad(): t_enc = timed(lambda: model.encode_raw(mel), 1)
            for decoder, draft, n in (('step by step (today)', 1, n_ref), ('speculative, draft 16', 16, n_out)):
                out = {}
                torch.manual_seed(0)                                        # sampled: both decoders draw the same numbers
                t = timed(lambda: out.update(model.generate(mel, target_length=n_out, temperature=temperature, max_steps=n, draft=draft)), 1)
                p = out['pointers'][0]
                if draft == 1: ref = p
                rate = n / max(t - t_enc, 1e-9)
                whole = n_out / (t_enc + n_out / rate)
                rows.append([name, label, decoder, n, f'{len(seam_frames(p.numpy())) / (n / fps / 60):.0f}', f'{rate:.0f}',
                             f'{rate / fps:.1f}x', f'{whole:.0f} ({whole / fps:.1f}x)',
                             'reference' if draft == 1 else ('identical' if torch.equal(p[:len(ref)], ref) else 'DIFFERENT')])
    print(f'\n## 5. Decoding a whole song ({T:,} raw frames in, a {n_out:,}-frame edit out)\n')
    print(table(['config', 'edit', 'decoder', 'frames decoded', 'seams/min', 'frames/s (decoder)', 'x real time (decoder)',
                 'whole edit incl. encoding: frames/s (x real time)', 'pointers vs step by step'], rows))
    print('\nModel: untrained, its structure head set to continue the run with probability 0.995 a step (greedy: it never '
          'jumps, the best case; sampled: a seam every few seconds, more than a real edit has), STOP never firing. Step by step decodes a '
          'prefix (its per-frame cost is flat: the KV cache is bounded); "identical" compares that prefix. '
          'Targets (2 cores): demo >= 20x, default >= 5x real time.')


class PlainPointerTransformer(nn.Module):
    "Baseline: nn.Transformer encoder-decoder, dense attention, pointer = dot product with encoder states."
    def __init__(self, c: PointerNetworkConfig):
        super().__init__()
        self.inp = nn.Linear(c.n_mels, c.d_model)
        self.transformer = nn.Transformer(c.d_model, c.n_heads, c.n_encoder_layers, c.n_decoder_layers, c.d_ff,
                                          c.dropout, batch_first=True, norm_first=True)
        self.start = nn.Parameter(torch.zeros(c.d_model))
        self.key = nn.Linear(c.d_model, c.d_model)

    @staticmethod
    def positions(T: int, d: int) -> torch.Tensor:
        f = torch.exp(-math.log(1e4) * torch.arange(0, d, 2) / d)
        a = torch.arange(T)[:, None] * f
        return torch.cat([a.sin(), a.cos()], -1)                           # (T, d)

    def forward(self, raw_mel, target_pointers):
        d = self.start.shape[0]
        src = self.inp((raw_mel.transpose(1, 2) + 40) / 40) + self.positions(raw_mel.shape[-1], d)  # (B, T_raw, d)
        memory = self.transformer.encoder(src)
        prev = target_pointers[:, :-1].clamp(min=0)                        # step t reads the frame played at t-1
        played = memory.gather(1, prev[..., None].expand(-1, -1, d))
        tgt = torch.cat([self.start.expand(len(prev), 1, d), played], 1) + self.positions(target_pointers.shape[1], d)
        causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        h = self.transformer.decoder(tgt, memory, tgt_mask=causal, tgt_is_causal=True)
        logits = h @ self.key(memory).transpose(1, 2)                      # (B, T_out, T_raw)
        keep = target_pointers >= 0
        return {'loss': F.cross_entropy(logits[keep], target_pointers[keep])}


def edit_targets(T_raw: int) -> torch.Tensor:
    "(1, T_raw // 2 + 1): a shortening edit (first and third quarter) then STOP."
    q = T_raw // 4
    return torch.cat([torch.arange(0, q), torch.arange(2 * q, 3 * q), torch.tensor([STOP_TOKEN])])[None]


def batch_input(lengths: list[int]) -> tuple:
    "Raw mels (B, n_mels, max T) padded, their lengths (B,) and `edit_targets` of each, padded with PAD."
    from editptr.config import PAD_TOKEN
    T, tgts = max(lengths), [edit_targets(n)[0] for n in lengths]
    mel = torch.stack([F.pad(raw_input(n, seed=i)[0], (0, T - n)) for i, n in enumerate(lengths)])
    target = torch.stack([F.pad(t, (0, max(len(u) for u in tgts) - len(t)), value=PAD_TOKEN) for t in tgts])
    return mel, torch.tensor(lengths), target


def train_child(spec: dict) -> dict:
    "Run in a fresh process under a memory limit: raw frames/s of training steps of one model at one length."
    global CLOCK
    torch.set_num_threads(spec['threads'])
    CLOCK = time.process_time if spec['threads'] == 1 else time.perf_counter
    limit = spec['memory_limit_gb'] << 30                                   # fail, not swamp the shared machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from editptr.model import PointerNetwork
    config, lengths = PointerNetworkConfig(**spec['config']), spec.get('lengths') or [spec['T']]
    mel, raw_lengths, target = batch_input(lengths)
    torch.manual_seed(0)
    model = (PointerNetwork if spec['kind'] == 'editptr' else PlainPointerTransformer)(config).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    kw = {'pointer_rows': spec['pointer_rows']} if spec.get('pointer_rows') else {}
    if len(lengths) > 1: kw['raw_lengths'] = raw_lengths
    def step():
        opt.zero_grad(set_to_none=True)
        model(mel, target, **kw)['loss'].backward()
        opt.step()
    try:
        before = rss_mb()
        step()                                                              # warm-up (and the peak of one step)
        peak = peak_rss_mb() - before
        t = timed(step, spec['repeats'])
        return {'speed': sum(lengths) / t, 'seconds': t, 'peak_mb': peak}
    except RuntimeError as e:
        return {'error': 'out of memory' if 'alloc' in str(e) else str(e).splitlines()[0][:60]}


def bench_train(config, threads, quick, memory_limit_gb=12):
    print(f'\n## 4. Training step (forward + backward + AdamW), batch 1, d {config.d_model}, '
          f'{config.n_encoder_layers} + {config.n_decoder_layers} layers, edit = half the raw, '
          f'each run in its own process limited to {memory_limit_gb} GB\n')
    print(table(['raw frames', 'edit frames', 'editptr: raw frames/s', 'nn.Transformer: raw frames/s', 'editptr / baseline'], []),
          flush=True)
    for T in [1024, 4096, 8192]:
        r = {}
        for kind in ('editptr', 'nn.Transformer'):
            spec = dict(section='train', kind=kind, T=T, config=config.to_dict(), threads=threads,
                        repeats=1 if quick else 2, memory_limit_gb=memory_limit_gb)
            r[kind] = child(spec)
        cell = lambda x: x['error'] if 'error' in x else f"{x['speed']:.0f}"
        ratio = f"{r['editptr']['speed'] / r['nn.Transformer']['speed']:.2f}x" if all('speed' in x for x in r.values()) else '-'
        row = [f'{T:,}', T // 2, cell(r['editptr']), cell(r['nn.Transformer']), ratio]
        print(table([''] * 5, [row]).splitlines()[-1], flush=True)            # one row at a time


def bench_whole(threads, quick, memory_limit_gb=12):
    "Whole-song training steps: the full pointer loss against the linear-cost one (`TrainConfig.pointer_rows`), demo and default config."
    from editptr.config import preset_configs
    lengths = [4096, 16384] if quick else [4096, 16384, 32768]
    print(f'\n## 6. Whole-song training step (forward + backward + AdamW, batch 1, edit = half the raw), '
          f'full pointer loss vs pointer_rows=64, each run in its own process limited to {memory_limit_gb} GB\n')
    print(table(['config', 'pointer loss', 'raw frames', 'edit frames', 's / step', 'raw frames/s', 'peak MiB'], []), flush=True)
    for name, config in (('demo', preset_configs('demo')[0]), ('default', PointerNetworkConfig())):
        for label, rows in (('full (today)', 0), ('rows at edit points + 64', 64)):
            for T in lengths:
                spec = dict(section='train', kind='editptr', T=T, config=config.to_dict(), threads=threads, repeats=1,
                            memory_limit_gb=memory_limit_gb, pointer_rows=rows)
                r = child(spec)
                cells = [r['error']] * 3 if 'error' in r else [f"{r['seconds']:.2f}", f"{r['speed']:.0f}", f"{r['peak_mb']:.0f}"]
                print(table([''] * 7, [[name, label, f'{T:,}', T // 2, *cells]]).splitlines()[-1], flush=True)


def bench_batch(threads, memory_limit_gb=12):
    "Four whole songs of unequal length, demo config, linear-cost pointer loss: one padded batch of four vs four batches of one."
    from editptr.config import preset_configs
    songs = [15500, 11000, 18000, 10500]                     # 3.0, 2.1, 3.5 and 2.0 minutes
    print(f'\n## 7. Four whole songs ({", ".join(f"{n:,}" for n in songs)} raw frames), demo config, pointer_rows 64, '
          f'{threads} thread(s): one batch of four vs four batches of one\n')
    base = dict(section='train', kind='editptr', config=preset_configs('demo')[0].to_dict(), threads=threads, repeats=1,
                memory_limit_gb=memory_limit_gb, pointer_rows=64)
    ones = [child({**base, 'lengths': [n]}) for n in songs]
    four = child({**base, 'lengths': songs})
    rows = [['4 batches of 1', f"{sum(r['seconds'] for r in ones):.2f}", f"{max(r['peak_mb'] for r in ones):.0f}"],
            ['1 batch of 4 (padded)', f"{four['seconds']:.2f}", f"{four['peak_mb']:.0f}"]]
    print(table(['training', 's for the four songs', 'peak MiB'], rows))
    print(f"\nA batch of four costs {four['seconds'] / sum(r['seconds'] for r in ones):.2f}x four single-song steps "
          f"and {four['seconds'] / ones[0]['seconds']:.1f}x one step of the 3-minute song.")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--small', action='store_true', help='small model (d 64, 2 + 2 layers)')
    p.add_argument('--quick', action='store_true', help='fewer steps and repeats')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    p.add_argument('--only', default='attention,cache,generate,train', help='comma-separated sections')
    p.add_argument('--memory-limit-gb', type=int, default=12, help='address-space limit of each training-step process')
    p.add_argument('--child', help=argparse.SUPPRESS)
    a = p.parse_args()
    warnings.filterwarnings('ignore', message='enable_nested_tensor')    # nn.Transformer with norm_first
    if a.child:
        spec = json.loads(a.child)
        print(json.dumps((attention_child if spec['section'] == 'attention' else train_child)(spec))); return
    torch.set_num_threads(a.threads)
    global CLOCK
    CLOCK = time.process_time if a.threads == 1 else time.perf_counter
    config = SMALL if a.small else PointerNetworkConfig()
    print(f'# editptr model benchmarks ({"small" if a.small else "default"} config{", quick" if a.quick else ""}, '
          f'torch {torch.__version__}, {a.threads} thread(s))')
    sections = {'attention': lambda: bench_attention(config, a.threads, a.quick), 'cache': lambda: bench_cache(config, a.quick),
                'generate': lambda: bench_generate(config, a.quick), 'train': lambda: bench_train(config, a.threads, a.quick, a.memory_limit_gb),
                'decode': lambda: bench_decode(a.quick), 'whole': lambda: bench_whole(a.threads, a.quick, a.memory_limit_gb),
                'batch': lambda: bench_batch(a.threads, a.memory_limit_gb)}
    for name in a.only.split(','): sections[name]()


if __name__ == '__main__':
    main()
